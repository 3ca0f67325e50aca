package io.sfcache.graphql;

import io.sfcache.contracts.DataContract;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The GraphQL names of one object's contract fields ({@link ObjectApi#fieldName}), their sort enum values in upper
 * snake case (annualRevenue -> ANNUAL_REVENUE), and where each lives in the stored document.
 */
final class ObjectFields {

    /** Not contract fields, but filterable and sortable like them. */
    static final String ID = "id";

    static final String SYNCED_AT = "syncedAt";

    private final DataContract contract;
    private final Map<String, DataContract.Field> byGraphqlName = new LinkedHashMap<>();

    ObjectFields(DataContract contract) {
        this.contract = contract;
        contract.fields().values().forEach(field -> {
            DataContract.Field clash = byGraphqlName.put(ObjectApi.fieldName(field), field);
            if (clash != null) {
                throw new IllegalStateException(contract.location() + ": fields " + clash.name() + " and "
                        + field.name() + " would both be " + ObjectApi.fieldName(field) + " in the read API; give one "
                        + "of them another name with \"x-graphql-name\"");
            }
        });
    }

    DataContract contract() {
        return contract;
    }

    /** annualRevenue -> ANNUAL_REVENUE */
    static String sortEnum(String graphqlName) {
        return graphqlName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    /** ANNUAL_REVENUE -> annualRevenue; null if no field has that sort value. */
    String fromSortEnum(String value) {
        return java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(ID, SYNCED_AT), byGraphqlName.keySet().stream())
                .filter(name -> sortEnum(name).equals(value))
                .findFirst()
                .orElse(null);
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
