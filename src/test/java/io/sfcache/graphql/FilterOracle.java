package io.sfcache.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What the read API promises, evaluated in Java over stored documents, independently of the SQL sfcache generates:
 * the expected answer of a GraphQL filter and order. Promised semantics (README, "The read API"):
 * <ul>
 * <li>a field that is null or missing from the stored record is "absent": it matches {@code isNull: true}, and
 * {@code ne} (it is not equal to the value), and no other operator;</li>
 * <li>{@code not} matches exactly the records its filter does not match; {@code and: []} matches all,
 * {@code or: []} none (as {@code in: []}); several fields or operators in one object must all hold;</li>
 * <li>numbers compare by value (1000 = 1000.0), dates and texts as written (ordinal), date-times as instants;</li>
 * <li>ordering: absent values first ascending and last descending (missing before null ascending, as Cosmos orders
 * undefined before null), then the record id.</li>
 * </ul>
 */
final class FilterOracle {

    /** The GraphQL filter input type of each kind of contract field. */
    enum Kind {
        STRING("StringFilter"),
        ID("IdFilter"),
        FLOAT("FloatFilter"),
        INT("IntFilter"),
        DATE("DateFilter"),
        DATETIME("DateTimeFilter"),
        BOOLEAN("BooleanFilter");

        final String filterType;

        Kind(String filterType) {
            this.filterType = filterType;
        }

        /** From the contract's x-salesforce-type, as the schema types the field. */
        static Kind of(DataContract.Field field) {
            return switch (field.salesforceType()) {
                case "reference", "id" -> ID;
                case "currency", "percent", "double" -> FLOAT;
                case "int" -> INT;
                case "date" -> DATE;
                case "datetime" -> DATETIME;
                case "boolean" -> BOOLEAN;
                default -> STRING;
            };
        }
    }

    /** A filterable field: a contract field, or {@code id} / {@code syncedAt}, and where its value is stored. */
    record Field(String name, Kind kind, DataContract.Field contract, boolean sortable) {

        static Field of(DataContract.Field field) {
            return new Field(ObjectApi.fieldName(field), Kind.of(field), field, field.sortable());
        }

        static final Field ID = new Field(ObjectFields.ID, Kind.ID, null, true);
        static final Field SYNCED_AT = new Field(ObjectFields.SYNCED_AT, Kind.DATETIME, null, true);

        /** The stored value: a missing node when the record lacks it, null when null. */
        JsonNode valueIn(JsonNode doc) {
            if (contract == null) {
                return name.equals(ObjectFields.ID)
                        ? doc.path("id")
                        : doc.path("sync").path("syncedAt");
            }
            return doc.path("fields").path(contract.name());
        }
    }

    private final Map<String, Field> fields;

    FilterOracle(Map<String, Field> fields) {
        this.fields = fields;
    }

    static boolean absent(JsonNode value) {
        return value.isMissingNode() || value.isNull();
    }

    boolean matches(JsonNode filter, JsonNode doc) {
        for (Map.Entry<String, JsonNode> entry : filter.properties()) {
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                continue; // not given
            }
            boolean holds = switch (entry.getKey()) {
                case "and" -> stream(value).allMatch(part -> matches(part, doc));
                case "or" -> stream(value).anyMatch(part -> matches(part, doc));
                case "not" -> !matches(value, doc);
                default -> field(field(entry.getKey()), (ObjectNode) value, doc);
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private Field field(String name) {
        Field field = fields.get(name);
        if (field == null) {
            throw new IllegalArgumentException("no field " + name);
        }
        return field;
    }

    private boolean field(Field field, ObjectNode operators, JsonNode doc) {
        JsonNode stored = field.valueIn(doc);
        boolean absent = absent(stored);
        for (Map.Entry<String, JsonNode> entry : operators.properties()) {
            JsonNode given = entry.getValue();
            if (given.isNull()) {
                continue;
            }
            boolean holds = switch (entry.getKey()) {
                case "eq" -> !absent && compare(field.kind(), stored, given) == 0;
                case "ne" -> absent || compare(field.kind(), stored, given) != 0;
                case "in" -> !absent && stream(given).anyMatch(one -> compare(field.kind(), stored, one) == 0);
                case "contains" -> !absent && stored.asText().contains(given.asText());
                case "startsWith" -> !absent && stored.asText().startsWith(given.asText());
                case "gt" -> !absent && compare(field.kind(), stored, given) > 0;
                case "gte" -> !absent && compare(field.kind(), stored, given) >= 0;
                case "lt" -> !absent && compare(field.kind(), stored, given) < 0;
                case "lte" -> !absent && compare(field.kind(), stored, given) <= 0;
                case "isNull" -> given.asBoolean() == absent;
                default ->
                    throw new IllegalArgumentException(
                            "no semantics known for operator " + entry.getKey() + ": teach FilterOracle what it means");
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    static int compare(Kind kind, JsonNode a, JsonNode b) {
        return switch (kind) {
            case FLOAT, INT -> new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText()));
            case DATETIME ->
                OffsetDateTime.parse(a.asText())
                        .toInstant()
                        .compareTo(OffsetDateTime.parse(b.asText()).toInstant());
            case BOOLEAN -> Boolean.compare(a.asBoolean(), b.asBoolean());
            case STRING, ID, DATE -> a.asText().compareTo(b.asText()); // ISO dates compare as written
        };
    }

    /** The order of {@code orderBy: {field, direction}} with the id as tie-breaker. */
    static Comparator<JsonNode> order(Field field, boolean descending) {
        Comparator<JsonNode> byValue = (a, b) -> {
            JsonNode x = field.valueIn(a);
            JsonNode y = field.valueIn(b);
            int rank = Integer.compare(rank(x), rank(y));
            return rank != 0 || absent(x) ? rank : compare(field.kind(), x, y);
        };
        Comparator<JsonNode> order = byValue.thenComparing(doc -> doc.path("id").asText());
        return descending ? order.reversed() : order;
    }

    private static int rank(JsonNode value) {
        return value.isMissingNode() ? 0 : value.isNull() ? 1 : 2;
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    static List<String> ids(List<? extends JsonNode> docs) {
        return docs.stream().map(doc -> doc.path("id").asText()).toList();
    }
}
