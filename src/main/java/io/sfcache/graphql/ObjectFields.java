package io.sfcache.graphql;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.sfcache.contracts.DataContract;

/**
 * The GraphQL names of one object's contract fields: API names in camelCase (AnnualRevenue -> annualRevenue),
 * sort enum values in upper snake case (ANNUAL_REVENUE), and where each lives in the stored document.
 */
final class ObjectFields {

    /** Not contract fields, but filterable and sortable like them. */
    static final String ID = "id";
    static final String SYNCED_AT = "syncedAt";

    private final DataContract contract;
    private final Map<String, DataContract.Field> byGraphqlName = new LinkedHashMap<>();

    ObjectFields(DataContract contract) {
        this.contract = contract;
        contract.fields().values().forEach(field -> byGraphqlName.put(camel(field.name()), field));
    }

    DataContract contract() {
        return contract;
    }

    static String camel(String apiName) {
        return Character.toLowerCase(apiName.charAt(0)) + apiName.substring(1);
    }

    /** ANNUAL_REVENUE -> annualRevenue */
    static String fromSortEnum(String value) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : value.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }

    /** The Cosmos SQL path of a GraphQL field name, or an error naming the field. */
    String path(String graphqlName) {
        if (ID.equals(graphqlName)) {
            return "c.id";
        }
        if (SYNCED_AT.equals(graphqlName)) {
            return "c.sync.syncedAt";
        }
        DataContract.Field field = byGraphqlName.get(graphqlName);
        if (field == null) {
            throw new InvalidQueryException(contract.sobject() + " has no field " + graphqlName);
        }
        // The API name is checked against the contract above: safe inside the query text.
        return "c.fields[\"" + field.name() + "\"]";
    }

    /** Only fields the contract marks x-sortable (plus id and syncedAt): each needs an index in Cosmos. */
    void checkSortable(String graphqlName) {
        if (ID.equals(graphqlName) || SYNCED_AT.equals(graphqlName)) {
            return;
        }
        DataContract.Field field = byGraphqlName.get(graphqlName);
        if (field == null || !field.sortable()) {
            throw new InvalidQueryException(contract.sobject() + "." + graphqlName + " is not sortable");
        }
    }

    Map<String, DataContract.Field> fields() {
        return byGraphqlName;
    }
}
