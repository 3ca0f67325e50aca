package io.sfcache.standin.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubConsumerClient;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import com.azure.messaging.eventhubs.EventHubProperties;
import com.azure.messaging.eventhubs.PartitionProperties;
import com.azure.messaging.eventhubs.models.CreateBatchOptions;
import com.azure.messaging.eventhubs.models.EventPosition;
import com.azure.messaging.eventhubs.models.PartitionEvent;
import com.azure.messaging.eventhubs.models.SendOptions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fidelity of the Event Hubs stand-in, checked through the real Azure SDK. */
class EventHubsStandinTest {

    private static AzureMessagingStandin standin;
    private String hub;
    private EventHubProducerClient producer;

    @BeforeAll
    static void startStandin() {
        standin = AzureMessagingStandin.start();
    }

    @AfterAll
    static void stopStandin() {
        standin.close();
    }

    @BeforeEach
    void producer() {
        hub = "hub-" + UUID.randomUUID();
        producer = new EventHubClientBuilder()
                .connectionString(standin.eventHubsConnectionString(hub))
                .buildProducerClient();
    }

    @AfterEach
    void close() {
        producer.close();
    }

    @Test
    void hubAndPartitionProperties() {
        EventHubProperties properties = producer.getEventHubProperties();
        assertThat(properties.getName()).isEqualTo(hub);
        assertThat(properties.getPartitionIds()).containsExactly("0", "1", "2", "3");

        PartitionProperties empty = producer.getPartitionProperties("2");
        assertThat(empty.isEmpty()).isTrue();

        producer.send(List.of(new EventData("x")), new SendOptions().setPartitionId("2"));
        PartitionProperties one = producer.getPartitionProperties("2");
        assertThat(one.isEmpty()).isFalse();
        assertThat(one.getLastEnqueuedSequenceNumber()).isZero();
    }

    @Test
    void singleSendWithApplicationProperties() {
        EventData event = new EventData("{\"recordId\":\"001\"}");
        event.getProperties().put("sobject", "Account");
        producer.send(List.of(event));

        assertThat(standin.events(hub)).singleElement().satisfies(e -> {
            assertThat(e.bodyAsString()).isEqualTo("{\"recordId\":\"001\"}");
            assertThat(e.applicationProperties()).containsEntry("sobject", "Account");
        });
    }

    @Test
    void batchWithPartitionKeyLandsInOnePartitionInOrder() {
        EventDataBatch batch = producer.createBatch(new CreateBatchOptions().setPartitionKey("001ABC"));
        for (int i = 0; i < 10; i++) {
            assertThat(batch.tryAdd(new EventData("e" + i))).isTrue();
        }
        producer.send(batch);

        List<MessageView> events = standin.events(hub);
        assertThat(events)
                .extracting(MessageView::bodyAsString)
                .containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
        assertThat(events).extracting(MessageView::partitionKey).containsOnly("001ABC");
        assertThat(events)
                .extracting(MessageView::partitionId)
                .hasSize(10)
                .containsOnly(events.get(0).partitionId());
        assertThat(events)
                .extracting(MessageView::sequenceNumber)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void batchToAnExplicitPartition() {
        EventDataBatch batch = producer.createBatch(new CreateBatchOptions().setPartitionId("3"));
        batch.tryAdd(new EventData("a"));
        batch.tryAdd(new EventData("b"));
        producer.send(batch);

        assertThat(standin.events(hub)).extracting(MessageView::partitionId).containsExactly("3", "3");
    }

    @Test
    void javaConsumerReadsAPartitionFromEarliestAndFromASequenceNumber() {
        producer.send(
                List.of(new EventData("a"), new EventData("b"), new EventData("c")),
                new SendOptions().setPartitionId("1"));
        try (EventHubConsumerClient consumer = new EventHubClientBuilder()
                .connectionString(standin.eventHubsConnectionString(hub))
                .consumerGroup(EventHubClientBuilder.DEFAULT_CONSUMER_GROUP_NAME)
                .buildConsumerClient()) {
            List<PartitionEvent> all =
                    consumer.receiveFromPartition("1", 3, EventPosition.earliest(), Duration.ofSeconds(10)).stream()
                            .toList();
            assertThat(all).extracting(e -> e.getData().getBodyAsString()).containsExactly("a", "b", "c");
            assertThat(all).extracting(e -> e.getData().getSequenceNumber()).containsExactly(0L, 1L, 2L);
            assertThat(all.get(0).getData().getEnqueuedTime()).isNotNull();

            List<PartitionEvent> fromSecond = consumer
                    .receiveFromPartition("1", 2, EventPosition.fromSequenceNumber(1, true), Duration.ofSeconds(10))
                    .stream()
                    .toList();
            assertThat(fromSecond)
                    .extracting(e -> e.getData().getBodyAsString())
                    .containsExactly("b", "c");
        }
    }
}
