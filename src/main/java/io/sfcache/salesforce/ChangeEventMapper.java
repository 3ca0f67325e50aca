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
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.springframework.stereotype.Component;

/**
 * Turns a Salesforce change event (Avro, as the Pub/Sub API delivers it) into sfcache change messages, one per
 * record id. Salesforce sends every field, with unchanged ones null; which fields changed or were cleared is only in
 * the header's {@code changedFields}/{@code nulledFields} bitmaps over the schema's field order. An update therefore
 * becomes a partial change carrying exactly those fields, so fields the event did not carry are never wiped.
 */
@Component("changeEventMapper")
public class ChangeEventMapper {

    /** What one change event asks of sfcache. */
    public record Mapped(List<ObjectNode> changes, String sobject, List<String> repairIds, Instant overflowAt) {
        public boolean needsRepair() {
            return !repairIds.isEmpty();
        }

        public boolean needsReconcile() {
            return overflowAt != null;
        }
    }

    private static final String HEADER = "ChangeEventHeader";

    private final DataContracts contracts;
    private final ObjectMapper json;

    public ChangeEventMapper(DataContracts contracts, ObjectMapper json) {
        this.contracts = contracts;
        this.json = json;
    }

    /** @param eventId the Pub/Sub event id, shared by the event's records */
    public Mapped map(GenericRecord event, String eventId) {
        GenericRecord header = (GenericRecord) event.get(HEADER);
        String sobject = text(header.get("entityName"));
        String changeType = text(header.get("changeType"));
        List<String> recordIds = new ArrayList<>();
        ((List<?>) header.get("recordIds")).forEach(id -> recordIds.add(text(id)));
        Instant commit = Instant.ofEpochMilli((Long) header.get("commitTimestamp"));
        long sequence = ((Number) header.get("sequenceNumber")).longValue();

        boolean wildcard = recordIds.stream().anyMatch(id -> id.endsWith("*"));
        if ("GAP_OVERFLOW".equals(changeType) || wildcard) {
            // Too many changes to list: re-read the object for the affected window.
            return new Mapped(List.of(), sobject, List.of(), commit);
        }
        if (changeType.startsWith("GAP_")) {
            // Salesforce could not say what changed: re-read these records.
            return new Mapped(List.of(), sobject, recordIds, null);
        }
        DataContract contract = contracts.find(sobject).orElse(null);
        ObjectNode fields = contract == null ? null : fields(event, header, changeType, contract);
        boolean carriesFields = fields != null && !"DELETE".equals(changeType);
        List<ObjectNode> changes = new ArrayList<>();
        for (String recordId : recordIds) {
            // One event, several records: each record's change gets its own id, stable across replays.
            ChangeMessage change = new ChangeMessage(
                    recordIds.size() == 1 ? eventId : eventId + ":" + recordId,
                    sobject,
                    ChangeType.valueOf(changeType),
                    recordId,
                    new RecordVersion(commit, sequence),
                    commit,
                    carriesFields ? fields.deepCopy() : null,
                    carriesFields && "UPDATE".equals(changeType),
                    null);
            changes.add(json.valueToTree(change));
        }
        return new Mapped(changes, sobject, List.of(), null);
    }

