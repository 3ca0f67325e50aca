package io.sfcache.sync;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A parsed, envelope-valid change message (contracts/change-message.schema.json).
 *
 * @param fields monitored field values by API name; null for deletes and heartbeats
 * @param partial {@code fields} holds only what changed (CDC): required fields are not demanded
 * @param heartbeat only for {@link ChangeType#HEARTBEAT}: what the publisher reports about itself
 */
public record ChangeMessage(
        String eventId,
        String sobject,
        ChangeType changeType,
        String recordId,
        RecordVersion version,
        Instant commitTime,
        ObjectNode fields,
        boolean partial,
        Heartbeat heartbeat) {

    /**
     * @param sentSincePrevious change messages the publisher sent for this object since its previous heartbeat
     * @param publisher what the publisher says about itself; {@link PublisherStatus#UNKNOWN} from older publishers
     */
    public record Heartbeat(long sentSincePrevious, Instant previousHeartbeatTime, PublisherStatus publisher) {

        public Heartbeat {
            publisher = publisher == null ? PublisherStatus.UNKNOWN : publisher;
        }
    }
}
