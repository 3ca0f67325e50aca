package io.sfcache.standin.salesforce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The Avro schema of an object's change events ({@code AccountChangeEvent}, ...) shaped like Salesforce's: first the
 * {@code ChangeEventHeader} record, then every field of the object as a nullable union with default null (compound
 * fields as nested records of nullable parts), then {@code CreatedDate}, {@code CreatedById}, {@code LastModifiedDate},
 * {@code LastModifiedById}. No {@code Id} (it is in {@code recordIds}), {@code IsDeleted} or {@code SystemModstamp},
 * as in Salesforce.
 *
 * <p>Field bitmaps ({@code changedFields}, {@code nulledFields}, {@code diffFields}) index this field order: bit
 * {@code n} of the hex number is the schema's field {@code n} (the header is field 0). A part of a compound field is
 * written as a second entry {@code "<n>-0x.."}, {@code n} the compound's index, the bitmap over its parts; the
 * compound's own bit stays unset (Salesforce's {@code ['0x0100', '3-0x02']} decodes to
 * {@code [LastModifiedDate, BillingAddress.City]}).
 *
 * <p>The schema id is derived from the schema text, so a changed field type gives a new id, as in Salesforce.
 */
final class ChangeEventSchema {

    static final String NAMESPACE = "com.sforce.eventbus";
    static final List<String> CHANGE_TYPES = List.of(
            "CREATE",
            "UPDATE",
            "DELETE",
            "UNDELETE",
            "GAP_CREATE",
            "GAP_UPDATE",
            "GAP_DELETE",
            "GAP_UNDELETE",
            "GAP_OVERFLOW",
            "SNAPSHOT");
    private static final List<String> TRAILING_SYSTEM_FIELDS =
            List.of("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A top-level field after the header: a plain field, or a compound with its parts. */
    record Slot(String name, FieldDef field, List<FieldDef> parts) {
        boolean compound() {
            return field == null;
        }
    }

    private final String sobject;
    private final List<Slot> slots;
    private final String json;
    private final Schema avro;
    private final String id;

    private ChangeEventSchema(String sobject, List<Slot> slots) {
        this.sobject = sobject;
        this.slots = List.copyOf(slots);
        this.json = toJson(sobject, slots);
        this.avro = new Schema.Parser().parse(json);
        this.id = idOf(json);
    }

    static ChangeEventSchema of(SObjectDef def) {
        Map<String, Slot> slots = new LinkedHashMap<>();
        for (FieldDef field : def.dataFields()) {
            if (field.compound() == null) {
                slots.put(field.name(), new Slot(field.name(), field, List.of()));
            } else {
                Slot existing = slots.get(field.compound());
                List<FieldDef> parts = new ArrayList<>(existing == null ? List.of() : existing.parts());
                parts.add(field);
                slots.put(field.compound(), new Slot(field.compound(), null, parts));
            }
        }
        for (String name : TRAILING_SYSTEM_FIELDS) {
            def.field(name).ifPresent(f -> slots.put(name, new Slot(name, f, List.of())));
        }
        return new ChangeEventSchema(def.name(), new ArrayList<>(slots.values()));
    }

    String sobject() {
        return sobject;
    }

    /** {@code AccountChangeEvent}. */
    String eventName() {
        return sobject + "ChangeEvent";
    }

    String id() {
        return id;
    }

    String json() {
        return json;
    }

    Schema avro() {
        return avro;
    }

    List<Slot> slots() {
        return slots;
    }

    /** Whether change events carry this field (system fields like SystemModstamp they do not). */
    boolean carries(String fieldName) {
        return locate(fieldName) != null;
    }

    /**
     * The bitmap entries for these fields (flat API names, e.g. {@code BillingCity}): the top-level bitmap first (left
     * out when no top-level field is named), then one {@code "<n>-0x.."} per compound with a named part. Empty for no
     * fields. Fields the events do not carry are ignored.
     */
    List<String> bitmaps(Collection<String> fieldNames) {
        BigInteger top = BigInteger.ZERO;
        Map<Integer, BigInteger> compounds = new TreeMap<>();
        for (String name : fieldNames) {
            int[] at = locate(name);
            if (at == null) {
                continue;
            }
            if (at[1] < 0) {
                top = top.setBit(at[0]);
            } else {
                compounds.merge(at[0], BigInteger.ZERO.setBit(at[1]), BigInteger::or);
            }
        }
        List<String> entries = new ArrayList<>();
        if (top.signum() != 0) {
            entries.add(hex(top));
        }
        compounds.forEach((index, bits) -> entries.add(index + "-" + hex(bits)));
        return entries;
    }

    /** Upper-case hex of whole bytes, as Salesforce writes them: {@code 0x650004E0}. */
    static String hex(BigInteger bits) {
        String digits = bits.toString(16).toUpperCase(java.util.Locale.ROOT);
        return "0x" + (digits.length() % 2 == 1 ? "0" + digits : digits);
    }

    /** {schema field index, part index or -1} of a flat field name, or null. */
    private int[] locate(String fieldName) {
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get(i);
            if (!slot.compound() && slot.field().name().equals(fieldName)) {
                return new int[] {i + 1, -1};
            }
            for (int p = 0; p < slot.parts().size(); p++) {
                if (slot.parts().get(p).name().equals(fieldName)) {
                    return new int[] {i + 1, p};
                }
            }
        }
        return null;
    }

