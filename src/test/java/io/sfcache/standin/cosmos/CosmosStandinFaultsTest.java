package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosDatabase;
import com.azure.cosmos.CosmosEndToEndOperationLatencyPolicyConfigBuilder;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.ThrottlingRetryOptions;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.sfcache.standin.cosmos.CosmosStandin.FaultMode;
import io.sfcache.standin.cosmos.CosmosStandin.FaultState;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The stand-in's fault switch, seen through the real Java SDK: what the sync pipeline's
 * reliability tests will rely on. The clients bound each operation to a few seconds (end-to-end
 * timeout), so a stand-in that hung instead of failing would show as a 408, not as the 503 asserted.
 */
class CosmosStandinFaultsTest {

    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(5);

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Doc(String id, String pk, String name) {}

    private static CosmosStandin standin;
    private static CosmosClient client;
    private static CosmosAsyncClient asyncClient;
    private static CosmosDatabase database;

    @BeforeAll
    static void connect() {
        // A private stand-in: faults count requests, and a running sfcache in this JVM polls the shared one.
        standin = new CosmosStandin().start();
        client = standin.newClientBuilder()
                .endToEndOperationLatencyPolicyConfig(
                        new CosmosEndToEndOperationLatencyPolicyConfigBuilder(OPERATION_TIMEOUT).build())
                .buildClient();
        asyncClient = standin.newClientBuilder()
                .endToEndOperationLatencyPolicyConfig(
                        new CosmosEndToEndOperationLatencyPolicyConfigBuilder(OPERATION_TIMEOUT).build())
                .buildAsyncClient();
        String name = "standin-faults-" + UUID.randomUUID();
        client.createDatabaseIfNotExists(name);
        database = client.getDatabase(name);
    }

