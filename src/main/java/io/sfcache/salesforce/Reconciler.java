package io.sfcache.salesforce;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeSource;
import io.sfcache.sync.ChangeType;
import io.sfcache.sync.RecordDocument;
import io.sfcache.sync.RecordVersion;
import io.sfcache.sync.SyncHeaders;
import io.sfcache.sync.WriteDecision;

/**
 * Re-reads records from Salesforce over REST and sends them through the sync flow as full changes (source
 * RECONCILIATION): by id when a change event could not say what changed (gap events), or everything modified since
 * a moment when events may have been lost (overflow, a rejected replay id). The order guard makes it harmless to
 * re-read what is already stored.
 */
@Component("reconciler")
public class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Salesforce ids only ever contain these: safe to put into SOQL text. */
    private static final Pattern SALESFORCE_ID = Pattern.compile("[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?");
    private static final DateTimeFormatter SOQL_DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);
    /** Salesforce's REST date-times: 2026-11-27T10:00:00.000+0000. */
    private static final DateTimeFormatter REST_DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSZ");

    /**
     * @param seen records read from Salesforce; @param repaired of those, the ones missing from or older in Cosmos,
     * now written; @param rejected the ones the sync flow dead-lettered (e.g. they break the data contract)
     */
    public record Result(String sobject, int seen, int repaired, int rejected) {
    }

    private final DataContracts contracts;
    private final ProducerTemplate producer;
    private final CamelContext camel;
    private final ObjectMapper json;
    private final java.time.Duration overlap;

    public Reconciler(DataContracts contracts, ProducerTemplate producer, CamelContext camel, ObjectMapper json,
            SalesforceProperties salesforce) {
        this.overlap = salesforce.getCdc().getReconcileOverlap();
        this.contracts = contracts;
        this.producer = producer;
        this.camel = camel;
        this.json = json;
    }

    /** Re-reads the given records (deleted ones too) and syncs them. */
    public Result repair(String sobject, List<String> ids) {
        List<String> safe = ids.stream().filter(id -> SALESFORCE_ID.matcher(id).matches()).toList();
        if (safe.isEmpty()) {
            return new Result(sobject, 0, 0, 0);
        }
        return run(sobject, "Id IN ('" + String.join("','", safe) + "')");
    }

    /** Re-reads everything modified since {@code since} and syncs it. */
    public Result reconcile(String sobject, Instant since) {
        return run(sobject, "SystemModstamp >= " + SOQL_DATETIME.format(since));
    }

    /** Re-reads everything modified in [from, to) and syncs it: an outage's window. */
    public Result reconcile(String sobject, Instant from, Instant to) {
        return run(sobject, "SystemModstamp >= " + SOQL_DATETIME.format(from) + " AND SystemModstamp < "
                + SOQL_DATETIME.format(to));
    }

    /**
     * Re-reads what changed around a moment when changes may have been lost (an overflow event, a lost replay
     * position): from {@code sfcache.salesforce.cdc.reconcile-overlap} before it, as commit times and clocks differ.
     */
    public Result reconcileAround(String sobject, Instant moment) {
        return reconcile(sobject, moment.minus(overlap));
    }

    private Result run(String sobject, String where) {
        DataContract contract = contracts.find(sobject).orElseThrow(() ->
                new IllegalArgumentException(sobject + " is not a monitored object"));
        List<String> columns = new ArrayList<>(List.of("Id", "SystemModstamp", "IsDeleted"));
        columns.addAll(contract.fields().keySet());
        String soql = "SELECT " + String.join(", ", columns) + " FROM " + sobject + " WHERE " + where
                + " ORDER BY SystemModstamp ASC";
        int seen = 0;
        int repaired = 0;
        int rejected = 0;
        // queryAll: deleted records (in the recycle bin) come back too, so deletes are repaired as well.
        JsonNode page = call("salesforce:queryAll?rawPayload=true", soql);
        while (true) {
            for (JsonNode row : page.path("records")) {
                seen++;
                String decision = sync(contract, row);
                if (decision == null) {
                    rejected++;
                } else if (WriteDecision.CREATE.name().equals(decision) || WriteDecision.REPLACE.name().equals(decision)) {
                    repaired++;
                }
            }
            if (page.path("done").asBoolean(true) || !page.hasNonNull("nextRecordsUrl")) {
                break;
            }
            page = call("salesforce:queryMore?rawPayload=true", page.get("nextRecordsUrl").asText());
        }
        LOG.info("Re-read {} {} record(s) from Salesforce ({}): {} repaired, {} rejected", seen, sobject, where,
                repaired, rejected);
        return new Result(sobject, seen, repaired, rejected);
    }

    private JsonNode call(String endpoint, String query) {
        SalesforceCalls.refuseWhileStopping(camel);
        Object body = producer.requestBodyAndHeader(endpoint, null, "sObjectQuery", query);
        try {
            return json.readTree(body instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                    : camel.getTypeConverter().convertTo(String.class, body));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Salesforce answered something that is not JSON: " + e.getMessage(), e);
        }
    }

    /** @return the order guard's decision, or null if the change went to the dead letters */
    private String sync(DataContract contract, JsonNode row) {
        Instant modstamp = OffsetDateTime.parse(row.path("SystemModstamp").asText(), REST_DATETIME).toInstant();
        boolean deleted = row.path("IsDeleted").asBoolean(false);
        ObjectNode fields = null;
        if (!deleted) {
            fields = JsonNodeFactory.instance.objectNode();
            for (DataContract.Field field : contract.fields().values()) {
                fields.set(field.name(), value(row.get(field.name()), field));
            }
        }
        // Stable per record version: reading the same state again is a duplicate, not a new change.
        String id = row.path("Id").asText();
        ChangeMessage change = new ChangeMessage("reconcile:" + id + ":" + modstamp.toEpochMilli(), contract.sobject(),
                deleted ? ChangeType.DELETE : ChangeType.UPDATE, id, new RecordVersion(modstamp, 0), modstamp, fields,
                false, null);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(SyncHeaders.SOURCE, ChangeSource.RECONCILIATION);
        exchange.getMessage().setBody(json.valueToTree(change).toString());
        exchange.getMessage().setHeader("CamelAzureServiceBusMessageId", change.eventId());
        Exchange done = producer.send("direct:sync-change?synchronous=true", exchange);
        if (done.isFailed()) {
            throw new IllegalStateException("reconciling " + contract.sobject() + " " + row.path("Id").asText()
                    + " failed: " + done.getException(), done.getException());
        }
        return done.getProperty(SyncHeaders.DEAD_LETTERED) != null ? null
                : done.getProperty(SyncHeaders.DECISION, String.class);
    }

    private static JsonNode value(JsonNode value, DataContract.Field field) {
        if (value == null || value.isNull()) {
            return JsonNodeFactory.instance.nullNode();
        }
        if ("datetime".equalsIgnoreCase(field.salesforceType())) {
            return JsonNodeFactory.instance.textNode(RecordDocument.timestamp(
                    OffsetDateTime.parse(value.asText(), REST_DATETIME).toInstant()));
        }
        return value;
    }
}