    private static String toJson(String sobject, List<Slot> slots) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", "record");
        root.put("name", sobject + "ChangeEvent");
        root.put("namespace", NAMESPACE);
        ArrayNode fields = root.putArray("fields");
        ObjectNode header = fields.addObject();
        header.put("name", "ChangeEventHeader");
        header.set("type", headerSchema());
        header.put("doc", "Data:ComplexValueType");
        Set<String> recordNames = new HashSet<>();
        for (Slot slot : slots) {
            if (slot.compound()) {
                String recordName = slot.name().endsWith("Address") ? "Address" : "Switchable_PersonName";
                if (!recordNames.add(recordName)) {
                    throw new IllegalStateException(sobject + " has two compound fields of type " + recordName);
                }
                ObjectNode compound = JSON.createObjectNode();
                compound.put("type", "record");
                compound.put("name", recordName);
                ArrayNode parts = compound.putArray("fields");
                for (FieldDef part : slot.parts()) {
                    nullableField(
                            parts,
                            part.compoundPart(),
                            part.type().avroType(),
                            part.type().avroDoc());
                }
                ObjectNode field = fields.addObject();
                field.put("name", slot.name());
                field.putArray("type").add("null").add(compound);
                field.put("doc", "Data:" + recordName);
                field.putNull("default");
            } else {
                FieldDef f = slot.field();
                String doc = f.system() ? systemDoc(f.name()) : f.type().avroDoc();
                nullableField(fields, f.name(), f.type().avroType(), doc);
            }
        }
        return root.toString();
    }

    private static String systemDoc(String name) {
        // CreatedDate:DateTime, CreatedBy:EntityId, ... as in Salesforce's schemas
        return name.endsWith("Id") ? name.substring(0, name.length() - 2) + ":EntityId" : name + ":DateTime";
    }

    private static void nullableField(ArrayNode fields, String name, String avroType, String doc) {
        ObjectNode field = fields.addObject();
        field.put("name", name);
        field.putArray("type").add("null").add(avroType);
        field.put("doc", doc);
        field.putNull("default");
    }

    private static ObjectNode headerSchema() {
        ObjectNode header = JSON.createObjectNode();
        header.put("type", "record");
        header.put("name", "ChangeEventHeader");
        ArrayNode fields = header.putArray("fields");
        fields.addObject().put("name", "entityName").put("type", "string");
        stringArray(fields, "recordIds");
        ObjectNode changeType = fields.addObject();
        changeType.put("name", "changeType");
        ObjectNode changeTypeEnum = changeType.putObject("type");
        changeTypeEnum.put("type", "enum");
        changeTypeEnum.put("name", "ChangeType");
        ArrayNode symbols = changeTypeEnum.putArray("symbols");
        CHANGE_TYPES.forEach(symbols::add);
        fields.addObject().put("name", "changeOrigin").put("type", "string");
        fields.addObject().put("name", "transactionKey").put("type", "string");
        fields.addObject().put("name", "sequenceNumber").put("type", "int");
        fields.addObject().put("name", "commitTimestamp").put("type", "long");
        fields.addObject().put("name", "commitNumber").put("type", "long");
        fields.addObject().put("name", "commitUser").put("type", "string");
        stringArray(fields, "nulledFields");
        stringArray(fields, "diffFields");
        stringArray(fields, "changedFields");
        return header;
    }

    private static void stringArray(ArrayNode fields, String name) {
        ObjectNode field = fields.addObject();
        field.put("name", name);
        ObjectNode array = field.putObject("type");
        array.put("type", "array");
        array.put("items", "string");
    }

    /** 22 characters of URL-safe base64, like Salesforce's schema ids. */
    private static String idOf(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(digest)
                    .substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
