package io.sfcache.sync;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A change message (contracts/change-message.schema.json), bound by Jackson both ways: {@link ChangeMessageReader}
 * reads it once the envelope is valid, and the paths that make change messages themselves (Change Data Capture,
 * reconciliation) write it.
 *
 * @param fields monitored field values by API name; null for deletes and heartbeats
 * @param partial {@code fields} holds only what changed (CDC): required fields are not demanded
 * @param heartbeat only for {@link ChangeType#HEARTBEAT}: what the publisher reports about itself
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "schemaVersion",
    "eventId",
    "sobject",
    "changeType",
    "recordId",
    "version",
    "commitTime",
    "fields",
    "partial",
    "heartbeat"
})
public record ChangeMessage(
        String eventId,
        String sobject,
        ChangeType changeType,
        String recordId,
        RecordVersion version,

        @JsonSerialize(using = JsonTimestamps.Write.class) @JsonDeserialize(using = JsonTimestamps.Read.class)
        Instant commitTime,

        ObjectNode fields,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean partial,
        Heartbeat heartbeat) {

    /** The envelope version this sfcache reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    @JsonProperty
    public int schemaVersion() {
        return SCHEMA_VERSION;
    }

    /**
     * The {@code heartbeat} object: the publisher's counts, and what it says about itself as properties beside them
     * ({@link PublisherStatus}).
     *
     * @param sentSincePrevious change messages the publisher sent for this object since its previous heartbeat
     * @param publisher what the publisher says about itself; {@link PublisherStatus#UNKNOWN} from older publishers
     */
    public record Heartbeat(long sentSincePrevious, Instant previousHeartbeatTime, PublisherStatus publisher) {

        public Heartbeat {
            publisher = publisher == null ? PublisherStatus.UNKNOWN : publisher;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static Heartbeat from(JsonNode heartbeat) {
            JsonNode previous = heartbeat.path("previousHeartbeatTime");
            return new Heartbeat(
                    heartbeat.path("sentSincePrevious").asLong(),
                    previous.isTextual() ? Instant.parse(previous.asText()) : null,
                    PublisherStatus.from(heartbeat));
        }

        @JsonValue
        ObjectNode toJson() {
            ObjectNode heartbeat = JsonNodeFactory.instance.objectNode();
            heartbeat.put("sentSincePrevious", sentSincePrevious);
            heartbeat.put(
                    "previousHeartbeatTime",
                    previousHeartbeatTime == null ? null : RecordDocument.timestamp(previousHeartbeatTime));
            publisher.writeTo(heartbeat);
            return heartbeat;
        }
    }
}
