package io.sfcache.sync;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The times of a change message in JSON: read as any ISO-8601 instant ({@link Instant#parse}), written in
 * {@link RecordDocument#timestamp}'s one fixed width. Named on the records' components, so binding a change message
 * does not depend on how the ObjectMapper was configured (JavaTimeModule or not).
 */
final class JsonTimestamps {

    private JsonTimestamps() {}

    public static final class Write extends StdScalarSerializer<Instant> {
        public Write() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(RecordDocument.timestamp(value));
        }
    }

    public static final class Read extends StdScalarDeserializer<Instant> {
        public Read() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser in, DeserializationContext context) throws IOException {
            String text = in.getValueAsString();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException | NullPointerException e) {
                return (Instant) context.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
            }
        }
    }
}
