package io.sfcache.sync;

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
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stores changes in order, in batches: the three steps of an object's route (sync-object.camel.yaml). {@link #read}
 * finds what is stored, with one {@code readMany} for the object's changes waiting to be read; {@link #decide} lets
 * the {@link OrderGuard} decide for this change alone; {@link #write} creates or replaces (conditional on the ETag
 * read) with one bulk request for the object's changes waiting to be written. Each change's outcome goes back to its
 * own message's flow, so a write conflict or an outage is retried, and a message completed, per message.
 *
 * <p>Nothing waits to fill a batch: while {@code sfcache.sync.batch.max-in-flight} requests of one kind are running
 * for an object, new changes queue up, and the next request takes what queued. A lone change is read and written at
 * once; a backlog goes in batches of up to {@code sfcache.sync.batch.max-size}. A record appears at most once per
 * batch: a second change of it waits for the next one.
 *
 * <p>Through the Cosmos SDK rather than Camel's azure-cosmosdb endpoint, which has neither readMany nor bulk (4.17).
 */
@Component("recordStore")
public class RecordStore {

    /** Observation (span and timer {@code sfcache_sync_store_seconds}) of one change's read, decision and write. */
    static final String STORE_OBSERVATION = "sfcache.sync.store";
    /** Exchange property: the stored record {@link #read} found; absent when there is none. */
    static final String STORED = "SfcacheStored";

    private static final String OBSERVATION = "SfcacheStoreObservation";

    private final CosmosAsyncDatabase database;
    private final OrderGuard orderGuard;
    private final DataContracts contracts;
    private final ObservationRegistry observations;
    private final MeterRegistry meters;
    private final int maxSize;
    private final int maxInFlight;
    /** How long one request may take, and a change wait for it: within the request timeout, SDK retries included. */
    private final Duration batchTimeout;

    private final Map<String, Batches> containers = new ConcurrentHashMap<>();

    public RecordStore(
            CosmosAsyncClient cosmos,
            CosmosProperties store,
            SyncProperties sync,
            OrderGuard orderGuard,
            DataContracts contracts,
            ObservationRegistry observations,
            MeterRegistry meters) {
        this.database = cosmos.getDatabase(store.getDatabase());
        this.orderGuard = orderGuard;
        this.contracts = contracts;
        this.observations = observations;
        this.meters = meters;
        this.maxSize = sync.getBatch().getMaxSize();
        this.maxInFlight = sync.getBatch().getMaxInFlight();
        this.batchTimeout = store.getRequestTimeout().multipliedBy(3);
    }

    /** Route step: the change's stored record, read in a batch, as property {@value #STORED}. */
    public void read(Exchange exchange) throws Exception {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        Observation store = Observation.createNotStarted(STORE_OBSERVATION, observations)
                .contextualName("store " + change.sobject().toLowerCase(Locale.ROOT))
                .lowCardinalityKeyValue("sobject", change.sobject())
                .start();
        exchange.setProperty(OBSERVATION, store);
        Read read = new Read(change);
        try {
            batches(change).reads.submit(read);
            exchange.setProperty(STORED, await(read));
        } catch (Exception e) {
            end(exchange, e);
            throw e;
        }
    }

    /**
     * Route step: the order guard's decision on the record read, as property {@code SfcacheDecision}; body: the
     * document to write (CREATE, REPLACE) or the one stored (REDELIVERED), else null.
     */
    public void decide(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        OrderGuard.Decision decision;
        try {
            decision = orderGuard.decide(
                    change, exchange.getProperty(STORED, ObjectNode.class), ChangeSource.of(exchange));
        } catch (RuntimeException e) {
            end(exchange, e);
            throw e;
        }
        exchange.setProperty(SyncHeaders.DECISION, decision.kind().name());
        exchange.getMessage().setBody(decision.document());
        if (!decision.kind().writes()) {
            end(exchange, null);
        }
    }

    /**
     * Route step for a CREATE or REPLACE: the body written in a batch, a replace only if the record still has the
     * ETag read. Throws what failed for this change: a write conflict (409, 412), an outage.
     */
    public void write(Exchange exchange) throws Exception {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        ObjectNode stored = exchange.getProperty(STORED, ObjectNode.class);
        Write write = new Write(
                change,
                WriteDecision.valueOf(exchange.getProperty(SyncHeaders.DECISION, String.class)),
                exchange.getMessage().getBody(ObjectNode.class),
                stored == null ? null : stored.path("_etag").asText());
        try {
            batches(change).writes.submit(write);
            await(write);
            end(exchange, null);
        } catch (Exception e) {
            end(exchange, e);
            throw e;
        }
    }

    private static void end(Exchange exchange, Throwable failure) {
        Observation store = exchange.getProperty(OBSERVATION, Observation.class);
        exchange.removeProperty(OBSERVATION);
        if (store != null) {
            if (failure != null) {
                store.error(failure);
            }
            store.stop();
        }
    }

    private Batches batches(ChangeMessage change) {
        return containers.computeIfAbsent(
                contracts.find(change.sobject()).orElseThrow().container(), Batches::new);
    }

