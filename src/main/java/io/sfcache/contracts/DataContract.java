package io.sfcache.contracts;

import com.networknt.schema.JsonSchema;
import java.util.List;
import java.util.Map;

/**
 * One object's data contract: the JSON Schema its fields are validated with, and what the rest of sfcache needs to
 * know about each field (Salesforce type, relations, sorting).
 *
 * @param key       lower-case object name: route {@code sync-<key>}, endpoint ids, contract file name
 * @param container the Cosmos container holding the object's records
 * @param location  where the contract was loaded from, for messages
 * @param partialSchema the same without {@code required}: for changes that carry only the fields that changed
 */
public record DataContract(
        String sobject,
        String key,
        String container,
        String location,
        JsonSchema schema,
        JsonSchema partialSchema,
        Map<String, Field> fields) {

    /**
     * @param salesforceType the field's type in Salesforce's describe ({@code x-salesforce-type})
     * @param required       must be present and non-null in every create, update and undelete
     * @param references     the object a lookup field points to ({@code x-references}), or null
     * @param sortable       readers may sort on it ({@code x-sortable})
     * @param graphqlName    the field's name in the read API when the derived one does not fit ({@code x-graphql-name}),
     *                       or null
     * @param childRelationship for a lookup: the name of the parent's list of these records ({@code
     *                       x-child-relationship}, e.g. ChildAccounts), or null for the plural of this object
     */
    public record Field(
            String name,
            String salesforceType,
            boolean required,
            Integer maxLength,
            List<String> picklistValues,
            String references,
            boolean sortable,
            String graphqlName,
            String childRelationship) {}

    public boolean declares(String field) {
        return fields.containsKey(field);
    }
}
