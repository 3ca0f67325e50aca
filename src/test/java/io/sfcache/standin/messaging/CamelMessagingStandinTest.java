package io.sfcache.standin.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real camel-azure-servicebus and camel-azure-eventhubs components against the stand-in: a route that
 * consumes a queue in peek-lock mode and publishes each message to a hub.
 */
class CamelMessagingStandinTest {

    private static AzureMessagingStandin standin;

    @BeforeAll
    static void startStandin() {
        standin = AzureMessagingStandin.start();
    }

    @AfterAll
    static void stopStandin() {
        standin.close();
    }

    @Test
    void routeMovesMessagesFromAQueueToAHubAndCompletesThem() throws Exception {
        String queue = "camel-" + UUID.randomUUID();
        String hub = "hub-" + UUID.randomUUID();
        String sb = "RAW(" + standin.serviceBusConnectionString() + ")";
        String eh = "RAW(" + standin.eventHubsConnectionString(hub) + ")";
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("azure-servicebus:" + queue + "?connectionString=" + sb + "&serviceBusReceiveMode=PEEK_LOCK")
                            .routeId("queue-to-hub")
                            // The consumer's body is BinaryData, which the Event Hubs producer cannot convert.
                            .convertBodyTo(String.class)
                            // Service Bus headers hold OffsetDateTime values Proton-J cannot encode as properties.
                            .removeHeaders("CamelAzureServiceBus*")
                            .setHeader("CamelAzureEventHubsPartitionKey", simple("${body}"))
                            .to("azure-eventhubs:?connectionString=" + eh);
                }
            });
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();
            for (int i = 0; i < 3; i++) {
                producer.sendBody(
                        "azure-servicebus:" + queue + "?connectionString=" + sb + "&producerOperation=sendMessages",
                        "record-" + i);
            }

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> standin.queue(queue).completed().size() == 3);
        }
        assertThat(standin.events(hub))
                .extracting(MessageView::bodyAsString)
                .containsExactlyInAnyOrder("record-0", "record-1", "record-2");
        assertThat(standin.events(hub))
                .allSatisfy(e -> assertThat(e.partitionKey()).isEqualTo(e.bodyAsString()));
        assertThat(standin.queue(queue).pending()).isZero();
        assertThat(standin.queue(queue).deadLettered()).isEmpty();
    }
}
