package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The shape of a cached record in Cosmos (one container per object, partition key {@code /id}):
 *
 * <pre>
 * { "id": "001...", "sobject": "Account", "isDeleted": false,
 *   "fields":  { "Name": "Acme", ... },
 *   "version": { "systemModstamp": "...", "sequence": 0 },
 *   "sync":    { "eventId": "...", "changeType": "UPDATE", "commitTime": "...", "syncedAt": "...", "source": "QUEUE" } }
 * </pre>
 */
public final class RecordDocument {

    public static final String ID = "id";
    public static final String SOBJECT = "sobject";
    public static final String FIELDS = "fields";
    public static final String IS_DELETED = "isDeleted";
    public static final String VERSION = "version";
    public static final String SYNC = "sync";

    /**
     * Stored times have one fixed width (milliseconds, UTC) so that Cosmos compares and sorts them as text correctly.
     */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private RecordDocument() {}

    public static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    static ObjectNode build(
            ChangeMessage change, ObjectNode fields, boolean deleted, ChangeSource source, Instant syncedAt) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put(ID, change.recordId());
        doc.put(SOBJECT, change.sobject());
        doc.put(IS_DELETED, deleted);
        doc.set(FIELDS, fields);
        ObjectNode version = doc.putObject(VERSION);
        version.put("systemModstamp", timestamp(change.version().systemModstamp()));
        version.put("sequence", change.version().sequence());
        ObjectNode sync = doc.putObject(SYNC);
        sync.put("eventId", change.eventId());
        sync.put("changeType", change.changeType().name());
        sync.put("commitTime", timestamp(change.commitTime()));
        sync.put("syncedAt", timestamp(syncedAt));
        sync.put("source", source.name());
        return doc;
    }

    static RecordVersion version(JsonNode doc) {
        JsonNode v = doc.path(VERSION);
        if (!v.hasNonNull("systemModstamp")) {
            return null;
        }
        return new RecordVersion(
                Instant.parse(v.get("systemModstamp").asText()),
                v.path("sequence").asLong());
    }

    static String eventId(JsonNode doc) {
        return doc.path(SYNC).path("eventId").asText(null);
    }
}
