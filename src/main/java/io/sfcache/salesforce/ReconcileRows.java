package io.sfcache.salesforce;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.RecordDocument;

/**
 * Route step: one record as Salesforce's REST query returns it, turned into a full change message (source
 * RECONCILIATION) for the sync flow. A deleted record (queryAll reads the recycle bin) becomes a delete.
 */
@Component("reconcileRows")
public class ReconcileRows {

    /** Salesforce's REST date-times: 2026-11-27T10:00:00.000+0000. */
    private static final DateTimeFormatter REST_DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSZ");

    private final DataContracts contracts;

    public ReconcileRows(DataContracts contracts) {
        this.contracts = contracts;
    }

    public ObjectNode toChange(JsonNode row, String sobject) {
        return change(contracts.find(sobject).orElseThrow(() ->
                new IllegalArgumentException(sobject + " is not a monitored object")), row);
    }

    static ObjectNode change(DataContract contract, JsonNode row) {
        Instant modstamp = OffsetDateTime.parse(row.path("SystemModstamp").asText(), REST_DATETIME).toInstant();
        boolean deleted = row.path("IsDeleted").asBoolean(false);
        ObjectNode change = JsonNodeFactory.instance.objectNode();
        change.put("schemaVersion", 1);
        // Stable per record version: reading the same state again is a duplicate, not a new change.
        change.put("eventId", "reconcile:" + row.path("Id").asText() + ":" + modstamp.toEpochMilli());
        change.put("sobject", contract.sobject());
        change.put("changeType", deleted ? "DELETE" : "UPDATE");
        change.put("recordId", row.path("Id").asText());
        ObjectNode version = change.putObject("version");
        version.put("systemModstamp", RecordDocument.timestamp(modstamp));
        version.put("sequence", 0);
        change.put("commitTime", RecordDocument.timestamp(modstamp));
        if (!deleted) {
            ObjectNode fields = change.putObject("fields");
            contract.fields().values().forEach(field -> fields.set(field.name(), value(row.get(field.name()), field)));
        }
        return change;
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
