package io.sfcache.standin.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sfcache.standin.NodeTestRun;
import io.sfcache.standin.ProjectDir;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
    void azureJavaScriptSdksAgainstTheMessagingStandin() {
        if (!Files.isDirectory(SUITE.resolve("node_modules/@azure/service-bus"))
                || !Files.isDirectory(SUITE.resolve("node_modules/@azure/event-hubs"))) {
            fail("Azure's JavaScript SDKs are not installed in " + SUITE.resolve("node_modules")
                    + ": run ./mvnw generate-test-resources (online once)");
        }
        try (AzureMessagingStandin standin = AzureMessagingStandin.start()) {
            NodeTestRun run = NodeTestRun.run(
                    SUITE,
                    Map.of(
                            "SERVICEBUS_CONNECTION_STRING", standin.serviceBusConnectionString(),
                            "EVENTHUBS_CONNECTION_STRING", standin.eventHubsConnectionString()),
                    DEADLINE,
                    "servicebus.test.mjs",
                    "eventhubs.test.mjs");

            assertThat(run.exitCode()).as(run.describe()).isZero();
        }
    }
}
