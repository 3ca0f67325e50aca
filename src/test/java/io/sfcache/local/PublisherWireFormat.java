package io.sfcache.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.fixtures.Json;
import io.sfcache.standin.ProjectDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * How the Apex publisher sends to Service Bus, read from the one description both sides use: the
 * {@code serviceBusBatch} section of the publisher's example payloads (static resource SfcacheExamplePayloads),
 * which the Apex tests check what {@code SfcacheServiceBus} builds against. The simulator builds its requests from
 * it, and refuses a description with a property it does not know how to fill: a change to the publisher's wire
 * format then breaks a Java test here (SimulatedPublisherTest) until the simulator follows.
 */
final class PublisherWireFormat {

    static final Path EXAMPLES =
            ProjectDir.get().resolve("apex/force-app/main/default/staticresources/SfcacheExamplePayloads.json");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String contentType;
    private final JsonNode example;

    private PublisherWireFormat(String contentType, JsonNode example) {
        this.contentType = contentType;
        this.example = example;
        // Every property of the example must be one this class can fill, now rather than at the first send.
        entry("check", "{}");
    }

    static PublisherWireFormat load() {
        return from(description());
    }

    /** The {@code serviceBusBatch} section as it stands in the static resource. */
    static JsonNode description() {
        try {
            return Json.MAPPER.readTree(EXAMPLES.toFile()).path("serviceBusBatch");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the publisher's wire format from " + EXAMPLES, e);
        }
    }

    static PublisherWireFormat from(JsonNode description) {
        return new PublisherWireFormat(description.path("contentType").asText(), description.path("entry"));
    }

    /** The batch request's content type. */
    String contentType() {
        return contentType;
    }

    /** One batch entry for a message, with exactly the example entry's properties. */
    ObjectNode entry(String messageId, String body) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        for (Iterator<String> names = example.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            switch (name) {
                case "Body" -> entry.put(name, body);
                case "BrokerProperties" -> entry.set(name, properties(name, messageId));
                case "UserProperties" -> entry.set(name, properties(name, messageId));
                default -> throw unknown(name);
            }
        }
        return entry;
    }

    private ObjectNode properties(String group, String messageId) {
        ObjectNode properties = Json.MAPPER.createObjectNode();
        for (Iterator<String> names = example.path(group).fieldNames(); names.hasNext(); ) {
            String name = names.next();
            switch (group + "." + name) {
                case "BrokerProperties.MessageId" -> properties.put(name, messageId);
                case "UserProperties.traceparent" -> properties.put(name, traceparent());
                default -> throw unknown(group + "." + name);
            }
        }
        return properties;
    }

    /** A new W3C trace per message, as the publisher starts one: version 00, random ids, sampled. */
    private static String traceparent() {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String hex = HexFormat.of().formatHex(random);
        return "00-" + hex.substring(0, 32) + "-" + hex.substring(32, 48) + "-01";
    }

    private static IllegalStateException unknown(String property) {
        return new IllegalStateException("the publisher's wire format (" + EXAMPLES.getFileName() + ", serviceBusBatch)"
                + " has " + property + ", which the simulator does not know how to fill: teach PublisherWireFormat");
    }
}
