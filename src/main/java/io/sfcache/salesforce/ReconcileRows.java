package io.sfcache.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeType;
import io.sfcache.sync.RecordDocument;
import io.sfcache.sync.RecordVersion;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/**
 * Route step: one record as Salesforce's REST query returns it, turned into a full change message (source
 * RECONCILIATION) for the sync flow. A deleted record (queryAll reads the recycle bin) becomes a delete.
 */
@Component("reconcileRows")
public class ReconcileRows {

    /** Salesforce's REST date-times: 2026-11-27T10:00:00.000+0000. */
    private static final DateTimeFormatter REST_DATETIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSZ");

    /** ChangeMessage carries its own (de)serialisers: a plain mapper writes the envelope exactly. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataContracts contracts;

    public ReconcileRows(DataContracts contracts) {
        this.contracts = contracts;
    }

    public ObjectNode toChange(JsonNode row, String sobject) {
        return change(
                contracts
                        .find(sobject)
                        .orElseThrow(() -> new IllegalArgumentException(sobject + " is not a monitored object")),
                row);
    }

    static ObjectNode change(DataContract contract, JsonNode row) {
        Instant modstamp = OffsetDateTime.parse(row.path("SystemModstamp").asText(), REST_DATETIME)
                .toInstant();
        boolean deleted = row.path("IsDeleted").asBoolean(false);
        ObjectNode fields = null;
        if (!deleted) {
            fields = JsonNodeFactory.instance.objectNode();
            for (DataContract.Field field : contract.fields().values()) {
                fields.set(field.name(), value(row.get(field.name()), field));
            }
        }
        String id = row.path("Id").asText();
        // Stable per record version: reading the same state again is a duplicate, not a new change.
        ChangeMessage change = new ChangeMessage(
                "reconcile:" + id + ":" + modstamp.toEpochMilli(),
                contract.sobject(),
                deleted ? ChangeType.DELETE : ChangeType.UPDATE,
                id,
                new RecordVersion(modstamp, 0),
                modstamp,
                fields,
                false,
                null);
        return JSON.valueToTree(change);
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
