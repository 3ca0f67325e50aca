package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.cosmos.CosmosStandinExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * The batched store on the real Cosmos SDK against the Cosmos stand-in: readMany and bulk conditional writes. The
 * pipeline tests cover it end to end; these pin down batching and the write races a batch must not lose.
 */
@ExtendWith(CosmosStandinExtension.class)
class RecordStoreTest {

    private static final ObjectMapper JSON = Jackson2ObjectMapperBuilder.json().build();
    private static final CosmosProperties COSMOS = new CosmosProperties();
    private static final SyncProperties SYNC = new SyncProperties();
    private static final DataContracts CONTRACTS =
            new DataContracts(SYNC.getObjects(), SYNC.getContractsLocation(), new DefaultResourceLoader(), JSON);
    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();

    private static CosmosAsyncClient cosmos;
    private static CosmosAsyncContainer accounts;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    private final ChangeMessageReader reader =
            new ChangeMessageReader(JSON, new ContractValidator(CONTRACTS, ObservationRegistry.NOOP), CONTRACTS, SYNC);
    private final FailureClassifier classifier = new FailureClassifier();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void containers(CosmosStandin standin) {
        COSMOS.setDatabase("record-store-" + UUID.randomUUID());
        cosmos = standin.newClientBuilder().buildAsyncClient();
        new SyncContainers(cosmos, COSMOS, SYNC, CONTRACTS).afterPropertiesSet();
        accounts = cosmos.getDatabase(COSMOS.getDatabase()).getContainer("account");
    }

    @AfterAll
    static void close() {
        cosmos.close();
    }

    @Test
    void concurrentChangesAreStoredInBatchesAndTheNewestVersionOfEachRecordWins() throws Exception {
        RecordStore store = store(new OrderGuard(CONTRACTS, Clock.systemUTC()));
        List<ChangeMessageBuilder> changes = new ArrayList<>();
        List<SalesforceRecord> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            SalesforceRecord account = messages.account();
            records.add(account);
            changes.add(account.create());
            changes.add(account.update().field("Name", "Second " + i));
            changes.add(account.update().field("Name", "Third " + i));
        }
        Collections.shuffle(changes, new Random(11));
        AtomicInteger conflicts = new AtomicInteger();

        ExecutorService consumers = Executors.newFixedThreadPool(32);
        try {
            List<Future<WriteDecision>> outcomes = new ArrayList<>();
            // As the route does: a write conflict runs the change again from a fresh read.
            changes.forEach(change -> outcomes.add(consumers.submit(() -> {
                while (true) {
                    try {
                        return store(store, change).kind();
                    } catch (Exception e) {
                        assertThat(classifier.isWriteConflict(e)).as("%s", e).isTrue();
                        conflicts.incrementAndGet();
                    }
                }
            })));
            for (Future<WriteDecision> outcome : outcomes) {
                assertThat(outcome.get()).isIn(WriteDecision.CREATE, WriteDecision.REPLACE, WriteDecision.STALE);
            }
        } finally {
            consumers.shutdownNow();
        }

        for (int i = 0; i < records.size(); i++) {
            String id = records.get(i).id();
            ObjectNode stored = accounts.readItem(id, new PartitionKey(id), ObjectNode.class)
                    .block()
                    .getItem();
            assertThat(stored.path("fields").path("Name").asText()).as(id).isEqualTo("Third " + i);
        }
        DistributionSummary batches = meters.get("sfcache.sync.batch.size").summary();
        assertThat(batches.totalAmount())
                .as("every attempt went through a batch")
                .isEqualTo(changes.size() + conflicts.get());
        assertThat(batches.max())
                .as("changes waiting together are written together")
                .isGreaterThan(1);
        assertThat(batches.max()).isLessThanOrEqualTo(SYNC.getBatch().getMaxSize());
    }

    @Test
    void aRecordReplacedBetweenTheReadAndTheBulkWriteIsAConflictAndTheRetryKeepsTheNewer() throws Exception {
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();
        ChangeMessageBuilder second = account.update().field("Name", "From this replica");
        ChangeMessageBuilder third = account.update().field("Name", "From the other replica");
        RecordStore plain = store(new OrderGuard(CONTRACTS, Clock.systemUTC()));
        store(plain, create);
        // Another replica stores a newer change after this one read the record and before it writes.
        RecordStore racing = store(competingWriteOnce(third));

        assertThatThrownBy(() -> store(racing, second))
                .isInstanceOf(StoreWriteException.class)
                .satisfies(e -> assertThat(classifier.isWriteConflict(e)).isTrue())
                .hasMessageContaining("412");
        assertThat(store(racing, second).kind())
                .as("run again from a fresh read")
                .isEqualTo(WriteDecision.STALE);
        assertThat(nameOf(account)).isEqualTo("From the other replica");
    }

    @Test
    void aRecordCreatedBetweenTheReadAndTheBulkWriteIsAConflict() throws Exception {
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();
        ChangeMessageBuilder update = account.update().field("Name", "Newer");
        RecordStore racing = store(competingWriteOnce(create));
        // (the competitor stores the older create: the retry must still apply the update on top of it)

        assertThatThrownBy(() -> store(racing, update))
                .satisfies(e ->
                        assertThat(classifier.isWriteConflict(e)).as("%s", e).isTrue())
                .hasMessageContaining("409");
        assertThat(store(racing, update).kind()).isEqualTo(WriteDecision.REPLACE);
        assertThat(nameOf(account)).isEqualTo("Newer");
    }

    private RecordStore store(OrderGuard guard) {
        return new RecordStore(cosmos, COSMOS, SYNC, guard, CONTRACTS, ObservationRegistry.NOOP, meters);
    }

    /** An order guard that, the first time it decides, has another writer store {@code competitor} first. */
    private OrderGuard competingWriteOnce(ChangeMessageBuilder competitor) {
        RecordStore other = store(new OrderGuard(CONTRACTS, Clock.systemUTC()));
        AtomicBoolean done = new AtomicBoolean();
        return new OrderGuard(CONTRACTS, Clock.systemUTC()) {
            @Override
            public Decision decide(ChangeMessage change, ObjectNode current, ChangeSource source) {
                Decision decision = super.decide(change, current, source);
                if (done.compareAndSet(false, true)) {
                    try {
                        store(other, competitor);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return decision;
            }
        };
    }

    private OrderGuard.Decision store(RecordStore store, ChangeMessageBuilder change) throws Exception {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setBody(change.toJson().getBytes(StandardCharsets.UTF_8));
        exchange.setProperty(SyncHeaders.CHANGE, reader.read(exchange));
        // As the store step of sync-object.camel.yaml: read, decide, and write what the decision writes.
        store.read(exchange);
        store.decide(exchange);
        WriteDecision decision = WriteDecision.valueOf(exchange.getProperty(SyncHeaders.DECISION, String.class));
        if (decision.writes()) {
            store.write(exchange);
        }
        return new OrderGuard.Decision(decision, exchange.getMessage().getBody(ObjectNode.class));
    }

    private String nameOf(SalesforceRecord account) {
        return accounts.readItem(account.id(), new PartitionKey(account.id()), ObjectNode.class)
                .block()
                .getItem()
                .path("fields")
                .path("Name")
                .asText();
    }
}
