package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.fixtures.Json;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.MessageView;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated publisher sends what the Apex publisher sends, the way it sends it (Service Bus REST batches built from
 * the publisher's wire-format description): checked on the Service Bus stand-in, received with the real Azure SDK.
 */
class SimulatedPublisherTest {

    private static AzureMessagingStandin standin;

    @BeforeAll
    static void startStandin() {
        standin = AzureMessagingStandin.start();
    }

    @AfterAll
    static void stopStandin() {
        standin.close();
    }

    private static SimulatorProperties fast() {
        SimulatorProperties properties = new SimulatorProperties();
        properties.setRatePerSecond(40);
        properties.setSeed(11L);
        return properties;
    }

    @Test
    void sendsChangesAndHeartbeatsWithTheEventIdAsMessageIdAndStopsCleanly() {
        String queue = newQueue();
        SimulatedPublisher publisher = publisher(queue);
        publisher.start();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> standin.queue(queue).active().size() >= 30);
        } finally {
            publisher.stop();
        }
        assertThat(publisher.isRunning()).isFalse();

        List<MessageView> active = standin.queue(queue).active();
        // Stopped means stopped: nothing more arrives after stop() returned.
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(2))
                .until(() -> standin.queue(queue).active().size() == active.size());
        assertThat(publisher.stats().total().sent()).isEqualTo(active.size());

        Set<String> heartbeatObjects = active.stream()
                .filter(m -> m.bodyAsString().contains("\"HEARTBEAT\""))
                .map(m -> Json.read(m.bodyAsString()).path("sobject").asText())
                .collect(Collectors.toSet());
        assertThat(heartbeatObjects).containsExactlyInAnyOrder("Account", "Contact", "Opportunity");
        List<JsonNode> changes = active.stream()
                .map(MessageView::bodyAsString)
                .filter(b -> b.startsWith("{"))
                .map(SimulatedPublisherTest::parseOrNull)
                .filter(node -> node != null)
                .toList();
        assertThat(changes).extracting(node -> node.path("changeType").asText()).contains("CREATE");
        for (MessageView message : active) {
            JsonNode body = parseOrNull(message.bodyAsString());
            if (body != null && body.hasNonNull("eventId")) {
                assertThat(message.messageId()).isEqualTo(body.path("eventId").asText());
            }
        }
    }

    @Test
    void messagesCarryWhatThePublisherSendsNoContentTypeATraceparentAndTheEventIdAsMessageId() {
        String queue = newQueue();
        SimulatedPublisher publisher = publisher(queue);
        publisher.start();
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> standin.queue(queue).active().size() >= 3);
        } finally {
            publisher.stop();
        }
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(standin.serviceBusConnectionString())
                .receiver()
                .queueName(queue)
                .buildClient()) {
            List<ServiceBusReceivedMessage> received = StreamSupport.stream(
                            receiver.receiveMessages(3, Duration.ofSeconds(10)).spliterator(), false)
                    .toList();
            assertThat(received).isNotEmpty().allSatisfy(message -> {
                // The publisher's batch entries carry no content type (not a broker property Service Bus takes).
                assertThat(message.getContentType()).isNull();
                assertThat((String) message.getApplicationProperties().get("traceparent"))
                        .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            });
        }
    }

    @Test
    void entriesHaveExactlyThePropertiesOfThePublishersWireFormat() {
        JsonNode description = PublisherWireFormat.description();
        JsonNode entry = PublisherWireFormat.load().entry("id-1", "{}");
        assertThat(fieldNames(entry)).isEqualTo(fieldNames(description.path("entry")));
        for (String group : List.of("BrokerProperties", "UserProperties")) {
            assertThat(fieldNames(entry.path(group)))
                    .as(group)
                    .isEqualTo(fieldNames(description.path("entry").path(group)));
        }
        assertThat(entry.path("BrokerProperties").path("MessageId").asText()).isEqualTo("id-1");
        assertThat(PublisherWireFormat.load().contentType())
                .isEqualTo(description.path("contentType").asText());
    }

    @Test
    void aWireFormatPropertyTheSimulatorCannotFillStopsIt() {
        JsonNode changed = PublisherWireFormat.description().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) changed.path("entry").path("BrokerProperties"))
                .put("SessionId", "s-1");
        assertThatThrownBy(() -> PublisherWireFormat.from(changed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("BrokerProperties.SessionId");
    }

    @Test
    void tickPeriodFollowsTheRateWithinBounds() {
        SimulatorProperties properties = new SimulatorProperties();
        assertThat(new SimulatedPublisher(properties, "https://x", "Endpoint=sb://x/", "q").tickPeriod())
                .isEqualTo(Duration.ofMillis(500));
        properties.setRatePerSecond(0.1);
        assertThat(new SimulatedPublisher(properties, "https://x", "Endpoint=sb://x/", "q").tickPeriod())
                .isEqualTo(Duration.ofSeconds(1));
        properties.setRatePerSecond(200);
        assertThat(new SimulatedPublisher(properties, "https://x", "Endpoint=sb://x/", "q").tickPeriod())
                .isEqualTo(Duration.ofMillis(100));
    }

    private static String newQueue() {
        String queue = "sim-" + UUID.randomUUID();
        standin.declareQueue(queue);
        return queue;
    }

    private static SimulatedPublisher publisher(String queue) {
        return new SimulatedPublisher(fast(), standin.rest().url(), standin.serviceBusConnectionString(), queue);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode parseOrNull(String body) {
        try {
            return Json.read(body);
        } catch (IllegalArgumentException notJson) {
            return null;
        }
    }
}
