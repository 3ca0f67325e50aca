package io.sfcache.graphql;

import io.sfcache.contracts.DataContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One monitored object as the read API shows it, derived from its contract: the type's name, its two queries, its
 * fields, the parents its lookups resolve to and the lists of children that point to it.
 *
 * @param type  GraphQL type name: the API name without {@code __c}, underscores dropped (Invoice__c -> Invoice)
 * @param one   the point-read query (invoice)
 * @param many  the paged query (invoices)
 */
record ObjectApi(
        DataContract contract,
        String type,
        String one,
        String many,
        ObjectFields fields,
        List<Lookup> lookups,
        List<Children> children) {

    /** A lookup to a monitored object: {@code relation} resolves the id in {@code idField} to the parent record. */
    record Lookup(String idField, String relation, DataContract.Field field, String target) {}

    /** A paged list on the parent: the {@code child} object's records whose {@code lookup} holds the parent's id. */
    record Children(String connection, String child, DataContract.Field lookup) {}

    static ObjectApi of(DataContract contract, java.util.Set<String> monitored) {
        String type = typeName(contract.sobject());
        String one = lowerFirst(type);
        ObjectFields fields = new ObjectFields(contract);
        List<Lookup> lookups = new ArrayList<>();
        fields.fields().forEach((name, field) -> {
            if (field.references() != null && monitored.contains(field.references())) {
                lookups.add(new Lookup(name, relationName(field), field, field.references()));
            }
        });
        return new ObjectApi(contract, type, one, plural(one), fields, List.copyOf(lookups), new ArrayList<>());
    }

    String sobject() {
        return contract.sobject();
    }

    /** Invoice__c -> Invoice, Line_Item__c -> LineItem, Account -> Account. */
    static String typeName(String sobject) {
        StringBuilder name = new StringBuilder();
        for (String part : stripCustomSuffix(sobject).split("_")) {
            if (!part.isEmpty()) {
                name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return name.toString();
    }

    /**
     * A field's GraphQL name: x-graphql-name if the contract sets one; else the API name in camelCase without
     * {@code __c} (AnnualRevenue -> annualRevenue, Due_Date__c -> dueDate), and a custom lookup's id gets the
     * standard ones' Id suffix (Account__c -> accountId, like AccountId).
     */
    static String fieldName(DataContract.Field field) {
        if (field.graphqlName() != null) {
            return field.graphqlName();
        }
        String base = camel(stripCustomSuffix(field.name()));
        return isCustom(field.name()) && "reference".equals(field.salesforceType()) ? base + "Id" : base;
    }

    /** The parent a lookup resolves to: AccountId -> account, ParentId -> parent, Account__c -> account. */
    static String relationName(DataContract.Field field) {
        String name = field.name();
        if (isCustom(name)) {
            return camel(stripCustomSuffix(name));
        }
        return name.endsWith("Id") && name.length() > 2
                ? camel(name.substring(0, name.length() - 2))
                : fieldName(field) + "Record";
    }

    /** The parent's list of children through a lookup: x-child-relationship in camelCase, else the child's plural. */
    static String childrenName(DataContract.Field lookup, ObjectApi child) {
        return lookup.childRelationship() != null ? camel(stripCustomSuffix(lookup.childRelationship())) : child.many();
    }

    /** English plurals for the usual object names: Opportunity -> opportunities, Address -> addresses. */
    static String plural(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        if (lower.endsWith("y") && lower.length() > 1 && "aeiou".indexOf(lower.charAt(lower.length() - 2)) < 0) {
            return word.substring(0, word.length() - 1) + "ies";
        }
        if (lower.endsWith("s")
                || lower.endsWith("x")
                || lower.endsWith("z")
                || lower.endsWith("ch")
                || lower.endsWith("sh")) {
            return word + "es";
        }
        return word + "s";
    }

    /** SLA_Due_Date -> slaDueDate, AnnualRevenue -> annualRevenue. */
    static String camel(String name) {
        StringBuilder camel = new StringBuilder();
        for (String part : name.split("_")) {
            if (part.isEmpty()) {
                continue;
            }
            boolean acronym = part.equals(part.toUpperCase(Locale.ROOT)) && part.length() > 1;
            if (camel.isEmpty()) {
                camel.append(acronym ? part.toLowerCase(Locale.ROOT) : lowerFirst(part));
            } else {
                camel.append(Character.toUpperCase(part.charAt(0)))
                        .append(acronym ? part.substring(1).toLowerCase(Locale.ROOT) : part.substring(1));
            }
        }
        return camel.toString();
    }

    static String lowerFirst(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static boolean isCustom(String apiName) {
        return apiName.endsWith("__c");
    }

    private static String stripCustomSuffix(String apiName) {
        return isCustom(apiName) ? apiName.substring(0, apiName.length() - 3) : apiName;
    }
}
