package io.sfcache.graphql;

import com.azure.cosmos.models.SqlParameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One sort field plus the record id as tie-breaker, and the keyset cursors that page through it: a cursor holds
 * the last row's sort value and id, so pages neither repeat nor skip rows while records are being written.
 * Nulls sort first ascending and last descending, as Cosmos orders them; a field missing from a stored record (one
 * stored before the field was added to the contract) sorts before null ascending and after it descending, as Cosmos
 * orders undefined, so a cursor tells the three apart: missing, null, or a value.
 */
final class Ordering {

    /** Where a page ended: the ordering, the last row's sort value ({@code missing}: the field is absent) and id. */
    record Position(String ordering, boolean missing, JsonNode value, String id) {}

    private static final JsonCursors<Position> CURSORS = new JsonCursors<>(Position.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String field;
    private final String path;
    private final boolean descending;

    private Ordering(String field, String path, boolean descending) {
        this.field = field;
        this.path = path;
        this.descending = descending;
    }

    static Ordering of(ObjectFields fields, Map<String, Object> orderBy) {
        if (orderBy == null) {
            return new Ordering(ObjectFields.ID, "c.id", false);
        }
        String value = String.valueOf(orderBy.get("field"));
        String field = fields.fromSortEnum(value);
        if (field == null) {
            throw new InvalidQueryException(fields.contract().sobject() + " has no sort field " + value);
        }
        fields.checkSortable(field);
        return new Ordering(field, fields.path(field), "DESC".equals(String.valueOf(orderBy.get("direction"))));
    }

    private String key() {
        return field + ":" + (descending ? "DESC" : "ASC");
    }

    private boolean byId() {
        return ObjectFields.ID.equals(field);
    }

    String orderBySql() {
        String direction = descending ? "DESC" : "ASC";
        return byId() ? "ORDER BY c.id " + direction : "ORDER BY " + path + " " + direction + ", c.id " + direction;
    }

    /** The same ordering after a first key, e.g. the parent's id for the children of many parents read at once. */
    String orderBySql(String firstPath) {
        return orderBySql().replaceFirst("^ORDER BY ", "ORDER BY " + firstPath + (descending ? " DESC, " : " ASC, "));
    }

    /** The opaque cursor of a row. */
    String cursor(ObjectNode doc) {
        JsonNode value = valueOf(doc);
        return CURSORS.toCursor(new Position(
                key(),
                value.isMissingNode(),
                value.isMissingNode() ? null : value,
                doc.path("id").asText()));
    }

    private JsonNode valueOf(ObjectNode doc) {
        if (byId()) {
            return doc.path("id");
        }
        if (ObjectFields.SYNCED_AT.equals(field)) {
            return doc.path("sync").path("syncedAt");
        }
        String api = path.substring("c.fields[\"".length(), path.length() - 2);
        return doc.path("fields").path(api);
    }

    /** Rows after the cursor's row in this ordering. */
    RecordFilter.Condition after(String cursor) {
        Position decoded = CURSORS.fromCursor(cursor);
        if (!key().equals(decoded.ordering())) {
            throw new InvalidQueryException(
                    "after: the cursor belongs to another ordering or list; start again " + "without it");
        }
        SqlParameter id = new SqlParameter("@afterId", decoded.id());
        String next = descending ? "<" : ">";
        if (byId()) {
            return new RecordFilter.Condition("c.id " + next + " @afterId", List.of(id));
        }
        // ascending: missing, then null, then values; descending the other way round. A missing or null field
        // compares as undefined in SQL, so each group is selected by IS_DEFINED / IS_NULL, not by comparison.
        String missing = "NOT IS_DEFINED(" + path + ")";
        String isNull = "IS_NULL(" + path + ")";
        String hasValue = "(IS_DEFINED(" + path + ") AND NOT IS_NULL(" + path + "))";
        JsonNode last = decoded.value();
        if (decoded.missing()) {
            String sql = descending
                    ? "(" + missing + " AND c.id < @afterId)"
                    : "((" + missing + " AND c.id > @afterId) OR IS_DEFINED(" + path + "))";
            return new RecordFilter.Condition(sql, List.of(id));
        }
        if (last == null || last.isNull()) {
            String sql = descending
                    ? "((" + isNull + " AND c.id < @afterId) OR " + missing + ")"
                    : "((" + isNull + " AND c.id > @afterId) OR " + hasValue + ")";
            return new RecordFilter.Condition(sql, List.of(id));
        }
        SqlParameter value = new SqlParameter("@afterValue", JSON.convertValue(last, Object.class));
        String sql = "(" + path + " " + next + " @afterValue OR (" + path + " = @afterValue AND c.id " + next
                + " @afterId)" + (descending ? " OR " + isNull + " OR " + missing : "") + ")";
        return new RecordFilter.Condition(sql, List.of(value, id));
    }
}
