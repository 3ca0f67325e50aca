package io.sfcache.standin.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * What a test sees of a Service Bus message or an Event Hubs event: an immutable snapshot.
 *
 * @param entity         queue or hub name
 * @param partitionId    Event Hubs partition, null for Service Bus
 * @param sequenceNumber broker-assigned sequence number
 * @param enqueuedTime   when the broker accepted it
 * @param messageId      the AMQP message-id, as a string
 * @param partitionKey   the partition key annotation, if any
 * @param body           the payload (Data section bytes, or an AmqpValue string as UTF-8)
 * @param applicationProperties the AMQP application properties
 * @param deliveryCount  failed deliveries so far (Service Bus)
 * @param deadLetterReason           set once Service Bus dead-lettered it
 * @param deadLetterErrorDescription set once Service Bus dead-lettered it
 */
public record MessageView(
        String entity,
        String partitionId,
        long sequenceNumber,
        Instant enqueuedTime,
        String messageId,
        String partitionKey,
        byte[] body,
        Map<String, Object> applicationProperties,
        long deliveryCount,
        String deadLetterReason,
        String deadLetterErrorDescription) {

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
