package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * What a heartbeat says about the publisher itself (the optional properties of the change message's
 * {@code heartbeat} object). Every component is null when the publisher did not say: older publishers send none of
 * them, and an unknown value is never taken for a bad one. The same property names are kept in the stored heartbeat
 * document (sync-state), so {@link #from} reads both.
 *
 * @param publishingEnabled   the publisher's switch (Sfcache_Setting__mdt.Publishing_Enabled__c)
 * @param triggerActive       the object's publishing trigger and the change dispatcher are running
 * @param outboxPending       outbox messages waiting for a retry (Sfcache_Outbox__c, PENDING)
 * @param outboxFailed        outbox messages that gave up (FAILED)
 * @param oldestPendingTime   creation time of the oldest PENDING outbox message; null also when none is pending
 * @param failedSincePrevious send attempts that failed since the previous heartbeat
 * @param lastSentTime        when a change message of the object last reached Service Bus
 * @param unpublishedSince    changes since this time were not published (no governor-limit room to hand them off)
 */
public record PublisherStatus(
        Boolean publishingEnabled,
        Boolean triggerActive,
        Long outboxPending,
        Long outboxFailed,
        Instant oldestPendingTime,
        Long failedSincePrevious,
        Instant lastSentTime,
        Instant unpublishedSince) {

    /** An older publisher's heartbeat: nothing said. */
    public static final PublisherStatus UNKNOWN = new PublisherStatus(null, null, null, null, null, null, null, null);

    /** Reads the properties from a heartbeat object (envelope-valid) or a stored heartbeat document. */
    public static PublisherStatus from(JsonNode node) {
        if (node == null) {
            return UNKNOWN;
        }
        return new PublisherStatus(
                bool(node, "publishingEnabled"),
                bool(node, "triggerActive"),
                count(node, "outboxPending"),
                count(node, "outboxFailed"),
                time(node, "oldestPendingTime"),
                count(node, "failedSincePrevious"),
                time(node, "lastSentTime"),
                time(node, "unpublishedSince"));
    }

    /** Writes the values the publisher reported, under the same names; unknown ones are left out. */
    public void writeTo(ObjectNode doc) {
        put(doc, "publishingEnabled", publishingEnabled);
        put(doc, "triggerActive", triggerActive);
        put(doc, "outboxPending", outboxPending);
        put(doc, "outboxFailed", outboxFailed);
        put(doc, "oldestPendingTime", oldestPendingTime);
        put(doc, "failedSincePrevious", failedSincePrevious);
        put(doc, "lastSentTime", lastSentTime);
        put(doc, "unpublishedSince", unpublishedSince);
    }

    /** True when the publisher said nothing about itself (an older publisher). Not a bean getter: not in JSON. */
    public boolean saidNothing() {
        return equals(UNKNOWN);
    }

    private static Boolean bool(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isBoolean() ? value.booleanValue() : null;
    }

    private static Long count(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isIntegralNumber() ? value.longValue() : null;
    }

    private static Instant time(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isTextual() ? Instant.parse(value.asText()) : null;
    }

    private static void put(ObjectNode doc, String name, Object value) {
        if (value instanceof Boolean b) {
            doc.put(name, b);
        } else if (value instanceof Long l) {
            doc.put(name, l);
        } else if (value instanceof Instant i) {
            doc.put(name, RecordDocument.timestamp(i));
        }
    }
}
