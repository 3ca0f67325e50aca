package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.fasterxml.jackson.databind.JsonNode;

import io.sfcache.fixtures.Json;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.MessageView;

/** The simulated publisher sends through the real Azure SDK: checked on the Service Bus stand-in. */
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
        String queue = "sim-" + UUID.randomUUID();
        SimulatedPublisher publisher = new SimulatedPublisher(fast(), standin.serviceBusConnectionString(), queue);
        publisher.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> standin.queue(queue).active().size() >= 30);
        } finally {
            publisher.stop();
        }
        assertThat(publisher.isRunning()).isFalse();

        List<MessageView> active = standin.queue(queue).active();
        // Stopped means stopped: nothing more arrives after stop() returned.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> standin.queue(queue).active().size() == active.size());
        assertThat(publisher.stats().total().sent()).isEqualTo(active.size());

        Set<String> heartbeatObjects = active.stream().filter(m -> m.bodyAsString().contains("\"HEARTBEAT\""))
                .map(m -> Json.read(m.bodyAsString()).path("sobject").asText()).collect(Collectors.toSet());
        assertThat(heartbeatObjects).containsExactlyInAnyOrder("Account", "Contact", "Opportunity");
        List<JsonNode> changes = active.stream().map(MessageView::bodyAsString).filter(b -> b.startsWith("{"))
                .map(SimulatedPublisherTest::parseOrNull).filter(node -> node != null).toList();
        assertThat(changes).extracting(node -> node.path("changeType").asText()).contains("CREATE");
        for (MessageView message : active) {
            JsonNode body = parseOrNull(message.bodyAsString());
            if (body != null && body.hasNonNull("eventId")) {
                assertThat(message.messageId()).isEqualTo(body.path("eventId").asText());
            }
        }
    }

    @Test
    void messagesAreMarkedAsJson() {
        String queue = "sim-" + UUID.randomUUID();
        SimulatedPublisher publisher = new SimulatedPublisher(fast(), standin.serviceBusConnectionString(), queue);
        publisher.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> standin.queue(queue).active().size() >= 3);
        } finally {
            publisher.stop();
        }
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(standin.serviceBusConnectionString()).receiver().queueName(queue).buildClient()) {
            List<ServiceBusReceivedMessage> received = StreamSupport.stream(
                    receiver.receiveMessages(3, Duration.ofSeconds(10)).spliterator(), false).toList();
            assertThat(received).isNotEmpty().allSatisfy(message ->
                    assertThat(message.getContentType()).isEqualTo("application/json"));
        }
    }

    @Test
    void tickPeriodFollowsTheRateWithinBounds() {
        SimulatorProperties properties = new SimulatorProperties();
        assertThat(new SimulatedPublisher(properties, "Endpoint=sb://x/", "q").tickPeriod())
                .isEqualTo(Duration.ofMillis(500));
        properties.setRatePerSecond(0.1);
        assertThat(new SimulatedPublisher(properties, "Endpoint=sb://x/", "q").tickPeriod())
                .isEqualTo(Duration.ofSeconds(1));
        properties.setRatePerSecond(200);
        assertThat(new SimulatedPublisher(properties, "Endpoint=sb://x/", "q").tickPeriod())
                .isEqualTo(Duration.ofMillis(100));
    }

    private static JsonNode parseOrNull(String body) {
        try {
            return Json.read(body);
        } catch (IllegalArgumentException notJson) {
            return null;
        }
    }
}
