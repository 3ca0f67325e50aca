package io.sfcache.sync;

import com.azure.core.util.BinaryData;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContracts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Turns a raw message into a {@link ChangeMessage}, or rejects it with the reason: empty, too large, not JSON,
 * not the envelope, not a monitored object. Sets the headers the routes and metrics use.
 */
@Component("changeMessageReader")
public class ChangeMessageReader {

    static final String SERVICE_BUS_CONTENT_TYPE = "CamelAzureServiceBusContentType";

    private final ObjectMapper json;
    private final ContractValidator validator;
    private final DataContracts contracts;
    private final int maxBytes;

    public ChangeMessageReader(
            ObjectMapper json, ContractValidator validator, DataContracts contracts, SyncProperties sync) {
        this.json = json;
        this.validator = validator;
        this.contracts = contracts;
        this.maxBytes = sync.getMaxMessageBytes();
    }

    public ChangeMessage read(Exchange exchange) {
        byte[] body = bytes(exchange.getMessage().getBody());
        checkRaw(body, exchange.getMessage().getHeader(SERVICE_BUS_CONTENT_TYPE, String.class));
        JsonNode node = parse(body);
        checkEnvelope(node);
        ChangeMessage change = toChange((ObjectNode) node);
        if (contracts.find(change.sobject()).isEmpty()) {
            throw new RejectedChangeException(
                    RejectionReason.UNKNOWN_OBJECT,
                    change.sobject()
                            + " is not monitored: add contracts/objects/"
                            + change.sobject().toLowerCase(Locale.ROOT)
                            + ".schema.json and list " + change.sobject() + " in sfcache.sync.objects, then redrive");
        }
        exchange.setProperty(SyncHeaders.CHANGE, change);
        var message = exchange.getMessage();
        message.setHeader(SyncHeaders.OBJECT, change.sobject());
        message.setHeader(SyncHeaders.OBJECT_KEY, change.sobject().toLowerCase(Locale.ROOT));
        message.setHeader(SyncHeaders.RECORD_ID, change.recordId());
        message.setHeader(SyncHeaders.EVENT_ID, change.eventId());
        message.setHeader(SyncHeaders.CHANGE_TYPE, change.changeType().name());
        message.setBody(change);
        return change;
    }

    /** The payload as bytes, whichever way the consumer delivered it. */
    static byte[] bytes(Object body) {
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof BinaryData data) {
            return data.toBytes();
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void checkRaw(byte[] body, String contentType) {
        if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            throw new RejectedChangeException(
                    RejectionReason.EMPTY_BODY,
                    "The message body is empty: the publisher must send one change message as JSON");
        }
        if (body.length > maxBytes) {
            throw new RejectedChangeException(
                    RejectionReason.TOO_LARGE,
                    "The message has " + body.length
                            + " bytes, more than sfcache.sync.max-message-bytes=" + maxBytes
                            + ": check the publisher (a runaway long-text field?) or raise the limit (Cosmos items are <= 2 MB)");
        }
        if (contentType != null
                && !contentType.isBlank()
                && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new RejectedChangeException(
                    RejectionReason.UNSUPPORTED_CONTENT_TYPE,
                    "Content type '" + contentType + "' is not supported: the publisher must send application/json");
        }
    }

    private JsonNode parse(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RejectedChangeException(
                    RejectionReason.MALFORMED_JSON,
                    "The body is not well-formed JSON: "
                            + e.getOriginalMessage() + " at line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new RejectedChangeException(
                    RejectionReason.MALFORMED_JSON, "The body cannot be read as JSON: " + e.getMessage());
        }
    }

    private void checkEnvelope(JsonNode node) {
        if (!node.isObject()) {
            throw new RejectedChangeException(
                    RejectionReason.INVALID_ENVELOPE,
                    "The body is JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT)
                            + ", not a change message object");
        }
        String tooDeep = SalesforceValueLimits.tooDeep(node);
        if (tooDeep != null) {
            throw new RejectedChangeException(RejectionReason.INVALID_ENVELOPE, tooDeep);
        }
        JsonNode version = node.get("schemaVersion");
        if (version != null && version.canConvertToInt() && version.asInt() != ChangeMessage.SCHEMA_VERSION) {
            throw new RejectedChangeException(
                    RejectionReason.INVALID_ENVELOPE,
                    "schemaVersion " + version.asInt()
                            + " is not supported: this sfcache reads version " + ChangeMessage.SCHEMA_VERSION
                            + "; upgrade sfcache before the publisher, then redrive");
        }
        List<String> violations = validator.envelopeViolations(node);
        if (!violations.isEmpty()) {
            throw new RejectedChangeException(
                    RejectionReason.INVALID_ENVELOPE,
                    "The message breaks contracts/change-message.schema.json: " + String.join("; ", violations),
                    violations);
        }
    }

    /** The envelope-valid message as a {@link ChangeMessage}, bound by Jackson. */
    private ChangeMessage toChange(ObjectNode node) {
        try {
            return json.treeToValue(node, ChangeMessage.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // What the envelope schema lets through but Java cannot hold, e.g. a sequence beyond a long.
            throw new RejectedChangeException(
                    RejectionReason.INVALID_ENVELOPE,
                    "The message cannot be read as a "
                            + "change message: "
                            + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }
}
