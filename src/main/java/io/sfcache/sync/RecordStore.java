package io.sfcache.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.models.CosmosBulkExecutionOptions;
import com.azure.cosmos.models.CosmosBulkItemRequestOptions;
import com.azure.cosmos.models.CosmosBulkOperationResponse;
import com.azure.cosmos.models.CosmosBulkOperations;
import com.azure.cosmos.models.CosmosItemIdentity;
import com.azure.cosmos.models.CosmosItemOperation;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.contracts.DataContracts;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stores changes in order, in batches: the changes of one object waiting at the same moment are read with one
 * {@code readMany}, decided one by one by the {@link OrderGuard}, and written with one bulk request of creates and
 * replaces conditional on the ETag read. Each change's outcome goes back to its own message's flow, so a write
 * conflict or an outage is retried, and a message completed, per message as before.
 *
 * <p>Nothing waits to fill a batch: while {@code sfcache.sync.batch.max-in-flight} batches of an object are being
 * written, new changes queue up, and the next batch takes what queued. A lone change is stored at once; a backlog
 * goes in batches of up to {@code sfcache.sync.batch.max-size}. A record appears at most once per batch: a second
 * change of it waits for the next batch.
 *
 * <p>Through the Cosmos SDK rather than Camel's azure-cosmosdb endpoint, which has neither readMany nor bulk (4.17).
 */
@Component("recordStore")
public class RecordStore {

    /** Observation (span and timer {@code sfcache_sync_store_seconds}) of one change waiting for its batch. */
    static final String STORE_OBSERVATION = "sfcache.sync.store";

    private final CosmosAsyncDatabase database;
    private final OrderGuard orderGuard;
    private final DataContracts contracts;
    private final ObservationRegistry observations;
    private final MeterRegistry meters;
    private final int maxSize;
    private final int maxInFlight;
    /** How long a batch may take, and a change wait for it: readMany plus bulk, each within the request timeout. */
    private final Duration batchTimeout;
    private final Map<String, Batcher> batchers = new ConcurrentHashMap<>();

    public RecordStore(CosmosAsyncClient cosmos, CosmosProperties store, SyncProperties sync, OrderGuard orderGuard,
            DataContracts contracts, ObservationRegistry observations, MeterRegistry meters) {
        this.database = cosmos.getDatabase(store.getDatabase());
        this.orderGuard = orderGuard;
        this.contracts = contracts;
        this.observations = observations;
        this.meters = meters;
        this.maxSize = sync.getBatch().getMaxSize();
        this.maxInFlight = sync.getBatch().getMaxInFlight();
        this.batchTimeout = store.getRequestTimeout().multipliedBy(3);
    }

    /**
     * Route step: stores the exchange's change and waits for the outcome. Sets the decision property and leaves as
     * body the document written (CREATE, REPLACE) or stored (REDELIVERED), else null. Throws what failed for this
     * change: a write conflict, an outage, a change the contract store cannot take.
     */
    public void store(Exchange exchange) throws Exception {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        Pending pending = new Pending(change, ChangeSource.of(exchange));
        String container = contracts.find(change.sobject()).orElseThrow().container();
        OrderGuard.Decision decision = Observation.createNotStarted(STORE_OBSERVATION, observations)
                .contextualName("store " + change.sobject().toLowerCase(Locale.ROOT))
                .lowCardinalityKeyValue("sobject", change.sobject())
                .observeChecked(() -> {
                    batchers.computeIfAbsent(container, Batcher::new).submit(pending);
                    return await(pending);
                });
        exchange.setProperty(SyncHeaders.DECISION, decision.kind().name());
        exchange.getMessage().setBody(decision.document());
    }

