package io.sfcache.graphql;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.azure.cosmos.models.SqlParameter;

/**
 * Turns a GraphQL filter ({@code {and:[...], name:{startsWith:"Ac"}, annualRevenue:{gte:1e6}}}) into a Cosmos SQL
 * condition. Values only ever travel as parameters; field names are checked against the contract first.
 */
final class RecordFilter {

    /** A piece of WHERE clause and the parameters it uses. */
    record Condition(String sql, List<SqlParameter> parameters) {
        static final Condition TRUE = new Condition("true", List.of());
    }

    private final ObjectFields fields;
    private final List<SqlParameter> parameters = new ArrayList<>();

    private RecordFilter(ObjectFields fields) {
        this.fields = fields;
    }

    static Condition toCondition(ObjectFields fields, Map<String, Object> filter) {
        if (filter == null || filter.isEmpty()) {
            return Condition.TRUE;
        }
        RecordFilter translator = new RecordFilter(fields);
        String sql = translator.object(filter);
        return new Condition(sql, List.copyOf(translator.parameters));
    }

    @SuppressWarnings("unchecked")
    private String object(Map<String, Object> filter) {
        List<String> parts = new ArrayList<>();
        filter.forEach((key, value) -> {
            if (value == null) {
                return;
            }
            switch (key) {
                case "and" -> parts.add(join((List<Map<String, Object>>) value, " AND "));
                case "or" -> parts.add(join((List<Map<String, Object>>) value, " OR "));
                case "not" -> parts.add("NOT (" + object((Map<String, Object>) value) + ")");
                default -> parts.add(field(fields.path(key), (Map<String, Object>) value));
            }
        });
        return parts.isEmpty() ? "true" : "(" + String.join(" AND ", parts) + ")";
    }

    private String join(List<Map<String, Object>> filters, String operator) {
        if (filters.isEmpty()) {
            return "true";
        }
        List<String> parts = filters.stream().map(this::object).toList();
        return "(" + String.join(operator, parts) + ")";
    }

    private String field(String path, Map<String, Object> operators) {
        List<String> parts = new ArrayList<>();
        operators.forEach((operator, value) -> {
            if (value == null) {
                return;
            }
            parts.add(switch (operator) {
                case "eq" -> path + " = " + parameter(value);
                case "ne" -> path + " != " + parameter(value);
                case "gt" -> path + " > " + parameter(value);
                case "gte" -> path + " >= " + parameter(value);
                case "lt" -> path + " < " + parameter(value);
                case "lte" -> path + " <= " + parameter(value);
                case "in" -> "ARRAY_CONTAINS(" + parameter(value) + ", " + path + ")";
                case "contains" -> "CONTAINS(" + path + ", " + parameter(value) + ")";
                case "startsWith" -> "STARTSWITH(" + path + ", " + parameter(value) + ")";
                case "isNull" -> Boolean.TRUE.equals(value) ? "(NOT IS_DEFINED(" + path + ") OR IS_NULL(" + path + "))"
                        : "(IS_DEFINED(" + path + ") AND NOT IS_NULL(" + path + "))";
                default -> throw new InvalidQueryException("unknown filter operator " + operator);
            });
        });
        return parts.isEmpty() ? "true" : String.join(" AND ", parts);
    }

    private String parameter(Object value) {
        String name = "@p" + parameters.size();
        parameters.add(new SqlParameter(name, value instanceof java.time.temporal.TemporalAccessor time
                ? formatTime(time) : value));
        return name;
    }

    /** Dates and date-times compare as text in the stored form (ISO, fixed width). */
    private static Object formatTime(java.time.temporal.TemporalAccessor time) {
        if (time instanceof java.time.OffsetDateTime dateTime) {
            return io.sfcache.sync.RecordDocument.timestamp(dateTime.toInstant());
        }
        return time.toString();
    }
}
