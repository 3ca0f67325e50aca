package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.azure.CosmosProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * sfcache's bookkeeping in the {@code sync-state} container: per object the publisher's last heartbeat (which tells
 * readers how current a quiet object is even when none of its records changed, and keeps what the publisher said
 * about itself for the watchdog of every replica), and per Change Data Capture channel the replay id to resume from.
 */
@Component("syncState")
public class SyncState {

    /** Readers ask often; heartbeats come every few minutes. */
    private static final Duration CACHE = Duration.ofSeconds(5);

    /**
     * @param sentAt               when the publisher sent it; @param receivedAt when sfcache stored it
     * @param publisher            what the publisher reported about itself ({@link PublisherStatus#UNKNOWN}: nothing)
     * @param previousOutboxFailed the outbox's FAILED count in the object's previous heartbeat, if both reported one
     */
    public record Heartbeat(
            String sobject,
            Instant sentAt,
            Instant receivedAt,
            long sentSincePrevious,
            PublisherStatus publisher,
            Long previousOutboxFailed) {}

    private record Cached(Optional<Heartbeat> heartbeat, Instant readAt) {}

    private final CosmosAsyncContainer container;
    private final Clock clock;
    private final Duration timeout;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public SyncState(CosmosAsyncClient cosmos, CosmosProperties store, SyncProperties sync, Clock clock) {
        this.container = cosmos.getDatabase(store.getDatabase()).getContainer(sync.getStateContainer());
        this.clock = clock;
        this.timeout = store.getRequestTimeout();
    }

    /** Route step: the heartbeat change's sync-state document, as body. */
    public ObjectNode heartbeatDocument(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("id", id(change.sobject()));
        doc.put("sobject", change.sobject());
        doc.put("kind", "heartbeat");
        doc.put("sentAt", RecordDocument.timestamp(change.commitTime()));
        doc.put("receivedAt", RecordDocument.timestamp(clock.instant()));
        doc.put("sentSincePrevious", change.heartbeat().sentSincePrevious());
        PublisherStatus publisher = change.heartbeat().publisher();
        publisher.writeTo(doc);
        if (publisher.outboxFailed() != null) {
            previousOutboxFailed(change).ifPresent(previous -> doc.put("previousOutboxFailed", previous));
        }
        return doc;
    }

    /**
     * The FAILED count of the heartbeat stored before this one, so that a growing count can be told from a steady
     * one by any replica, also after a restart. A redelivered heartbeat keeps what its first delivery stored.
     */
    private Optional<Long> previousOutboxFailed(ChangeMessage change) {
        Instant sentAt = change.commitTime().truncatedTo(ChronoUnit.MILLIS); // as stored
        return readHeartbeat(change.sobject()).flatMap(stored -> {
            if (stored.sentAt().isBefore(sentAt)) {
                return Optional.ofNullable(stored.publisher().outboxFailed());
            }
            return stored.sentAt().equals(sentAt)
                    ? Optional.ofNullable(stored.previousOutboxFailed())
                    : Optional.empty();
        });
    }

    /** Route step (heartbeat.camel.yaml) and this class's writes: stores a sync-state document, replacing its last. */
    public void store(ObjectNode doc) {
        container.upsertItem(doc).block(timeout);
    }

    public Optional<Heartbeat> lastHeartbeat(String sobject) {
        Cached cached = cache.get(sobject);
        if (cached != null && cached.readAt().plus(CACHE).isAfter(clock.instant())) {
            return cached.heartbeat();
        }
        Optional<Heartbeat> heartbeat = readHeartbeat(sobject);
        cache.put(sobject, new Cached(heartbeat, clock.instant()));
        return heartbeat;
    }

    /** The last heartbeat as stored now, not cached: for the watchdog, which asks seldom and must not lag. */
    public Optional<Heartbeat> readHeartbeat(String sobject) {
        return document(id(sobject))
                .map(doc -> new Heartbeat(
                        sobject,
                        Instant.parse(doc.get("sentAt").asText()),
                        Instant.parse(doc.get("receivedAt").asText()),
                        doc.path("sentSincePrevious").asLong(),
                        PublisherStatus.from(doc),
                        doc.path("previousOutboxFailed").isIntegralNumber()
                                ? doc.get("previousOutboxFailed").longValue()
                                : null));
    }

    private static String id(String sobject) {
        return "heartbeat-" + sobject;
    }

    /** The Pub/Sub position after the last change event sfcache handled on a channel, if any. */
    public Optional<String> replayId(String channel) {
        return document(replayDocumentId(channel))
                .map(doc -> doc.path("replayId").asText(null));
    }

    /** Kept only after the event's changes are stored or dead-lettered: a restart resumes right after it. */
    public void saveReplayId(String channel, String replayId) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("id", replayDocumentId(channel));
        doc.put("kind", "replay");
        doc.put("channel", channel);
        doc.put("replayId", replayId);
        doc.put("savedAt", RecordDocument.timestamp(clock.instant()));
        store(doc);
    }

    /** Where the object's scheduled reconciliation got to: it reads from here (minus an overlap) next time. */
    public Optional<Instant> reconciliationCheckpoint(String sobject) {
        return document("reconcile-" + sobject)
                .map(doc -> Instant.parse(doc.get("checkpoint").asText()));
    }

    /** A sync-state document (each is its own partition), if it exists. */
    private Optional<ObjectNode> document(String id) {
        return PointRead.find(container, id, timeout);
    }

    public void saveReconciliationCheckpoint(String sobject, Instant checkpoint) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("id", "reconcile-" + sobject);
        doc.put("kind", "reconciliation");
        doc.put("sobject", sobject);
        doc.put("checkpoint", RecordDocument.timestamp(checkpoint));
        store(doc);
    }

    public void forgetReplayId(String channel) {
        String id = replayDocumentId(channel);
        try {
            container.deleteItem(id, new PartitionKey(id)).block(timeout);
        } catch (CosmosException e) {
            if (e.getStatusCode() != 404) {
                throw e;
            }
        }
    }

    private static String replayDocumentId(String channel) {
        return "replay" + channel.replace('/', '-');
    }
}
