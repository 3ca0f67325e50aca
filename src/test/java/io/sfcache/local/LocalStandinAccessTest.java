package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.fixtures.Json;
import io.sfcache.standin.LoopbackTls;
import io.sfcache.standin.ProjectDir;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.MessageView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The banner's stand-in lines: connection details, and a curl command that sends the way the publisher does. */
class LocalStandinAccessTest {

    private static AzureMessagingStandin messaging;

    @BeforeAll
    static void start() {
        messaging = AzureMessagingStandin.start();
        messaging.declareQueue("sfcache-changes");
    }

    @AfterAll
    static void stop() {
        messaging.close();
    }

    @Test
    void thePrintedWatchCommandShowsTheEventsOfTheHub() throws Exception {
        String hub = "watch-" + java.util.UUID.randomUUID();
        try (EventHubProducerClient producer = new EventHubClientBuilder()
                .connectionString(messaging.eventHubsConnectionString(), hub)
                .buildProducerClient()) {
            EventDataBatch batch = producer.createBatch();
            batch.tryAdd(new EventData("{\"changeType\":\"UPDATE\",\"recordId\":\"001-watched\"}"));
            producer.send(batch);
        }
        String command = LocalStandinAccess.watchCommand(messaging, hub);
        assertThat(LocalStandinAccess.describe(messaging, CosmosStandin.shared(), "sfcache-changes", hub))
                .contains(command);

        List<String> words = new java.util.ArrayList<>(List.of(
                "node", "watch-events.mjs", messaging.eventHubsConnectionString(), hub, "--from-start", "--max", "1"));
        Process process = new ProcessBuilder(words)
                .directory(ProjectDir.get().resolve("src/test/node/conformance").toFile())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("watch-events.mjs ends after --max 1")
                .isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("\"recordId\":\"001-watched\"", "partition ");
    }

    @Test
    void thePrintedCurlCommandSendsAMessageTheQueueTakes() throws Exception {
        String text = LocalStandinAccess.describe(
                messaging, CosmosStandin.shared(), "sfcache-changes", "sfcache-record-events");

        assertThat(text)
                .contains(
                        messaging.serviceBusConnectionString(),
                        messaging.eventHubsConnectionString(),
                        CosmosStandin.shared().endpoint(),
                        CosmosStandin.shared().key());
        Matcher curl = Pattern.compile("curl -sk -X POST '([^']+)' -H 'Content-Type: ([^']+)' "
                        + "-H 'Authorization: ([^']+)' -d '([^']+)'")
                .matcher(text);
        assertThat(curl.find()).as("a curl command in%n%s", text).isTrue();
        HttpResponse<String> response = HttpClient.newBuilder()
                .sslContext(LoopbackTls.clientContext())
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(curl.group(1)))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", curl.group(2))
                                .header("Authorization", curl.group(3))
                                .POST(HttpRequest.BodyPublishers.ofString(curl.group(4)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        MessageView stored = messaging.queue("sfcache-changes").active().get(0);
        JsonNode body = Json.read(stored.bodyAsString());
        assertThat(body.path("changeType").asText()).isEqualTo("HEARTBEAT");
        assertThat(stored.messageId()).isEqualTo(body.path("eventId").asText());
    }
}
