package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The Event Hubs event announcing a stored change, built from the stored document so a redelivery publishes the
 * very same event (same event id, same synced-at) and consumers can de-duplicate on eventId.
 */
@Component("recordEvents")
public class RecordEvents {

    static final String PARTITION_KEY = "CamelAzureEventHubsPartitionKey";

    private final ObjectMapper json;

    public RecordEvents(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Body in: the stored record. Body out: the event as JSON text, partitioned by record id. Every header becomes
     * an event property, so the route clears them first and this sets the few consumers may filter on.
     */
    public void toEvent(Exchange exchange) {
        JsonNode doc = json.valueToTree(exchange.getMessage().getBody());
        ObjectNode event = event(doc);
        var message = exchange.getMessage();
        message.setHeader(PARTITION_KEY, event.get("recordId").asText());
        message.setHeader("sfcacheEventId", event.get("eventId").asText());
        message.setHeader("sfcacheObject", event.get("sobject").asText());
        message.setHeader("sfcacheChangeType", event.get("changeType").asText());
        message.setBody(event.toString());
    }

    static ObjectNode event(JsonNode doc) {
        JsonNode sync = doc.path(RecordDocument.SYNC);
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("eventId", sync.path("eventId").asText());
        event.put("sobject", doc.path(RecordDocument.SOBJECT).asText());
        event.put("recordId", doc.path(RecordDocument.ID).asText());
        event.put("changeType", sync.path("changeType").asText());
        event.set("version", doc.path(RecordDocument.VERSION).deepCopy());
        event.put("isDeleted", doc.path(RecordDocument.IS_DELETED).asBoolean());
        event.put("commitTime", sync.path("commitTime").asText());
        event.put("syncedAt", sync.path("syncedAt").asText());
        event.put("source", sync.path("source").asText());
        return event;
    }
}
