package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import io.sfcache.standin.LoopbackTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher: clear failures, no Node process left behind, and no request or stop that waits for ever. */
class CosmosStandinLifecycleTest {

    @Test
    void missingNodeModulesFailsWithTheInstallCommand(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("server.js"), "");

        assertThatThrownBy(() -> new CosmosStandin(dir).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("run ./mvnw generate-test-resources");
    }

    @Test
    void scriptThatDiesFailsTheStartWithNodesStderr(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("node_modules/@vercel/cosmosdb-server"));
        Files.writeString(dir.resolve("server.js"), "console.error('certificate trouble'); process.exit(3);");

        assertThatThrownBy(() -> new CosmosStandin(dir).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("certificate trouble");
    }

    @Test
    void missingNodeBinaryIsNamed(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("node_modules/@vercel/cosmosdb-server"));
        Files.writeString(dir.resolve("server.js"), "");
        String previous = System.getProperty(CosmosStandin.NODE_PROPERTY);
        System.setProperty(
                CosmosStandin.NODE_PROPERTY, dir.resolve("no-such-node").toString());
        try {
            assertThatThrownBy(() -> new CosmosStandin(dir).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("install Node.js");
        } finally {
            if (previous == null) {
                System.clearProperty(CosmosStandin.NODE_PROPERTY);
            } else {
                System.setProperty(CosmosStandin.NODE_PROPERTY, previous);
            }
        }
    }

    @Test
    void closeStopsTheNodeProcess() {
        CosmosStandin standin = new CosmosStandin().start();
        ProcessHandle node = standin.process().toHandle();
        assertThat(node.isAlive()).isTrue();
        assertThat(standin.endpoint()).matches("https://127\\.0\\.0\\.1:\\d+/");

        standin.close();

        assertThat(node.isAlive()).isFalse();
        assertThat(standin.isRunning()).isFalse();
        standin.close(); // idempotent
    }

    /** Far more work than a test would wait for: 40^4 rows per item from a four-way self-join. */
    private static final String SLOW_QUERY =
            "SELECT VALUE COUNT(1) FROM c JOIN a IN c.xs JOIN b IN c.xs JOIN d IN c.xs JOIN e IN c.xs JOIN f IN c.xs";

    private static CosmosAsyncContainer containerForTheSlowQuery(CosmosAsyncClient client) {
        client.createDatabaseIfNotExists("lifecycle").block();
        CosmosAsyncDatabase database = client.getDatabase("lifecycle");
        database.createContainerIfNotExists(new CosmosContainerProperties("slow", "/id"))
                .block();
        CosmosAsyncContainer container = database.getContainer("slow");
        container
                .upsertItem(Map.of(
                        "id", "wide", "xs", IntStream.range(0, 40).boxed().toList()))
                .block();
        return container;
    }

    @Test
    void aQueryPastTheDeadlineIsAnswered408AndTheNextRequestIsServed() {
        try (CosmosStandin standin =
                        new CosmosStandin().deadline(Duration.ofSeconds(1)).start();
                CosmosAsyncClient client = standin.newClientBuilder().buildAsyncClient()) {
            CosmosAsyncContainer container = containerForTheSlowQuery(client);

            long start = System.nanoTime();
            Throwable failure = catchThrowable(() -> container
                    .queryItems(SLOW_QUERY, new CosmosQueryRequestOptions(), Long.class)
                    .collectList()
                    .block(Duration.ofSeconds(30)));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(failure).isInstanceOfSatisfying(CosmosException.class, e -> {
                assertThat(e.getStatusCode()).isEqualTo(408);
                assertThat(e.getMessage()).contains("1000 ms deadline").contains(SLOW_QUERY);
            });
            assertThat(elapsed).isLessThan(Duration.ofSeconds(10)); // one deadline, plus what the SDK retries
            assertThat(container
                            .readItem("wide", new PartitionKey("wide"), Map.class)
                            .block(Duration.ofSeconds(5))
                            .getStatusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aRequestWhoseBodyNeverArrivesIsAnswered408AtTheDeadline() throws IOException {
        try (CosmosStandin standin =
                        new CosmosStandin().deadline(Duration.ofSeconds(1)).start();
                SSLSocket socket = (SSLSocket)
                        LoopbackTls.clientContext().getSocketFactory().createSocket("127.0.0.1", standin.port())) {
            socket.setSoTimeout(10_000);
            // a create-database request announcing 100 bytes of body and sending 6: the handler waits for the rest
            socket.getOutputStream()
                    .write(("POST /dbs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                                    + "\r\nContent-Length: 100\r\n\r\n{\"id\":")
                            .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            long start = System.nanoTime();

            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(status).startsWith("HTTP/1.1 408");
            assertThat(elapsed).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void sigtermEndsNodeAtOnceEvenWhileItIsBusyWithARequest() throws Exception {
        try (CosmosStandin standin =
                        new CosmosStandin().deadline(Duration.ofMinutes(5)).start();
                CosmosAsyncClient client = standin.newClientBuilder().buildAsyncClient()) {
            CosmosAsyncContainer container = containerForTheSlowQuery(client);
            container
                    .queryItems(SLOW_QUERY, new CosmosQueryRequestOptions(), Long.class)
                    .collectList()
                    .subscribe(ignored -> {}, ignored -> {});
            // Node is busy: even the fault switch, answered by the same thread, does not answer now
            await().atMost(Duration.ofSeconds(10)).until(() -> !answersWithin(standin, Duration.ofMillis(300)));
            Process node = standin.process();

            long start = System.nanoTime();
            node.destroy(); // SIGTERM
            boolean gone = node.waitFor(5, TimeUnit.SECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertThat(gone).isTrue();
            assertThat(elapsed).isLessThan(Duration.ofSeconds(1));
        }
    }

    private static boolean answersWithin(CosmosStandin standin, Duration wait) {
        try {
            CompletableFuture.supplyAsync(standin::faults).get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException busy) {
            return false;
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nodeExitsWhenItsParentClosesStdinAsADyingJvmDoes() {
        try (CosmosStandin standin = new CosmosStandin().start()) {
            Process node = standin.process();

            try {
                node.getOutputStream().close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> !node.isAlive());
            assertThat(node.exitValue()).isZero();
        }
    }
}
