package io.sfcache.sync;

import java.time.Clock;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.azure.cosmosdb.CosmosDbOperationsDefinition;
import org.springframework.stereotype.Component;

import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Never lets old data overwrite new: compares a change's version with the stored record's and decides whether to
 * create, replace (conditional on the ETag that was read) or skip, and builds the document to write.
 */
@Component("orderGuard")
public class OrderGuard {

    static final String COSMOS_OPERATION = "CamelAzureCosmosDbOperation";
    static final String COSMOS_ITEM_ID = "CamelAzureCosmosDbItemId";
    static final String COSMOS_PARTITION_KEY = "CamelAzureCosmosDbItemPartitionKey";
    static final String COSMOS_REQUEST_OPTIONS = "CamelAzureCosmosDbItemRequestOptions";
    static final String COSMOS_ETAG = "CamelAzureCosmosDbEtag";

    /** @param document what to write (CREATE, REPLACE) or what is stored (REDELIVERED), else null */
    public record Decision(WriteDecision kind, ObjectNode document) {
    }

    private final ObjectMapper json;
    private final DataContracts contracts;
    private final Clock clock;

    public OrderGuard(ObjectMapper json, DataContracts contracts, Clock clock) {
        this.json = json;
        this.contracts = contracts;
        this.clock = clock;
    }

    /** Sets up the point read of the stored record. */
    public void prepareRead(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        exchange.getMessage().setHeader(COSMOS_ITEM_ID, change.recordId());
        // The component wants the key's value as text (it builds the PartitionKey itself).
        exchange.getMessage().setHeader(COSMOS_PARTITION_KEY, change.recordId());
        // A retry of this flow must not inherit the previous attempt's write settings.
        exchange.getMessage().removeHeader(COSMOS_REQUEST_OPTIONS);
        exchange.getMessage().removeHeader(COSMOS_OPERATION);
        exchange.getMessage().setBody(null);
    }

    /** Body in: the stored record (absent when not found). Body out: the document to write or publish. */
    public void decide(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        ChangeSource source = ChangeSource.of(exchange);
        Object body = exchange.getMessage().getBody();
        ObjectNode current = body == null ? null : json.valueToTree(body);
        Decision decision = decide(change, current, source);
        var message = exchange.getMessage();
        exchange.setProperty(SyncHeaders.DECISION, decision.kind().name());
        message.setBody(decision.document());
        if (decision.kind() == WriteDecision.CREATE) {
            // The component's enum, not its name: converting text to it costs a converter-registry search each time.
            message.setHeader(COSMOS_OPERATION, CosmosDbOperationsDefinition.createItem);
        } else if (decision.kind() == WriteDecision.REPLACE) {
            message.setHeader(COSMOS_OPERATION, CosmosDbOperationsDefinition.replaceItem);
            message.setHeader(COSMOS_REQUEST_OPTIONS, new CosmosItemRequestOptions()
                    .setIfMatchETag(current.path("_etag").asText(message.getHeader(COSMOS_ETAG, String.class))));
        }
    }

    Decision decide(ChangeMessage change, ObjectNode current, ChangeSource source) {
        if (current == null) {
            return new Decision(WriteDecision.CREATE, document(change, null, source));
        }
        RecordVersion stored = RecordDocument.version(current);
        if (change.version().isNewerThan(stored)) {
            ObjectNode next = document(change, current, source);
            if (sameContent(next, current)) {
                return new Decision(WriteDecision.UNCHANGED, null);
            }
            return new Decision(WriteDecision.REPLACE, next);
        }
        if (change.version().compareTo(stored) < 0) {
            return new Decision(WriteDecision.STALE, null);
        }
        if (change.eventId().equals(RecordDocument.eventId(current))) {
            return new Decision(WriteDecision.REDELIVERED, current);
        }
        return new Decision(WriteDecision.DUPLICATE, null);
    }

    private static boolean sameContent(ObjectNode next, ObjectNode current) {
        return next.path(RecordDocument.IS_DELETED).asBoolean() == current.path(RecordDocument.IS_DELETED).asBoolean()
                && next.path(RecordDocument.FIELDS).equals(NUMBERS_BY_VALUE, current.path(RecordDocument.FIELDS));
    }

    /** 1200000 and 1200000.0 are the same amount, however JSON wrote them. */
    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    /**
     * Fields a change leaves out keep their stored value and null clears one; fields outside the contract are not
     * stored. A delete keeps the last fields as a tombstone so readers and reconciliation see it.
     */
    private ObjectNode document(ChangeMessage change, ObjectNode current, ChangeSource source) {
        ObjectNode fields = current != null && current.get(RecordDocument.FIELDS) instanceof ObjectNode stored
                ? stored.deepCopy() : JsonNodeFactory.instance.objectNode();
        DataContract contract = contracts.find(change.sobject()).orElseThrow();
        if (change.fields() != null) {
            for (Map.Entry<String, JsonNode> field : change.fields().properties()) {
                if (contract.declares(field.getKey())) {
                    fields.set(field.getKey(), field.getValue());
                }
            }
        }
        // Every contract field is present (null when unknown), also after a field is added to the contract: readers
        // sort and filter on null without Cosmos's separate "undefined" ordering.
        contract.fields().keySet().forEach(name -> fields.putIfAbsent(name, JsonNodeFactory.instance.nullNode()));
        boolean deleted = change.changeType() == ChangeType.DELETE;
        return RecordDocument.build(change, fields, deleted, source, clock.instant());
    }
}
