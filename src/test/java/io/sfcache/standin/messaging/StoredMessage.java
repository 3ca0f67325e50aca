package io.sfcache.standin.messaging;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.message.Message;

/** A message as the broker holds it; mutable, confined to the reactor thread. */
final class StoredMessage {

    static final String DEAD_LETTER_REASON = "DeadLetterReason";
    static final String DEAD_LETTER_DESCRIPTION = "DeadLetterErrorDescription";

    final String entity;
    final String partitionId;
    final long sequenceNumber;
    final Instant enqueuedTime;
    final Message message;
    long deliveryCount;

    StoredMessage(String entity, String partitionId, long sequenceNumber, Instant enqueuedTime, Message message) {
        this.entity = entity;
        this.partitionId = partitionId;
        this.sequenceNumber = sequenceNumber;
        this.enqueuedTime = enqueuedTime;
        this.message = message;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> applicationProperties() {
        if (message.getApplicationProperties() == null) {
            message.setApplicationProperties(new ApplicationProperties(new HashMap<>()));
        }
        return message.getApplicationProperties().getValue();
    }

    void mergeApplicationProperties(Map<?, ?> properties) {
        if (properties == null) {
            return;
        }
        properties.forEach((key, value) -> applicationProperties().put(String.valueOf(key), value));
    }

    String partitionKey() {
        MessageAnnotations annotations = message.getMessageAnnotations();
        Object key = annotations == null ? null : annotations.getValue().get(Symbol.valueOf("x-opt-partition-key"));
        return key == null ? null : key.toString();
    }

    byte[] body() {
        if (message.getBody() instanceof Data data) {
            Binary binary = data.getValue();
            byte[] bytes = new byte[binary.getLength()];
            System.arraycopy(binary.getArray(), binary.getArrayOffset(), bytes, 0, binary.getLength());
            return bytes;
        }
        if (message.getBody() instanceof AmqpValue value && value.getValue() != null) {
            Object v = value.getValue();
            return (v instanceof Binary b ? new String(b.getArray(), b.getArrayOffset(), b.getLength()) : v.toString())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    MessageView view() {
        Map<String, Object> properties = Map.copyOf(nonNullValues(applicationProperties()));
        Object messageId = message.getMessageId();
        return new MessageView(
                entity,
                partitionId,
                sequenceNumber,
                enqueuedTime,
                messageId == null ? null : messageId.toString(),
                partitionKey(),
                body(),
                properties,
                deliveryCount,
                (String) properties.get(DEAD_LETTER_REASON),
                (String) properties.get(DEAD_LETTER_DESCRIPTION));
    }

    private static Map<String, Object> nonNullValues(Map<String, Object> properties) {
        Map<String, Object> copy = new HashMap<>();
        properties.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
