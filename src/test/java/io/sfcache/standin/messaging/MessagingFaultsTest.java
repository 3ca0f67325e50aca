package io.sfcache.standin.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fault switches later reliability tests rely on, seen from the real SDK. */
class MessagingFaultsTest {

    private static AzureMessagingStandin standin;
    private final String queue = "faults-" + UUID.randomUUID();

    @BeforeAll
    static void startStandin() {
        standin = AzureMessagingStandin.start();
    }

    @AfterAll
    static void stopStandin() {
        standin.close();
    }

    @AfterEach
    void healthy() {
        standin.refuseConnections(false);
        standin.stall(false);
    }

    private ServiceBusClientBuilder builder() {
        return new ServiceBusClientBuilder()
                .connectionString(standin.serviceBusConnectionString())
                .retryOptions(new AmqpRetryOptions()
                        .setMaxRetries(1)
                        .setTryTimeout(Duration.ofSeconds(2))
                        .setDelay(Duration.ofMillis(100)));
    }

    @Test
    void refusedConnectionsFailTheSendUntilTheOutageEnds() {
        standin.refuseConnections(true);
        try (ServiceBusSenderClient sender = builder().sender().queueName(queue).buildClient()) {
            // The SDK keeps reconnecting to a broker that refuses; the synchronous client gives up when its whole
            // retry budget (try timeout x (retries + 1)) has passed, as a blocking-read timeout.
            assertThatThrownBy(() -> sender.sendMessage(new ServiceBusMessage("lost?")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Timeout on blocking read");
        }
        assertThat(standin.queue(queue).active()).isEmpty();

        standin.refuseConnections(false);
        try (ServiceBusSenderClient sender = builder().sender().queueName(queue).buildClient()) {
            sender.sendMessage(new ServiceBusMessage("after"));
        }
        assertThat(standin.queue(queue).active())
                .extracting(MessageView::bodyAsString)
                .containsExactly("after");
    }

    @Test
    void stalledBrokerHoldsSendsUntilReleased() {
        try (ServiceBusSenderClient sender = builder().sender().queueName(queue).buildClient()) {
            sender.sendMessage(new ServiceBusMessage("warm-up"));
            standin.stall(true);
            CompletableFuture<Void> send =
                    CompletableFuture.runAsync(() -> sender.sendMessage(new ServiceBusMessage("held")));

            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(1))
                    .until(() -> !send.isDone() && standin.queue(queue).active().size() == 1);

            standin.stall(false);
            await().atMost(Duration.ofSeconds(5)).until(send::isDone);
            assertThat(send).isNotCompletedExceptionally();
            assertThat(standin.queue(queue).active())
                    .extracting(MessageView::bodyAsString)
                    .containsExactly("warm-up", "held");
        }
    }

    @Test
    void blockedHubRefusesPublishesWhileTheQueueKeepsWorking() {
        String hub = "blocked-" + UUID.randomUUID();
        EventHubProducerClient producer = new EventHubClientBuilder()
                .connectionString(standin.eventHubsConnectionString(hub))
                .retryOptions(new AmqpRetryOptions()
                        .setMaxRetries(1)
                        .setTryTimeout(Duration.ofSeconds(2))
                        .setDelay(Duration.ofMillis(100)))
                .buildProducerClient();
        try (producer;
                ServiceBusSenderClient sender =
                        builder().sender().queueName(queue).buildClient()) {
            standin.block(hub, true);
            assertThatThrownBy(() -> producer.send(List.of(new EventData("while blocked"))))
                    .cause()
                    .isInstanceOf(AmqpException.class)
                    .hasMessageContaining("is unavailable")
                    .satisfies(
                            e -> assertThat(((AmqpException) e).isTransient()).isTrue());
            sender.sendMessage(new ServiceBusMessage("queue still works"));

            standin.block(hub, false);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                producer.send(List.of(new EventData("after")));
                return true;
            });
        }
        assertThat(standin.events(hub)).extracting(MessageView::bodyAsString).containsExactly("after");
        assertThat(standin.queue(queue).active()).hasSize(1);
    }

    @Test
    void stalledEventHubsHangWhileTheQueueKeepsWorking() {
        String hub = "stalled-" + UUID.randomUUID();
        EventHubProducerAsyncClient producer = new EventHubClientBuilder()
                .connectionString(standin.eventHubsConnectionString(hub))
                .buildAsyncProducerClient();
        try (producer;
                ServiceBusSenderClient sender =
                        builder().sender().queueName(queue).buildClient()) {
            producer.getEventHubProperties().block(Duration.ofSeconds(10));
            standin.stallEventHubs(true);
            CompletableFuture<?> properties = producer.getEventHubProperties().toFuture();

            sender.sendMessage(new ServiceBusMessage("queue still works"));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !properties.isDone());

            standin.stallEventHubs(false);
            await().atMost(Duration.ofSeconds(10)).until(properties::isDone);
            assertThat(properties).isNotCompletedExceptionally();
        } finally {
            standin.stallEventHubs(false);
        }
        assertThat(standin.queue(queue).active())
                .extracting(MessageView::bodyAsString)
                .containsExactly("queue still works");
    }

    @Test
    void consumerRecoversFromDroppedLinksAndConnections() {
        List<String> received = new CopyOnWriteArrayList<>();
        // Default retry options, as an application would run with.
        ServiceBusClientBuilder defaults =
                new ServiceBusClientBuilder().connectionString(standin.serviceBusConnectionString());
        ServiceBusProcessorClient processor = defaults.processor()
                .queueName(queue)
                .processMessage(
                        context -> received.add(context.getMessage().getBody().toString()))
                .processError(context -> {})
                .buildProcessorClient();
        try (ServiceBusSenderClient sender = defaults.sender().queueName(queue).buildClient()) {
            processor.start();
            sender.sendMessage(new ServiceBusMessage("one"));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("one"));

            standin.dropLinks(queue);
            // A send racing the drop may fail once ("disposed"); an application retries it, and so does the test.
            sendUntilAccepted(sender, "two");
            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("two"));

            standin.dropConnections();
            sendUntilAccepted(sender, "three");
            await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("three"));
        } finally {
            processor.close();
        }
        assertThat(standin.queue(queue).completed())
                .extracting(MessageView::bodyAsString)
                .containsOnly("one", "two", "three");
    }

    private static void sendUntilAccepted(ServiceBusSenderClient sender, String body) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            sender.sendMessage(new ServiceBusMessage(body));
            return true;
        });
    }
}
