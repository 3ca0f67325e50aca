package io.sfcache.local;

import io.sfcache.fixtures.RecordVersion;
import io.sfcache.fixtures.SObjectType;

/**
 * One message the simulated publisher sends.
 *
 * @param messageId Service Bus MessageId: the eventId (a re-delivery keeps the original's)
 * @param body      the JSON body (for some invalid messages, not JSON at all)
 * @param sobject   the object the message is about, when the body names a known one
 * @param recordId  null for heartbeats and invalid messages
 * @param version   null for heartbeats and invalid messages
 */
record Outgoing(
        Kind kind,
        String messageId,
        String body,
        SObjectType sobject,
        String changeType,
        String recordId,
        RecordVersion version) {

    enum Kind {
        /** A change sent when it happened. */
        CHANGE,
        /** Breaks the envelope or a data contract. */
        INVALID,
        /** An older message of a record sent again, same eventId, after a newer one (a Service Bus re-delivery). */
        REDELIVERED,
        /** An older change of a record, own eventId, that arrives after a newer change (publishers racing). */
        LATE,
        HEARTBEAT
    }

    boolean outOfOrder() {
        return kind == Kind.REDELIVERED || kind == Kind.LATE;
    }

    /** Counts towards the object's next heartbeat: what the publisher itself sent, not what the broker repeated. */
    boolean countsForHeartbeat() {
        return sobject != null && kind != Kind.REDELIVERED && kind != Kind.HEARTBEAT;
    }
}
