package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;

/**
 * Builds dead-letter documents: the reason code, a message a person can act on, the original body and headers, the
 * source and message id, when it was first and last seen and how often. One document per message: a message that
 * fails again (redelivery, redrive) updates it instead of adding another.
 */
@Component("deadLetters")
public class DeadLetters {

    /** Set by routes that dead-letter without an exception (the Service Bus dead-letter drain). */
    public static final String REASON_HEADER = "SfcacheDeadLetterReason";

    public static final String DESCRIPTION_HEADER = "SfcacheDeadLetterDescription";
    static final String MESSAGE_ID = "CamelAzureServiceBusMessageId";
    static final String APPLICATION_PROPERTIES = "CamelAzureServiceBusApplicationProperties";
    static final String CONTENT_TYPE = "CamelAzureServiceBusContentType";
    static final String DELIVERY_COUNT = "CamelAzureServiceBusDeliveryCount";
    static final String DESCRIPTION_PROPERTY = "SfcacheDeadLetterDescription";
    static final String OBJECT_PROPERTY = "SfcacheDeadLetterObject";
    /** Room for the JSON around the body within Cosmos's 2 MB item limit. */
    private static final int MAX_STORED_BODY_BYTES = 1_500_000;

    private final ObjectMapper json;
    private final DeadLetterStore store;
    private final Clock clock;

    public DeadLetters(ObjectMapper json, DeadLetterStore store, Clock clock) {
        this.json = json;
        this.store = store;
        this.clock = clock;
    }

    /** Route step: works out what failed. Body out: the dead letter of this failure alone. */
    public ObjectNode prepare(Exchange exchange) {
        ObjectNode entry = describe(exchange);
        exchange.setProperty(SyncHeaders.DEAD_LETTERED, entry.get("reason").asText());
        exchange.setProperty(DESCRIPTION_PROPERTY, entry.get("description").asText());
        exchange.setProperty(OBJECT_PROPERTY, entry.path("sobject").asText("unknown"));
        return entry;
    }

    /**
     * Route step: reads the dead letter this message already has, if it failed before (redelivery, redrive), and
     * carries over when it was first seen and how often it failed. Body in and out: the dead letter to store.
     */
    public ObjectNode mergeEarlier(ObjectNode entry) {
        store.find(entry.get("id").asText())
                .filter(earlier -> earlier.hasNonNull("firstSeen"))
                .ifPresent(earlier -> {
                    entry.put("firstSeen", earlier.get("firstSeen").asText());
                    entry.put("attempts", earlier.path("attempts").asLong() + 1);
                    if (earlier.has("redrives")) {
                        entry.set("redrives", earlier.get("redrives"));
                    }
                });
        return entry;
    }

    ObjectNode describe(Exchange exchange) {
        Instant now = clock.instant();
        var message = exchange.getMessage();
        byte[] body = ChangeMessageReader.bytes(message.getBody());
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        ChangeSource source = ChangeSource.of(exchange);
        String messageId = message.getHeader(MESSAGE_ID, String.class);

        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("id", id(source, messageId, body));
        entry.put("status", "OPEN");
        RejectionReason reason;
        String description;
        if (failure instanceof RejectedChangeException rejected) {
            reason = rejected.reason();
            description = rejected.getMessage();
            entry.set("violations", json.valueToTree(rejected.violations()));
        } else if (message.getHeader(REASON_HEADER) != null) {
            reason = RejectionReason.SERVICE_BUS_DEAD_LETTER;
            description = "Service Bus dead-lettered it: " + message.getHeader(REASON_HEADER) + " - "
                    + message.getHeader(DESCRIPTION_HEADER, "", String.class);
        } else {
            reason = RejectionReason.UNEXPECTED_ERROR;
            description = failure == null ? "no exception recorded" : rootCause(failure);
        }
        entry.put("reason", reason.name());
        entry.put("reasonMeaning", reason.meaning());
        entry.put("description", description);
        if (change != null) {
            entry.put("sobject", change.sobject());
            entry.put("recordId", change.recordId());
            entry.put("eventId", change.eventId());
        } else {
            // Rejected before it was parsed, it may still say what it is about: worth showing to operators.
            JsonNode said = peek(body);
            entry.put("sobject", said.path("sobject").asText("unknown"));
            entry.put("recordId", said.path("recordId").asText(null));
            entry.put("eventId", said.path("eventId").asText(null));
        }
        entry.put("source", source.name());
        entry.put("messageId", messageId);
        entry.put("contentType", message.getHeader(CONTENT_TYPE, String.class));
        entry.set(
                "applicationProperties",
                json.valueToTree(applicationProperties(message.getHeader(APPLICATION_PROPERTIES))));
        entry.put("deliveryCount", message.getHeader(DELIVERY_COUNT, 0L, Long.class));
        putBody(entry, body);
        entry.put("firstSeen", RecordDocument.timestamp(now));
        entry.put("lastSeen", RecordDocument.timestamp(now));
        entry.put("attempts", 1);
        return entry;
    }

    private JsonNode peek(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : json.createObjectNode();
        } catch (java.io.IOException notJson) {
            return json.createObjectNode();
        }
    }

    /** Text bodies stay readable; anything else is kept as base64. Oversized bodies keep a head and a digest. */
    private static void putBody(ObjectNode entry, byte[] body) {
        entry.put("bodyBytes", body.length);
        entry.put("bodySha256", HexFormat.of().formatHex(sha256(body)));
        boolean truncated = body.length > MAX_STORED_BODY_BYTES;
        byte[] kept = truncated ? java.util.Arrays.copyOf(body, 65_536) : body;
        entry.put("bodyTruncated", truncated);
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(kept))
                    .toString();
            entry.put("bodyEncoding", "utf-8");
            entry.put("body", text);
        } catch (CharacterCodingException binary) {
            entry.put("bodyEncoding", "base64");
            entry.put("body", Base64.getEncoder().encodeToString(kept));
        }
    }

    private static Map<?, ?> applicationProperties(Object properties) {
        if (!(properties instanceof Map<?, ?> map)) {
            return Map.of();
        }
        // Keep what JSON can hold; Service Bus values are strings, numbers, booleans, dates.
        Map<String, String> copy = new java.util.TreeMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), String.valueOf(v)));
        return copy;
    }

    /** Stable per message: the same message failing again updates its dead letter. */
    static String id(ChangeSource source, String messageId, byte[] body) {
        String basis =
                source + "|" + (messageId != null ? messageId : HexFormat.of().formatHex(sha256(body)));
        return HexFormat.of()
                .formatHex(sha256(basis.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 32);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rootCause(Throwable failure) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
        return root == failure ? failure.toString() : failure + " (caused by " + root + ")";
    }
}