    /**
     * Create and undelete carry every non-empty field; an update only the changed and the cleared ones (by the
     * bitmaps). Only contract fields are kept.
     */
    private ObjectNode fields(GenericRecord event, GenericRecord header, String changeType, DataContract contract) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        if ("UPDATE".equals(changeType)) {
            Set<String> nulled = fieldNames(event.getSchema(), header.get("nulledFields"));
            for (String name : fieldNames(event.getSchema(), header.get("changedFields"))) {
                Object value = nulled.contains(name) ? null : valueOf(event, name);
                putIfDeclared(fields, contract, name, value);
            }
            for (String name : nulled) {
                putIfDeclared(fields, contract, name, null);
            }
        } else {
            for (Schema.Field field : event.getSchema().getFields()) {
                if (!HEADER.equals(field.name()) && event.get(field.name()) != null) {
                    flatten(field.name(), event.get(field.name()), contract, fields);
                }
            }
        }
        return fields;
    }

    private void flatten(String name, Object value, DataContract contract, ObjectNode fields) {
        if (value instanceof GenericRecord compound) {
            // Compound fields (BillingAddress, Name) hold their parts as nested fields.
            for (Schema.Field part : compound.getSchema().getFields()) {
                if (compound.get(part.name()) != null) {
                    putIfDeclared(fields, contract, partName(name, part.name(), contract), compound.get(part.name()));
                }
            }
        } else {
            putIfDeclared(fields, contract, name, value);
        }
    }

    /** BillingAddress + City -> BillingCity; Name + LastName -> LastName. */
    private static String partName(String compound, String part, DataContract contract) {
        if (contract.declares(part)) {
            return part;
        }
        return compound.replaceFirst("Address$", "") + part;
    }

    private Object valueOf(GenericRecord event, String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return event.get(name);
        }
        Object compound = event.get(name.substring(0, dot));
        return compound instanceof GenericRecord record ? record.get(name.substring(dot + 1)) : null;
    }

    private void putIfDeclared(ObjectNode fields, DataContract contract, String name, Object value) {
        String apiName = name;
        int dot = name.indexOf('.');
        if (dot >= 0) {
            apiName = partName(name.substring(0, dot), name.substring(dot + 1), contract);
        }
        DataContract.Field field = contract.fields().get(apiName);
        if (field == null) {
            return;
        }
        fields.set(apiName, toJson(value, field.salesforceType()));
    }

    /** Pub/Sub sends dates as days and date-times as milliseconds since the epoch; sfcache stores ISO text. */
    private JsonNode toJson(Object value, String salesforceType) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        String type = salesforceType == null ? "" : salesforceType.toLowerCase(Locale.ROOT);
        if ("date".equals(type) && value instanceof Number days) {
            return JsonNodeFactory.instance.textNode(
                    LocalDate.ofEpochDay(days.longValue()).toString());
        }
        if ("datetime".equals(type) && value instanceof Number millis) {
            return JsonNodeFactory.instance.textNode(
                    RecordDocument.timestamp(Instant.ofEpochMilli(millis.longValue())));
        }
        if (value instanceof CharSequence || value instanceof org.apache.avro.generic.GenericEnumSymbol<?>) {
            return JsonNodeFactory.instance.textNode(value.toString());
        }
        return json.valueToTree(value);
    }

    /**
     * Field names from Salesforce's bitmap strings: {@code "0x650004E0"} sets one bit per top-level field position;
     * {@code "3-0x0004"} sets bits over the nested fields of the compound field at position 3.
     */
    static Set<String> fieldNames(Schema schema, Object bitmaps) {
        Set<String> names = new LinkedHashSet<>();
        if (!(bitmaps instanceof List<?> list)) {
            return names;
        }
        List<Schema.Field> fields = schema.getFields();
        for (Object entry : list) {
            String bitmap = text(entry);
            int dash = bitmap.indexOf('-');
            if (dash > 0) {
                Schema.Field parent = fields.get(Integer.parseInt(bitmap.substring(0, dash)));
                Schema nested = recordOf(parent.schema());
                for (int bit : bits(bitmap.substring(dash + 1))) {
                    names.add(parent.name() + "." + nested.getFields().get(bit).name());
                }
            } else {
                for (int bit : bits(bitmap)) {
                    names.add(fields.get(bit).name());
                }
            }
        }
        return names;
    }

    private static List<Integer> bits(String hex) {
        BigInteger value = new BigInteger(hex.startsWith("0x") ? hex.substring(2) : hex, 16);
        List<Integer> bits = new ArrayList<>();
        for (int i = 0; i < value.bitLength(); i++) {
            if (value.testBit(i)) {
                bits.add(i);
            }
        }
        return bits;
    }

    private static Schema recordOf(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream()
                    .filter(s -> s.getType() == Schema.Type.RECORD)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("not a compound field: " + schema));
        }
        return schema;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
