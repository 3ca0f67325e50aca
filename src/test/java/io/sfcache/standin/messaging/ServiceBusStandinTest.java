package io.sfcache.standin.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.IterableStream;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.SubQueue;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fidelity of the Service Bus stand-in, checked through the real Azure SDK. */
class ServiceBusStandinTest {

    private static AzureMessagingStandin standin;
    private String queue;
    private ServiceBusSenderClient sender;
    private ServiceBusReceiverClient receiver;

    @BeforeAll
    static void startStandin() {
        standin = AzureMessagingStandin.start();
    }

    @AfterAll
    static void stopStandin() {
        standin.close();
    }

    @BeforeEach
    void clients() {
        queue = "q-" + UUID.randomUUID();
        sender = builder().sender().queueName(queue).buildClient();
        receiver = receiverFor(queue, SubQueue.NONE);
    }

    @AfterEach
    void closeClients() {
        sender.close();
        receiver.close();
    }

    private ServiceBusClientBuilder builder() {
        return new ServiceBusClientBuilder().connectionString(standin.serviceBusConnectionString());
    }

    private ServiceBusReceiverClient receiverFor(String name, SubQueue subQueue) {
        // No auto lock renewal: the lock tests need the lock to lapse.
        return builder()
                .receiver()
                .queueName(name)
                .subQueue(subQueue)
                .disableAutoComplete()
                .maxAutoLockRenewDuration(Duration.ZERO)
                .buildClient();
    }

    private static List<ServiceBusReceivedMessage> list(IterableStream<ServiceBusReceivedMessage> messages) {
        return StreamSupport.stream(messages.spliterator(), false).toList();
    }

    private ServiceBusReceivedMessage receiveOne(ServiceBusReceiverClient client) {
        List<ServiceBusReceivedMessage> messages = list(client.receiveMessages(1, Duration.ofSeconds(10)));
        assertThat(messages).as("a message within 10 s").hasSize(1);
        return messages.get(0);
    }

    @Test
    void sendReceiveCompleteWithPropertiesAndBrokerAnnotations() {
        ServiceBusMessage message =
                new ServiceBusMessage("{\"id\":1}").setMessageId("m-1").setContentType("application/json");
        message.getApplicationProperties().put("sobject", "Account");
        sender.sendMessage(message);

        ServiceBusReceivedMessage received = receiveOne(receiver);
        assertThat(received.getBody().toString()).isEqualTo("{\"id\":1}");
        assertThat(received.getMessageId()).isEqualTo("m-1");
        assertThat(received.getContentType()).isEqualTo("application/json");
        assertThat(received.getApplicationProperties()).containsEntry("sobject", "Account");
        assertThat(received.getSequenceNumber()).isEqualTo(1);
        assertThat(received.getDeliveryCount()).isZero();
        assertThat(received.getLockedUntil()).isAfter(OffsetDateTime.now());
        assertThat(received.getLockToken()).isNotBlank();
        assertThat(standin.queue(queue).locked()).hasSize(1);

        receiver.complete(received);

        QueueSnapshot snapshot = standin.queue(queue);
        assertThat(snapshot.completed()).extracting(MessageView::messageId).containsExactly("m-1");
        assertThat(snapshot.pending()).isZero();
    }

    @Test
    void batchSendDeliversEveryMessageInOrder() {
        ServiceBusMessageBatch batch = sender.createMessageBatch();
        for (int i = 0; i < 5; i++) {
            assertThat(batch.tryAddMessage(new ServiceBusMessage("m" + i).setMessageId("id-" + i)))
                    .isTrue();
        }
        sender.sendMessages(batch);

        assertThat(standin.queue(queue).active())
                .extracting(MessageView::bodyAsString)
                .containsExactly("m0", "m1", "m2", "m3", "m4");
        List<ServiceBusReceivedMessage> received = list(receiver.receiveMessages(5, Duration.ofSeconds(10)));
        assertThat(received).extracting(m -> m.getBody().toString()).containsExactly("m0", "m1", "m2", "m3", "m4");
        received.forEach(receiver::complete);
        assertThat(standin.queue(queue).completed()).hasSize(5);
    }

    @Test
    void abandonRedeliversWithIncrementedDeliveryCount() {
        sender.sendMessage(new ServiceBusMessage("again"));
        receiver.abandon(receiveOne(receiver));

        ServiceBusReceivedMessage second = receiveOne(receiver);
        assertThat(second.getBody().toString()).isEqualTo("again");
        assertThat(second.getDeliveryCount()).isEqualTo(1);
        assertThat(standin.queue(queue).outcome(QueueOutcome.ABANDONED)).isEqualTo(1);
    }

