package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.azure.CosmosProperties;
import java.time.Duration;
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

    private final CosmosAsyncContainer container;
    private final ObjectMapper json;
    private final Duration timeout;

    AlarmDocuments(CosmosAsyncClient cosmos, CosmosProperties store, SyncProperties sync, ObjectMapper json) {
        this.container = cosmos.getDatabase(store.getDatabase()).getContainer(sync.getStateContainer());
        this.json = json;
        this.timeout = store.getRequestTimeout();
    }

    @Override
    public Optional<ObjectAlarms.Stored> read(String sobject) {
        return PointRead.find(container, id(sobject), timeout).map(doc -> {
            List<ObjectAlarms.Alarm> alarms = new ArrayList<>();
            doc.path("alarms").forEach(node -> alarms.add(alarm(node)));
            return new ObjectAlarms.Stored(alarms, doc.path("_etag").asText());
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
        try {
            if (etag == null) {
                container.createItem(doc).block(timeout);
            } else {
                container
                        .replaceItem(
                                doc,
                                id(sobject),
                                new PartitionKey(id(sobject)),
                                new CosmosItemRequestOptions().setIfMatchETag(etag))
                        .block(timeout);
            }
            return true;
        } catch (CosmosException e) {
            if (e.getStatusCode() == 409 || e.getStatusCode() == 412) {
                return false; // another replica wrote first: read again
            }
            throw e;
        }
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
