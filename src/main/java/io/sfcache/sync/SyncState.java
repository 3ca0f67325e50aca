package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.azure.CosmosProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * sfcache's bookkeeping in the {@code sync-state} container: per object the publisher's last heartbeat (which tells
 * readers how current a quiet object is even when none of its records changed, and keeps what the publisher said
 * about itself for the watchdog of every replica, and what it claims to have sent), each replica's count of what it
 * received of those claims, and per Change Data Capture channel the replay id to resume from.
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
            Long previousOutboxFailed,
            List<Claim> claims) {}

    /**
     * A heartbeat's claim: the publisher sent {@code sent} change messages committed in {@code (from, to]}. The last
     * {@value #CLAIMS_KEPT} are kept, newest first, so every replica can count its share of each.
     *
     * @param storedAt when a replica stored the claim (our clock): settling waits from here, so every replica's
     *                 watchdog has had the claim to count against, whatever the publisher's clock says
     */
    public record Claim(Instant from, Instant to, long sent, Instant storedAt) {}

    private static final int CLAIMS_KEPT = 4;

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
        doc.set("claims", claims(change));
        return doc;
    }

    /** This heartbeat's claim first, then those of the heartbeats stored before it (a redelivery keeps its own). */
    private ArrayNode claims(ChangeMessage change) {
        ArrayNode claims = JsonNodeFactory.instance.arrayNode();
        Instant sentAt = change.commitTime().truncatedTo(ChronoUnit.MILLIS);
        Optional<ObjectNode> stored = document(id(change.sobject()));
        if (stored.isPresent()
                && Instant.parse(stored.get().get("sentAt").asText()).equals(sentAt)) {
            return stored.get().path("claims").isArray()
                    ? (ArrayNode) stored.get().get("claims")
                    : claims;
        }
        Instant from = change.heartbeat().previousHeartbeatTime();
        if (from != null) {
            ObjectNode claim = claims.addObject();
            claim.put("from", RecordDocument.timestamp(from));
            claim.put("to", RecordDocument.timestamp(change.commitTime()));
            claim.put("sent", change.heartbeat().sentSincePrevious());
            claim.put("storedAt", RecordDocument.timestamp(clock.instant()));
        }
        stored.filter(doc -> Instant.parse(doc.get("sentAt").asText()).isBefore(sentAt))
                .ifPresent(doc -> doc.path("claims").forEach(claim -> {
                    if (claims.size() < CLAIMS_KEPT) {
                        claims.add(claim);
                    }
                }));
        return claims;
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
                                : null,
                        claims(doc)));
    }

    private static List<Claim> claims(ObjectNode doc) {
        List<Claim> claims = new ArrayList<>();
        doc.path("claims").forEach(claim -> {
            Instant to = Instant.parse(claim.get("to").asText());
            claims.add(new Claim(
                    Instant.parse(claim.get("from").asText()),
                    to,
                    claim.path("sent").asLong(),
                    // claims stored before storedAt existed: their end, as then
                    claim.hasNonNull("storedAt")
                            ? Instant.parse(claim.get("storedAt").asText())
                            : to));
        });
        return claims;
    }

    /**
     * This replica's count of the change messages it received that were committed in a claim's interval (ending at
     * {@code to}): one document per replica and claim, so replicas never write the same one.
     */
    public void saveReceived(String sobject, Instant to, String replica, long count) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("id", receivedId(sobject, to, replica));
        doc.put("kind", "received");
        doc.put("sobject", sobject);
        doc.put("to", RecordDocument.timestamp(to));
        doc.put("replica", replica);
        doc.put("count", count);
        store(doc);
    }

    /** What every replica received of a claim's messages. */
    public long receivedByAll(String sobject, Instant to) {
        SqlQuerySpec query = new SqlQuerySpec(
                "SELECT VALUE c[\"count\"] FROM c WHERE c.kind = 'received' AND c.sobject = @sobject AND c.to = @to",
                List.of(new SqlParameter("@sobject", sobject), new SqlParameter("@to", RecordDocument.timestamp(to))));
        List<Long> counts = container
                .queryItems(query, new CosmosQueryRequestOptions(), Long.class)
                .collectList()
                .block(timeout);
        return counts == null ? 0 : counts.stream().mapToLong(Long::longValue).sum();
    }

    /** This replica's count of a claim no heartbeat lists any more: every replica settled it long ago. */
    public void forgetReceived(String sobject, Instant to, String replica) {
        String id = receivedId(sobject, to, replica);
        try {
            container.deleteItem(id, new PartitionKey(id)).block(timeout);
        } catch (CosmosException e) {
            if (e.getStatusCode() != 404) {
                throw e;
            }
        }
    }

    private static String receivedId(String sobject, Instant to, String replica) {
        return "received-" + sobject + "-" + to.toEpochMilli() + "-" + replica;
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
