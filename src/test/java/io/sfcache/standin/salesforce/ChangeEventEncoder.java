package io.sfcache.standin.salesforce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes a change event's Avro payload (plain Avro binary, no container header, as the Pub/Sub API carries it): the
 * header, then every field of the schema, null unless the event carries it.
 */
final class ChangeEventEncoder {

    /** The {@code ChangeEventHeader} values; bitmaps already encoded. */
    record Header(
            String entityName,
            List<String> recordIds,
            String changeType,
            String changeOrigin,
            String transactionKey,
            int sequenceNumber,
            long commitTimestamp,
            long commitNumber,
            String commitUser,
            List<String> nulledFields,
            List<String> diffFields,
            List<String> changedFields) {}

    private ChangeEventEncoder() {}

    /**
     * @param values the fields the event carries, by flat API name ({@code BillingCity}), in-memory form; a field
     *        missing here (or null) is written as null
     */
    static byte[] encode(ChangeEventSchema schema, Header header, Map<String, Object> values) {
        Schema avro = schema.avro();
        GenericRecord event = new GenericData.Record(avro);
        event.put("ChangeEventHeader", header(avro.getField("ChangeEventHeader").schema(), header));
        for (ChangeEventSchema.Slot slot : schema.slots()) {
            if (slot.compound()) {
                Schema partsSchema = nonNull(avro.getField(slot.name()).schema());
                GenericRecord compound = new GenericData.Record(partsSchema);
                boolean any = false;
                for (FieldDef part : slot.parts()) {
                    Object value = values.get(part.name());
                    if (value != null) {
                        compound.put(part.compoundPart(), part.type().toAvro(value));
                        any = true;
                    }
                }
                event.put(slot.name(), any ? compound : null);
            } else {
                Object value = values.get(slot.name());
                event.put(
                        slot.name(), value == null ? null : slot.field().type().toAvro(value));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            new GenericDatumWriter<GenericRecord>(avro).write(event, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static GenericRecord header(Schema schema, Header h) {
        GenericRecord header = new GenericData.Record(schema);
        header.put("entityName", h.entityName());
        header.put("recordIds", h.recordIds());
        header.put(
                "changeType",
                new GenericData.EnumSymbol(schema.getField("changeType").schema(), h.changeType()));
        header.put("changeOrigin", h.changeOrigin());
        header.put("transactionKey", h.transactionKey());
        header.put("sequenceNumber", h.sequenceNumber());
        header.put("commitTimestamp", h.commitTimestamp());
        header.put("commitNumber", h.commitNumber());
        header.put("commitUser", h.commitUser());
        header.put("nulledFields", h.nulledFields());
        header.put("diffFields", h.diffFields());
        header.put("changedFields", h.changedFields());
        return header;
    }

    private static Schema nonNull(Schema union) {
        return union.getTypes().stream()
                .filter(t -> t.getType() != Schema.Type.NULL)
                .findFirst()
                .orElseThrow();
    }
}