    private OrderGuard.Decision await(Pending pending) throws Exception {
        try {
            return pending.outcome.get(batchTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            // The batch may still land; the retry then finds this change stored (REDELIVERED) and announces it.
            throw new TimeoutException("No answer from Cosmos within " + batchTimeout + " for " + pending.change.sobject()
                    + " " + pending.change.recordId());
        }
    }

    /** One change waiting in a batch, with the decision once it is stored (or the failure). */
    private record Pending(ChangeMessage change, ChangeSource source, CompletableFuture<OrderGuard.Decision> outcome) {
        Pending(ChangeMessage change, ChangeSource source) {
            this(change, source, new CompletableFuture<>());
        }

        String id() {
            return change.recordId();
        }
    }

    /** The queue and batches of one container. */
    private final class Batcher {

        private final CosmosAsyncContainer container;
        private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final DistributionSummary sizes;

        Batcher(String name) {
            this.container = database.getContainer(name);
            this.sizes = DistributionSummary.builder("sfcache.sync.batch.size")
                    .description("Changes stored per readMany + bulk write")
                    .tag("container", name).register(meters);
        }

        void submit(Pending pending) {
            queue.add(pending);
            startBatches();
        }

        /**
         * Starts batches while there is work and room. Called after every submit and after every batch ends: the one
         * adds then checks the room, the other frees room then checks the queue, so a change is never left waiting.
         */
        private void startBatches() {
            while (!queue.isEmpty()) {
                int running = inFlight.get();
                if (running >= maxInFlight) {
                    return;
                }
                if (!inFlight.compareAndSet(running, running + 1)) {
                    continue;
                }
                List<Pending> batch = take();
                if (batch.isEmpty()) {
                    inFlight.decrementAndGet();
                    continue;
                }
                sizes.record(batch.size());
                write(batch).doFinally(signal -> {
                    inFlight.decrementAndGet();
                    startBatches();
                }).subscribe();
            }
        }

        /** Up to max-size changes, one per record; a record's next change goes back to the queue for the next batch. */
        private List<Pending> take() {
            List<Pending> batch = new ArrayList<>();
            List<Pending> later = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            Pending next;
            while (batch.size() < maxSize && (next = queue.poll()) != null) {
                (ids.add(next.id()) ? batch : later).add(next);
            }
            queue.addAll(later);
            return batch;
        }

        private Mono<Void> write(List<Pending> batch) {
            List<CosmosItemIdentity> ids = batch.stream()
                    .map(p -> new CosmosItemIdentity(new PartitionKey(p.id()), p.id())).toList();
            return container.readMany(ids, ObjectNode.class)
                    .flatMap(found -> {
                        Map<String, ObjectNode> current = new HashMap<>();
                        found.getResults().forEach(doc -> current.put(doc.path(RecordDocument.ID).asText(), doc));
                        List<CosmosItemOperation> writes = decide(batch, current);
                        return writes.isEmpty() ? Mono.<Void>empty()
                                : container.<Written>executeBulkOperations(Flux.fromIterable(writes),
                                        new CosmosBulkExecutionOptions()).doOnNext(Batcher::settle).then();
                    })
                    .timeout(batchTimeout)
                    // A failed batch fails the changes still open; an already settled change keeps its outcome.
                    .doOnError(failure -> batch.forEach(p -> p.outcome.completeExceptionally(failure)))
                    .doOnTerminate(() -> batch.forEach(p -> p.outcome.completeExceptionally(
                            new IllegalStateException("Cosmos bulk gave no result for " + p.id()))))
                    .onErrorResume(failure -> Mono.empty());
        }

        /** The order guard's decision for each change; those that write become bulk operations. */
        private List<CosmosItemOperation> decide(List<Pending> batch, Map<String, ObjectNode> current) {
            List<CosmosItemOperation> writes = new ArrayList<>();
            for (Pending pending : batch) {
                try {
                    ObjectNode stored = current.get(pending.id());
                    OrderGuard.Decision decision = orderGuard.decide(pending.change(), stored, pending.source());
                    PartitionKey key = new PartitionKey(pending.id());
                    switch (decision.kind()) {
                        case CREATE -> writes.add(CosmosBulkOperations.getCreateItemOperation(decision.document(), key,
                                new Written(pending, decision)));
                        case REPLACE -> writes.add(CosmosBulkOperations.getReplaceItemOperation(pending.id(),
                                decision.document(), key,
                                new CosmosBulkItemRequestOptions().setIfMatchETag(stored.path("_etag").asText()),
                                new Written(pending, decision)));
                        default -> pending.outcome.complete(decision);
                    }
                } catch (RuntimeException e) {
                    pending.outcome.completeExceptionally(e);
                }
            }
            return writes;
        }

        private static void settle(CosmosBulkOperationResponse<Written> response) {
            Written written = response.getOperation().getContext();
            CompletableFuture<OrderGuard.Decision> outcome = written.pending().outcome();
            if (response.getException() != null) {
                outcome.completeExceptionally(response.getException());
            } else if (response.getResponse().isSuccessStatusCode()) {
                outcome.complete(written.decision());
            } else {
                outcome.completeExceptionally(new StoreWriteException(response.getResponse().getStatusCode(),
                        written.decision().kind() + " of " + written.pending().change().sobject() + " "
                                + written.pending().id() + " answered " + response.getResponse().getStatusCode()
                                + "/" + response.getResponse().getSubStatusCode()));
            }
        }
    }

    /** Bulk operation context: whose write it is and what was decided. */
    private record Written(Pending pending, OrderGuard.Decision decision) {
    }
}