    @AfterEach
    void restore() {
        standin.restore(); // also after a test that failed with its fault still on
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            database.delete();
            client.close();
        }
        if (asyncClient != null) {
            asyncClient.close();
        }
        standin.close();
    }

    /** A fresh container holding one item, read once so the SDK's metadata caches are warm. */
    private CosmosContainer containerWithOneItem(TestInfo test) {
        String id = test.getTestMethod().orElseThrow().getName();
        database.createContainer(new CosmosContainerProperties(id, "/pk"));
        CosmosContainer container = database.getContainer(id);
        container.upsertItem(new Doc("before", "p", "written before the fault"));
        assertThat(container
                        .readItem("before", new PartitionKey("p"), Doc.class)
                        .getItem()
                        .name())
                .isEqualTo("written before the fault");
        return container;
    }

    @Test
    void unavailableFailsReadsAndWritesWith503AndRestoreKeepsTheData(TestInfo test) {
        CosmosContainer container = containerWithOneItem(test);

        standin.makeUnavailable();

        long start = System.nanoTime();
        CosmosException read = catchThrowableOfType(
                CosmosException.class, () -> container.readItem("before", new PartitionKey("p"), Doc.class));
        CosmosException write = catchThrowableOfType(
                CosmosException.class, () -> container.upsertItem(new Doc("during", "p", "written during the fault")));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(read).isNotNull();
        assertThat(read.getStatusCode()).isEqualTo(503);
        assertThat(read.getActivityId()).isNotBlank();
        assertThat(write).isNotNull();
        assertThat(write.getStatusCode()).isEqualTo(503);
        assertThat(elapsed).isLessThan(Duration.ofSeconds(3));
        FaultState during = standin.faults();
        assertThat(during.mode()).isEqualTo(FaultMode.UNAVAILABLE);
        assertThat(during.remaining()).isEmpty();
        assertThat(during.faultedRequests()).isGreaterThanOrEqualTo(2);

        standin.restore();

        assertThat(standin.faults().mode()).isEqualTo(FaultMode.NONE);
        assertThat(container
                        .readItem("before", new PartitionKey("p"), Doc.class)
                        .getItem()
                        .name())
                .isEqualTo("written before the fault");
        CosmosException notWritten = catchThrowableOfType(
                CosmosException.class, () -> container.readItem("during", new PartitionKey("p"), Doc.class));
        assertThat(notWritten.getStatusCode()).isEqualTo(404);
        assertThat(container.upsertItem(new Doc("after", "p", "written after")).getStatusCode())
                .isEqualTo(201);
    }

    @Test
    void hangHoldsRequestsUntilTheClientsDeadlineAndRestoreServesAgain(TestInfo test) {
        CosmosContainer container = containerWithOneItem(test);

        standin.hang();

        CosmosException read = catchThrowableOfType(
                CosmosException.class, () -> container.readItem("before", new PartitionKey("p"), Doc.class));
        // The SDK's end-to-end deadline ends it: 408 with sub-status 20008 (operation cancelled), not a 503.
        assertThat(read).isNotNull();
        assertThat(read.getStatusCode()).isEqualTo(408);
        assertThat(read.getSubStatusCode()).isEqualTo(20008);
        FaultState during = standin.faults();
        assertThat(during.mode()).isEqualTo(FaultMode.HANG);
        assertThat(during.faultedRequests()).isPositive();

        standin.restore();

        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(container
                                .readItem("before", new PartitionKey("p"), Doc.class)
                                .getItem()
                                .name())
                        .isEqualTo("written before the fault"));
    }

    @Test
    void asyncOperationsAndQueriesSignal503WithinSeconds(TestInfo test) {
        containerWithOneItem(test);
        CosmosAsyncContainer container = asyncClient
                .getDatabase(database.getId())
                .getContainer(test.getTestMethod().orElseThrow().getName());
        container.readItem("before", new PartitionKey("p"), Doc.class).block(); // warm this client's caches

        standin.makeUnavailable();
        AtomicReference<Throwable> upsertError = new AtomicReference<>();
        AtomicReference<Throwable> queryError = new AtomicReference<>();
        container.upsertItem(new Doc("during", "p", "lost")).subscribe(ok -> {}, upsertError::set);
        container.queryItems("SELECT * FROM c", Doc.class).collectList().subscribe(ok -> {}, queryError::set);

        await().atMost(Duration.ofSeconds(3)).until(() -> upsertError.get() != null && queryError.get() != null);
        assertThat(upsertError.get())
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(503));
        assertThat(queryError.get())
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(503));

        standin.restore();
        assertThat(container
                        .queryItems("SELECT * FROM c", Doc.class)
                        .collectList()
                        .block())
                .extracting(Doc::id)
                .containsExactly("before");
    }

    @Test
    void failNextFailsExactlyThatManyRequestsThenServesAgain(TestInfo test) {
        CosmosContainer container = containerWithOneItem(test);

        standin.failNext(2);
        assertThat(standin.faults().remaining()).isEqualTo(OptionalInt.of(2));

        assertThatThrownBy(() -> container.readItem("before", new PartitionKey("p"), Doc.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(503));
        assertThatThrownBy(() -> container.upsertItem(new Doc("blip", "p", "lost")))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(503));
        CosmosItemResponse<Doc> third = container.readItem("before", new PartitionKey("p"), Doc.class);

        assertThat(third.getItem().name()).isEqualTo("written before the fault");
        FaultState after = standin.faults();
        assertThat(after.mode()).isEqualTo(FaultMode.NONE);
        assertThat(after.faultedRequests()).isEqualTo(2);
    }

    @Test
    void sdkRetriesThrottledRequestsAfterTheRetryAfter(TestInfo test) {
        CosmosContainer container = containerWithOneItem(test);
        Duration retryAfter = Duration.ofMillis(300);

        standin.throttleNext(2, retryAfter);
        long start = System.nanoTime();
        CosmosItemResponse<Doc> read = container.readItem("before", new PartitionKey("p"), Doc.class);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(read.getItem().name()).isEqualTo("written before the fault");
        assertThat(standin.faults().faultedRequests()).isEqualTo(2);
        // the SDK waited the retry-after the stand-in sent, twice, rather than its own backoff
        assertThat(elapsed).isGreaterThanOrEqualTo(retryAfter.multipliedBy(2));
    }

    @Test
    void throttlingBeyondTheSdksRetriesFailsWith429(TestInfo test) {
        containerWithOneItem(test);
        String containerId = test.getTestMethod().orElseThrow().getName();
        try (CosmosClient impatient = standin.newClientBuilder()
                .throttlingRetryOptions(new ThrottlingRetryOptions()
                        .setMaxRetryAttemptsOnThrottledRequests(1)
                        .setMaxRetryWaitTime(Duration.ofSeconds(2)))
                .buildClient()) {
            CosmosContainer container = impatient.getDatabase(database.getId()).getContainer(containerId);
            container.readItem("before", new PartitionKey("p"), Doc.class); // warm its caches

            standin.throttle(Duration.ofMillis(50));
            CosmosException throttled = catchThrowableOfType(
                    CosmosException.class, () -> container.readItem("before", new PartitionKey("p"), Doc.class));

            assertThat(throttled).isNotNull();
            assertThat(throttled.getStatusCode()).isEqualTo(429);
            assertThat(standin.faults().faultedRequests()).isEqualTo(2); // the request and its one retry
        }
    }

    @Test
    void restoreWithoutAFaultIsHarmlessAndBadArgumentsAreRefused(TestInfo test) {
        CosmosContainer container = containerWithOneItem(test);

        standin.restore();
        standin.restore();

        assertThat(standin.faults()).isEqualTo(new FaultState(FaultMode.NONE, OptionalInt.empty(), Duration.ZERO, 0));
        assertThat(container
                        .readItem("before", new PartitionKey("p"), Doc.class)
                        .getStatusCode())
                .isEqualTo(200);
        assertThatThrownBy(() -> standin.failNext(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> standin.throttle(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(standin.faults().mode()).isEqualTo(FaultMode.NONE);
    }
}
