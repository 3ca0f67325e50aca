package io.sfcache.standin.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sfcache.standin.ProjectDir;
import io.sfcache.standin.messaging.AzureMessagingStandin;

/**
 * The messaging stand-in checked with clients sfcache does not use: Azure's JavaScript SDKs (@azure/service-bus,
 * @azure/event-hubs, AMQP over rhea) run {@code servicebus.test.mjs} and {@code eventhubs.test.mjs} under node's test
 * runner in {@code src/test/node/conformance} (installed by the build's {@code conformance-npm-ci}). The stand-in was
 * written against the Java SDKs; this is what keeps it faithful to the service rather than to one client.
 */
class MessagingConformanceTest {

    private static final Path SUITE = ProjectDir.get().resolve("src/test/node/conformance");
    /** The suite takes seconds; every SDK call in it has its own 5 s limit, so this only catches a stuck node. */
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    @Test
    void azureJavaScriptSdksAgainstTheMessagingStandin() throws IOException, InterruptedException {
        if (!Files.isDirectory(SUITE.resolve("node_modules/@azure/service-bus"))
                || !Files.isDirectory(SUITE.resolve("node_modules/@azure/event-hubs"))) {
            fail("Azure's JavaScript SDKs are not installed in " + SUITE.resolve("node_modules")
                    + ": run ./mvnw generate-test-resources (online once)");
        }
        try (AzureMessagingStandin standin = AzureMessagingStandin.start()) {
            Path output = Files.createTempFile("messaging-conformance", ".log");
            // --test-force-exit: a client left open by a failed test must not keep node alive (Node >= 20.14).
            ProcessBuilder builder = new ProcessBuilder(List.of("node", "--test", "--test-force-exit",
                    "--test-reporter=spec", "servicebus.test.mjs", "eventhubs.test.mjs"))
                    .directory(SUITE.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("SERVICEBUS_CONNECTION_STRING", standin.serviceBusConnectionString());
            builder.environment().put("EVENTHUBS_CONNECTION_STRING", standin.eventHubsConnectionString());
            long started = System.nanoTime();
            Process node = builder.start();
            boolean finished = node.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                // node --test runs each file in a child process: end those too.
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String log = Files.readString(output);
            Files.deleteIfExists(output);
            System.out.printf("node --test servicebus.test.mjs eventhubs.test.mjs (%d ms):%n%s%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), log);
            assertThat(finished).as("node's test run did not end within %s:%n%s", DEADLINE, log).isTrue();
            assertThat(node.exitValue()).as("node's test run failed:%n%s", log).isZero();
        }
    }
}
