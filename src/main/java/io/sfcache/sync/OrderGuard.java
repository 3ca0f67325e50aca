package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.time.Clock;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Never lets old data overwrite new: compares a change's version with the stored record's and decides whether to
 * create, replace (conditional on the ETag that was read) or skip, and builds the document to write.
 * {@link RecordStore} runs it for each change of a batch.
 */
@Component("orderGuard")
public class OrderGuard {

    /** @param document what to write (CREATE, REPLACE, UNCHANGED) or what is stored (REDELIVERED), else null */
    public record Decision(WriteDecision kind, ObjectNode document) {}

    private final DataContracts contracts;
    private final Clock clock;

    public OrderGuard(DataContracts contracts, Clock clock) {
        this.contracts = contracts;
        this.clock = clock;
    }

    /** @param current the stored record, null when there is none */
    public Decision decide(ChangeMessage change, ObjectNode current, ChangeSource source) {
        if (current == null) {
            return new Decision(WriteDecision.CREATE, document(change, null, source));
        }
        RecordVersion stored = RecordDocument.version(current);
        if (change.version().isNewerThan(stored)) {
            ObjectNode next = document(change, current, source);
            if (sameContent(next, current)) {
                // Still written (the version only), so a change between the two that arrives late is STALE and cannot
                // bring back fields this newer one says are gone. Not announced: the stored event id stays the one
                // that announced these fields, so each change is announced once whichever paths brought it.
                ((ObjectNode) next.path(RecordDocument.SYNC)).put("eventId", RecordDocument.eventId(current));
                return new Decision(WriteDecision.UNCHANGED, next);
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
        return next.path(RecordDocument.IS_DELETED).asBoolean()
                        == current.path(RecordDocument.IS_DELETED).asBoolean()
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
                ? stored.deepCopy()
                : JsonNodeFactory.instance.objectNode();
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
