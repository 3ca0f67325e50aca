package io.sfcache.sync;

import static org.awaitility.Awaitility.await;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.MessageView;
import io.sfcache.standin.messaging.QueueSnapshot;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestComponent;

/**
 * Drives the pipeline from the outside like the Apex publisher does (Service Bus, real SDK) and reads back where
 * every message ended: stored in Cosmos, in the dead letters, or still on the queue.
 */
@TestComponent
public class PipelineHarness implements DisposableBean {

    /** Where a message ended. */
    public enum FinalState {
        STORED_OR_SKIPPED,
        DEAD_LETTERED,
        QUEUED
    }

    public static final Duration SETTLE = Duration.ofSeconds(60);
    public static final Duration LOCK_DURATION = Duration.ofSeconds(5);

    private final AzureMessagingStandin messaging = AzureMessagingStandin.shared();
    private final CosmosAsyncDatabase database;
    private final String queue;
    private final String hub;
    private final String deadLetterContainer;
    private final ObjectMapper json = new ObjectMapper();
    private final ServiceBusSenderClient sender;

    public PipelineHarness(
            CosmosAsyncClient cosmos,
            @Value("${sfcache.cosmos.database}") String database,
            @Value("${sfcache.servicebus.queue}") String queue,
            @Value("${sfcache.eventhubs.hub}") String hub,
            @Value("${sfcache.sync.dead-letter-container}") String deadLetterContainer) {
        this.database = cosmos.getDatabase(database);
        this.queue = queue;
        this.hub = hub;
        this.deadLetterContainer = deadLetterContainer;
        // Locks that lapse in seconds, not Azure's minute: a lost lock is redelivered while the test watches.
        messaging.configureQueue(queue, LOCK_DURATION, 10);
        this.sender = new ServiceBusClientBuilder()
                .connectionString(messaging.serviceBusConnectionString())
                .sender()
                .queueName(queue)
                .buildClient();
    }

    public AzureMessagingStandin messaging() {
        return messaging;
    }

    public String queueName() {
        return queue;
    }

    public String hubName() {
        return hub;
    }

    public String send(ChangeMessageBuilder change) {
        return send(change.toJson(), change.eventId(), "application/json");
    }

    public String send(String body, String messageId, String contentType) {
        return send(body, messageId, contentType, Map.of());
    }

    /** With application properties, e.g. the W3C {@code traceparent} the Apex publisher sets. */
    public String send(ChangeMessageBuilder change, Map<String, Object> applicationProperties) {
        return send(change.toJson(), change.eventId(), "application/json", applicationProperties);
    }

    public String send(String body, String messageId, String contentType, Map<String, Object> applicationProperties) {
        ServiceBusMessage message = new ServiceBusMessage(body).setMessageId(messageId);
        if (contentType != null) {
            message.setContentType(contentType);
        }
        message.getApplicationProperties().putAll(applicationProperties);
        sender.sendMessage(message);
        return messageId;
    }

    public QueueSnapshot queue() {
        return messaging.queue(queue);
    }

    /** Waits until Service Bus saw every message completed, and none is waiting or locked. */
    public void awaitCompleted(Collection<String> messageIds) {
        await().atMost(SETTLE).until(() -> {
            QueueSnapshot q = queue();
            List<String> completed =
                    q.completed().stream().map(MessageView::messageId).toList();
            return completed.containsAll(messageIds)
                    && q.active().stream().noneMatch(m -> messageIds.contains(m.messageId()))
                    && q.locked().stream().noneMatch(m -> messageIds.contains(m.messageId()));
        });
    }

    public void awaitCompleted(String... messageIds) {
        awaitCompleted(List.of(messageIds));
    }

    public Optional<JsonNode> record(String sobject, String id) {
        try {
            return Optional.of(database.getContainer(sobject.toLowerCase(java.util.Locale.ROOT))
                    .readItem(id, new PartitionKey(id), JsonNode.class)
                    .block(Duration.ofSeconds(10))
                    .getItem());
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Writes a record document as it is, past the pipeline: what an older sfcache may have stored. */
    public void storeRaw(String sobject, JsonNode document) {
        database.getContainer(sobject.toLowerCase(java.util.Locale.ROOT))
                .upsertItem(document)
                .block(Duration.ofSeconds(10));
    }

    public Optional<JsonNode> deadLetterOf(String messageId) {
        List<JsonNode> found = database.getContainer(deadLetterContainer)
                .queryItems(
                        new SqlQuerySpec(
                                "SELECT * FROM c WHERE c.messageId = @m", List.of(new SqlParameter("@m", messageId))),
                        new CosmosQueryRequestOptions(),
                        JsonNode.class)
                .collectList()
                .block(Duration.ofSeconds(10));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Events published for one record, in publish order, as the broker holds them (body and properties). */
    public List<MessageView> rawEvents(String recordId) {
        return messaging.events(hub).stream()
                .filter(e -> recordId.equals(e.partitionKey()))
                .sorted(java.util.Comparator.comparing(MessageView::enqueuedTime))
                .toList();
    }

    /** Events published for one record, in publish order, as JSON. */
    public List<JsonNode> events(String recordId) {
        return messaging.events(hub).stream()
                .filter(e -> recordId.equals(e.partitionKey()))
                .sorted(java.util.Comparator.comparing(MessageView::enqueuedTime))
                .map(e -> {
                    try {
                        return json.readTree(e.body());
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                })
                .toList();
    }

    /** Exactly one place per message: dead-lettered, still on the queue, or completed after being stored/skipped. */
    public FinalState finalState(String messageId) {
        QueueSnapshot q = queue();
        boolean queued = q.active().stream().anyMatch(m -> messageId.equals(m.messageId()))
                || q.locked().stream().anyMatch(m -> messageId.equals(m.messageId()))
                || q.deadLettered().stream().anyMatch(m -> messageId.equals(m.messageId()));
        boolean completed = q.completed().stream().anyMatch(m -> messageId.equals(m.messageId()));
        boolean deadLettered = deadLetterOf(messageId).isPresent();
        if (queued) {
            if (completed) {
                throw new AssertionError(messageId + " is both completed and still on the queue");
            }
            return FinalState.QUEUED;
        }
        if (!completed) {
            throw new AssertionError(messageId + " is neither on the queue nor completed: lost");
        }
        return deadLettered ? FinalState.DEAD_LETTERED : FinalState.STORED_OR_SKIPPED;
    }

    @Override
    public void destroy() {
        sender.close();
    }
}
