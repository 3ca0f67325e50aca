package io.sfcache.graphql;

import com.azure.cosmos.models.SqlParameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a GraphQL filter ({@code {and:[...], name:{startsWith:"Ac"}, annualRevenue:{gte:1e6}}}) into a Cosmos SQL
 * condition. Values only ever travel as parameters; field names are checked against the contract first.
 *
 * <p>Every condition is true or false for every record, never undefined: a field that is null or missing matches
 * {@code isNull: true} and {@code ne}, and no other operator, and {@code not} matches exactly what its filter does
 * not. Cosmos itself compares null, missing values and values of another type as undefined, and NOT undefined is
 * undefined (https://learn.microsoft.com/azure/cosmos-db/nosql/query/equality-comparison-operators): left as plain
 * comparisons, {@code not: {industry: {eq: "Energy"}}} and {@code industry: {ne: "Energy"}} would both leave out
 * the records without an industry. So each comparison first checks the field holds a value of the compared type.
 */
final class RecordFilter {

    /** A piece of WHERE clause and the parameters it uses. */
    record Condition(String sql, List<SqlParameter> parameters) {
        static final Condition TRUE = new Condition("true", List.of());
    }

    private static final Map<String, String> COMPARISONS = Map.of("gt", ">", "gte", ">=", "lt", "<", "lte", "<=");

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
                case "or" ->
                    parts.add(
                            ((List<?>) value).isEmpty()
                                    ? "false" // none of no alternatives, as in: []
                                    : join((List<Map<String, Object>>) value, " OR "));
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
            parts.add(
                    switch (operator) {
                        case "eq" -> typed(path, value, path + " = " + parameter(value, operator));
                        case "ne" -> "NOT " + typed(path, value, path + " = " + parameter(value, operator));
                        case "gt", "gte", "lt", "lte" ->
                            typed(
                                    path,
                                    value,
                                    path + " " + COMPARISONS.get(operator) + " " + parameter(value, operator));
                        case "in" ->
                            ((List<?>) value).isEmpty()
                                    ? "false"
                                    : typed(
                                            path,
                                            ((List<?>) value).get(0),
                                            "ARRAY_CONTAINS(" + parameter(value, operator) + ", " + path + ")");
                        case "contains" ->
                            typed(path, "", "CONTAINS(" + path + ", " + parameter(value, operator) + ")");
                        case "startsWith" ->
                            typed(path, "", "STARTSWITH(" + path + ", " + parameter(value, operator) + ")");
                        case "isNull" ->
                            Boolean.TRUE.equals(value)
                                    ? "(NOT IS_DEFINED(" + path + ") OR IS_NULL(" + path + "))"
                                    : "(IS_DEFINED(" + path + ") AND NOT IS_NULL(" + path + "))";
                        default -> throw new InvalidQueryException("unknown filter operator " + operator);
                    });
        });
        return parts.isEmpty() ? "true" : String.join(" AND ", parts);
    }

    /** {@code comparison}, only where the field holds a value of the type of {@code value}; false elsewhere. */
    private static String typed(String path, Object value, String comparison) {
        String isType = value instanceof Number ? "IS_NUMBER" : value instanceof Boolean ? "IS_BOOL" : "IS_STRING";
        return "(" + isType + "(" + path + ") AND " + comparison + ")";
    }

    private String parameter(Object value, String operator) {
        String name = "@p" + parameters.size();
        parameters.add(new SqlParameter(
                name, value instanceof java.time.temporal.TemporalAccessor time ? formatTime(time, operator) : value));
        return name;
    }

    /**
     * Dates and date-times compare as text in the stored form (ISO, fixed width, date-times to the millisecond). A
     * finer date-time is rounded to the millisecond that keeps the comparison exact for stored times: down for
     * {@code gt} and {@code lte}, up for {@code gte} and {@code lt} (a record at .000 is not {@code gte .0005}).
     */
    private static Object formatTime(java.time.temporal.TemporalAccessor time, String operator) {
        if (time instanceof java.time.OffsetDateTime dateTime) {
            java.time.Instant instant = dateTime.toInstant();
            java.time.Instant millis = instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            boolean up = !millis.equals(instant) && ("gte".equals(operator) || "lt".equals(operator));
            return io.sfcache.sync.RecordDocument.timestamp(up ? millis.plusMillis(1) : millis);
        }
        return time.toString();
    }
}