    private <R> R await(Waiting<R> waiting) throws Exception {
        try {
            return waiting.outcome.get(batchTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            // A write may still land; the retry then finds this change stored (REDELIVERED) and announces it.
            throw new TimeoutException("No answer from Cosmos within " + batchTimeout + " for "
                    + waiting.change.sobject() + " " + waiting.id());
        }
    }

    /** One change waiting for a request, with what came of it once answered (or the failure). */
    private abstract static class Waiting<R> {
        final ChangeMessage change;
        final CompletableFuture<R> outcome = new CompletableFuture<>();

        Waiting(ChangeMessage change) {
            this.change = change;
        }

        String id() {
            return change.recordId();
        }
    }

    /** A change waiting for its stored record (null: none). */
    private static final class Read extends Waiting<ObjectNode> {
        Read(ChangeMessage change) {
            super(change);
        }
    }

    /** A change waiting for its create or replace. */
    private static final class Write extends Waiting<Void> {
        final WriteDecision kind;
        final ObjectNode document;
        final String etag;

        Write(ChangeMessage change, WriteDecision kind, ObjectNode document, String etag) {
            super(change);
            this.kind = kind;
            this.document = document;
            this.etag = etag;
        }

        CosmosItemOperation operation() {
            PartitionKey key = new PartitionKey(id());
            return switch (kind) {
                case CREATE -> CosmosBulkOperations.getCreateItemOperation(document, key, this);
                case REPLACE, UNCHANGED ->
                    CosmosBulkOperations.getReplaceItemOperation(
                            id(), document, key, new CosmosBulkItemRequestOptions().setIfMatchETag(etag), this);
                default -> throw new IllegalArgumentException(kind + " writes nothing");
            };
        }
    }

    /** The read and write batches of one container. */
    private final class Batches {

        final Batcher<Read> reads;
        final Batcher<Write> writes;

        Batches(String name) {
            CosmosAsyncContainer container = database.getContainer(name);
            DistributionSummary sizes = DistributionSummary.builder("sfcache.sync.batch.size")
                    .description("Changes read per readMany (written the same way, per bulk request)")
                    .tag("container", name)
                    .register(meters);
            this.reads = new Batcher<>(batch -> readMany(container, batch), sizes);
            this.writes = new Batcher<>(batch -> bulk(container, batch), null);
        }

        private Mono<Void> readMany(CosmosAsyncContainer container, List<Read> batch) {
            List<CosmosItemIdentity> ids = batch.stream()
                    .map(read -> new CosmosItemIdentity(new PartitionKey(read.id()), read.id()))
                    .toList();
            return container
                    .readMany(ids, ObjectNode.class)
                    .doOnNext(found -> {
                        Map<String, ObjectNode> stored = new HashMap<>();
                        found.getResults()
                                .forEach(doc ->
                                        stored.put(doc.path(RecordDocument.ID).asText(), doc));
                        batch.forEach(read -> read.outcome.complete(stored.get(read.id())));
                    })
                    .then();
        }

        private Mono<Void> bulk(CosmosAsyncContainer container, List<Write> batch) {
            return container
                    .<Write>executeBulkOperations(
                            Flux.fromIterable(batch).map(Write::operation), new CosmosBulkExecutionOptions())
                    .doOnNext(Batches::settle)
                    .then();
        }

        private static void settle(CosmosBulkOperationResponse<Write> response) {
            Write write = response.getOperation().getContext();
            if (response.getException() != null) {
                write.outcome.completeExceptionally(response.getException());
            } else if (response.getResponse().isSuccessStatusCode()) {
                write.outcome.complete(null);
            } else {
                write.outcome.completeExceptionally(new StoreWriteException(
                        response.getResponse().getStatusCode(),
                        write.kind + " of " + write.change.sobject() + " " + write.id() + " answered "
                                + response.getResponse().getStatusCode() + "/"
                                + response.getResponse().getSubStatusCode()));
            }
        }
    }

    /** Changes waiting for one kind of request to one container; each batch of them is one request. */
    private final class Batcher<T extends Waiting<?>> {

        private final Queue<T> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final Function<List<T>, Mono<Void>> request;
        private final DistributionSummary sizes;

        Batcher(Function<List<T>, Mono<Void>> request, DistributionSummary sizes) {
            this.request = request;
            this.sizes = sizes;
        }

        void submit(T waiting) {
            queue.add(waiting);
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
                List<T> batch = take();
                if (batch.isEmpty()) {
                    inFlight.decrementAndGet();
                    continue;
                }
                if (sizes != null) {
                    sizes.record(batch.size());
                }
                send(batch)
                        .doFinally(signal -> {
                            inFlight.decrementAndGet();
                            startBatches();
                        })
                        .subscribe();
            }
        }

        /** Up to max-size changes, one per record; a record's next change goes back to the queue for the next batch. */
        private List<T> take() {
            List<T> batch = new ArrayList<>();
            List<T> later = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            T next;
            while (batch.size() < maxSize && (next = queue.poll()) != null) {
                (ids.add(next.id()) ? batch : later).add(next);
            }
            queue.addAll(later);
            return batch;
        }

        private Mono<Void> send(List<T> batch) {
            return request.apply(batch)
                    .timeout(batchTimeout)
                    // A failed batch fails the changes still open; an already settled change keeps its outcome.
                    .doOnError(failure -> batch.forEach(waiting -> waiting.outcome.completeExceptionally(failure)))
                    .doOnTerminate(() -> batch.forEach(waiting -> waiting.outcome.completeExceptionally(
                            new IllegalStateException("Cosmos gave no result for " + waiting.id()))))
                    .onErrorResume(failure -> Mono.empty());
        }
    }
}
