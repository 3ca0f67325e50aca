package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Where {@link ObjectAlarms} keeps each object's alarms: one {@code alarms-<object>} document in sync-state, shared by
 * every replica (the detectors of all of them raise, the leader repairs, all readers see), replaced only if nobody
 * changed it since it was read (ETag), so two replicas never overwrite each other.
 */
@Component
class AlarmDocuments implements ObjectAlarms.Store {

    private final StateDocuments documents;
    private final ObjectMapper json;

    AlarmDocuments(StateDocuments documents, ObjectMapper json) {
        this.documents = documents;
        this.json = json;
    }

    @Override
    public Optional<ObjectAlarms.Stored> read(String sobject) {
        return documents.read(id(sobject)).map(stored -> {
            List<ObjectAlarms.Alarm> alarms = new ArrayList<>();
            stored.document().path("alarms").forEach(node -> alarms.add(alarm(node)));
            return new ObjectAlarms.Stored(alarms, stored.etag());
        });
    }

    @Override
    public boolean write(String sobject, List<ObjectAlarms.Alarm> alarms, String etag) {
        ObjectNode doc = json.createObjectNode();
        doc.put("id", id(sobject));
        doc.put("kind", "alarms");
        doc.put("sobject", sobject);
        ArrayNode list = doc.putArray("alarms");
        alarms.forEach(alarm -> list.add(json.valueToTree(alarm)));
        return documents.write(doc, etag); // false: another replica wrote first, read again
    }

    private ObjectAlarms.Alarm alarm(JsonNode node) {
        try {
            return json.treeToValue(node, ObjectAlarms.Alarm.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("alarm document not readable: " + node, e);
        }
    }

    private static String id(String sobject) {
        return "alarms-" + sobject;
    }
}