    @Test
    void deadLetterKeepsReasonAndDescriptionAndIsReadableFromTheSubQueue() {
        sender.sendMessage(new ServiceBusMessage("bad").setMessageId("bad-1"));
        receiver.deadLetter(
                receiveOne(receiver),
                new DeadLetterOptions()
                        .setDeadLetterReason("ContractViolation")
                        .setDeadLetterErrorDescription("Name is required"));

        QueueSnapshot snapshot = standin.queue(queue);
        assertThat(snapshot.deadLettered()).singleElement().satisfies(m -> {
            assertThat(m.deadLetterReason()).isEqualTo("ContractViolation");
            assertThat(m.deadLetterErrorDescription()).isEqualTo("Name is required");
        });
        assertThat(snapshot.pending()).isZero();

        try (ServiceBusReceiverClient dlq = receiverFor(queue, SubQueue.DEAD_LETTER_QUEUE)) {
            ServiceBusReceivedMessage dead = receiveOne(dlq);
            assertThat(dead.getMessageId()).isEqualTo("bad-1");
            assertThat(dead.getDeadLetterReason()).isEqualTo("ContractViolation");
            assertThat(dead.getDeadLetterErrorDescription()).isEqualTo("Name is required");
            dlq.complete(dead);
        }
        assertThat(standin.queue(queue).deadLettered()).isEmpty();
    }

    @Test
    void renewLockExtendsTheLock() {
        standin.configureQueue(queue, Duration.ofSeconds(2), 10);
        sender.sendMessage(new ServiceBusMessage("long job"));
        ServiceBusReceivedMessage received = receiveOne(receiver);
        OffsetDateTime first = received.getLockedUntil();

        OffsetDateTime renewed = receiver.renewMessageLock(received);

        assertThat(renewed).isAfter(first);
        receiver.complete(received);
        assertThat(standin.queue(queue).completed()).hasSize(1);
    }

    @Test
    void expiredLockRedeliversAndLateCompleteFailsWithLockLost() {
        standin.configureQueue(queue, Duration.ofMillis(500), 10);
        sender.sendMessage(new ServiceBusMessage("slow"));
        ServiceBusReceivedMessage first = receiveOne(receiver);

        await().atMost(Duration.ofSeconds(5)).until(() -> standin.queue(queue).outcome(QueueOutcome.LOCK_EXPIRED) == 1);
        // The redelivery gets a lock long enough to complete it even on a busy machine.
        standin.configureQueue(queue, Duration.ofSeconds(30), 10);
        ServiceBusReceivedMessage second = receiveOne(receiver);
        assertThat(second.getDeliveryCount()).isEqualTo(1);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> receiver.complete(first))
                .hasMessageContaining("lock");
        receiver.complete(second);
        assertThat(standin.queue(queue).completed()).hasSize(1);
    }

    @Test
    void maxDeliveryCountMovesTheMessageToTheDeadLetterSubQueue() {
        standin.configureQueue(queue, Duration.ofSeconds(30), 3);
        sender.sendMessage(new ServiceBusMessage("poison").setMessageId("p-1"));
        for (int attempt = 0; attempt < 3; attempt++) {
            receiver.abandon(receiveOne(receiver));
        }

        QueueSnapshot snapshot = standin.queue(queue);
        assertThat(snapshot.pending()).isZero();
        assertThat(snapshot.deadLettered()).singleElement().satisfies(m -> {
            assertThat(m.deadLetterReason()).isEqualTo("MaxDeliveryCountExceeded");
            assertThat(m.deliveryCount()).isEqualTo(3);
        });
    }

    @Test
    void peekSeesMessagesWithoutLockingThem() {
        sender.sendMessages(List.of(new ServiceBusMessage("a"), new ServiceBusMessage("b")));
        List<ServiceBusReceivedMessage> peeked = list(receiver.peekMessages(10));
        assertThat(peeked).extracting(m -> m.getBody().toString()).containsExactly("a", "b");
        assertThat(standin.queue(queue).active()).hasSize(2);
    }

    @Test
    void sendsToOneQueueNeverReachAnother() {
        sender.sendMessage(new ServiceBusMessage("mine"));
        assertThat(standin.queue("other-" + queue).active()).isEmpty();
        assertThat(standin.queue(queue).active()).hasSize(1);
    }
}
