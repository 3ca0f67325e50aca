package io.sfcache.sync;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sends open dead letters through the sync flow again, typically after a contract fix, and reports how many went
 * through and how many failed again. Usable from Hawtio (JMX, io.sfcache:type=Redrive) and from the {@code redrive}
 * route.
 */
@Component("redrive")
@ManagedResource(objectName = "io.sfcache:type=Redrive", description = "Re-submit dead letters to the sync flow")
public class Redrive {

    private static final Logger LOG = LoggerFactory.getLogger(Redrive.class);
    /** One call's upper bound; call again for more. */
    static final int BATCH_LIMIT = 10_000;

    /**
     * @param failedAgain  dead-lettered again (the dead letter shows the new reason and one more attempt)
     * @param stillFailing failed transiently (e.g. Cosmos down); the dead letter stays open
     */
    public record Result(int matched, int succeeded, int failedAgain, int stillFailing, List<String> failures) {
        @Override
        public String toString() {
            return "matched " + matched + ", succeeded " + succeeded + ", failed again " + failedAgain
                    + ", failed transiently " + stillFailing + (failures.isEmpty() ? "" : ": " + failures);
        }
    }

    private final DeadLetterStore store;
    private final ProducerTemplate producer;
    private final CamelContext camel;
    private final Clock clock;

    public Redrive(DeadLetterStore store, ProducerTemplate producer, CamelContext camel, Clock clock) {
        this.store = store;
        this.producer = producer;
        this.camel = camel;
        this.clock = clock;
    }

    @ManagedOperation(description = "Redrive every open dead letter")
    public String redriveAll() {
        return redrive(DeadLetterStore.Filter.all()).toString();
    }

    @ManagedOperation(description = "Redrive the open dead letters of one object, e.g. Account")
    @ManagedOperationParameter(name = "sobject", description = "Salesforce object API name")
    public String redriveObject(String sobject) {
        return redrive(new DeadLetterStore.Filter(sobject, null, null)).toString();
    }

    @ManagedOperation(description = "Redrive the open dead letters with one reason, e.g. CONTRACT_VIOLATION")
    @ManagedOperationParameter(name = "reason", description = "Reason code")
    public String redriveReason(String reason) {
        return redrive(new DeadLetterStore.Filter(null, reason, null)).toString();
    }

    @ManagedOperation(description = "Redrive one dead letter by its id")
    @ManagedOperationParameter(name = "id", description = "Dead letter id")
    public String redriveId(String id) {
        return redrive(new DeadLetterStore.Filter(null, null, id)).toString();
    }

    /** Route entry: blank filter values match everything. */
    public Result redrive(String sobject, String reason, String id) {
        return redrive(new DeadLetterStore.Filter(blankToNull(sobject), blankToNull(reason), blankToNull(id)));
    }

    public Result redrive(DeadLetterStore.Filter filter) {
        List<ObjectNode> letters = store.findOpen(filter, BATCH_LIMIT);
        int succeeded = 0;
        int failedAgain = 0;
        int stillFailing = 0;
        List<String> failures = new ArrayList<>();
        for (ObjectNode letter : letters) {
            Exchange result = producer.send("direct:sync-change?synchronous=true", toExchange(letter));
            String id = letter.get("id").asText();
            if (result.getProperty(SyncHeaders.DEAD_LETTERED) != null) {
                failedAgain++;
                failures.add(id + ": " + result.getProperty(SyncHeaders.DEAD_LETTERED));
            } else if (result.isFailed()) {
                stillFailing++;
                failures.add(id + ": " + result.getException());
            } else {
                store.markRedriven(id, clock.instant());
                succeeded++;
            }
        }
        Result result = new Result(letters.size(), succeeded, failedAgain, stillFailing, failures);
        LOG.info("Redrive {}: {}", filter, result);
        return result;
    }

    /** The original message again: same body, id, content type and properties, so it is the same dead letter. */
    private Exchange toExchange(ObjectNode letter) {
        Exchange exchange = new DefaultExchange(camel);
        String body = letter.path("body").asText("");
        exchange.getMessage().setBody("base64".equals(letter.path("bodyEncoding").asText())
                ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8));
        exchange.getMessage().setHeader(DeadLetters.MESSAGE_ID, letter.path("messageId").asText(null));
        exchange.getMessage().setHeader(DeadLetters.CONTENT_TYPE, letter.path("contentType").asText(null));
        Map<String, Object> properties = new LinkedHashMap<>();
        letter.path("applicationProperties").fields()
                .forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        exchange.getMessage().setHeader(DeadLetters.APPLICATION_PROPERTIES, properties);
        JsonNode source = letter.get("source");
        exchange.setProperty(SyncHeaders.SOURCE, source == null ? ChangeSource.QUEUE
                : ChangeSource.valueOf(source.asText()));
        return exchange;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
