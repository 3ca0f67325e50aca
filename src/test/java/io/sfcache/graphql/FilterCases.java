package io.sfcache.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.graphql.FilterOracle.Field;
import io.sfcache.graphql.FilterOracle.Kind;
import io.sfcache.sync.RecordDocument;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Stored records and GraphQL filters made from a data contract with a fixed random seed: values drawn from small
 * pools (ties), nulls and fields missing from the stored record (as in one written before the field was added to
 * the contract), tombstones; filters that apply every operator of a field's filter type with values taken from the
 * data (hits, misses and boundaries), and trees of and/or/not around them.
 */
final class FilterCases {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String ID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final List<String> TEXTS = List.of(
            "Acme",
            "Acme Corp",
            "acme",
            "ACME GmbH",
            "Ácme",
            "Globex",
            "Globex 2",
            "Initech",
            "Initrode",
            "Umbrella",
            "Umbrella Corp",
            "Stark Industries",
            "Wayne Enterprises",
            "Zürich",
            "Zug",
            "Bern",
            "Bergen",
            "Berlin",
            "Oslo",
            "O'Brien & Sons",
            "100% Natural",
            "a_b",
            "[x]",
            "\"quoted\"",
            "back\\slash",
            " padded ",
            "Energy",
            "Ener",
            "Germany",
            "germany",
            "",
            "z");
    private static final List<Double> AMOUNTS =
            List.of(0.0, 0.5, 1.0, 2.5, 99.99, 100.0, 1000.0, 1000.5, 12345.67, 250000.0, 1000000.0, 2500000.0, 1.0E9);

    private final Random random;

    FilterCases(long seed) {
        this.random = new Random(seed);
    }

    String id(String prefix) {
        StringBuilder id = new StringBuilder(prefix);
        while (id.length() < 18) {
            id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        return id.toString();
    }

    /**
     * {@code count} records of the contract's object owned by {@code owner} (which keeps them apart from other
     * tests' records); lookups point at {@code relatedIds} (or nowhere).
     */
    List<ObjectNode> records(DataContract contract, String idPrefix, int count, String owner, List<String> relatedIds) {
        Instant base = Instant.parse("2026-03-01T08:00:00Z");
        List<ObjectNode> records = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        Instant syncedAt = base;
        for (int i = 0; i < count; i++) {
            String id = id(idPrefix);
            if (!ids.add(id)) {
                i--;
                continue;
            }
            ObjectNode fields = JSON.objectNode();
            for (DataContract.Field field : contract.fields().values()) {
                if (field.name().equals("OwnerId")) {
                    fields.put("OwnerId", owner);
                    continue;
                }
                int dice = random.nextInt(100);
                if (!field.required() && dice < 5) {
                    continue; // missing: stored before the field was in the contract
                }
                boolean nullable = !field.required() && Kind.of(field) != Kind.BOOLEAN;
                fields.set(field.name(), nullable && dice < 17 ? JSON.nullNode() : value(field, relatedIds));
            }
            // ties: every fifth record is synced in the same millisecond as the one before
            syncedAt = i % 5 == 4 ? syncedAt : syncedAt.plusMillis(1 + random.nextInt(90_000));
            records.add(record(contract.sobject(), id, fields, syncedAt, random.nextInt(100) < 4));
        }
        return records;
    }

    private ObjectNode record(String sobject, String id, ObjectNode fields, Instant syncedAt, boolean deleted) {
        ObjectNode doc = JSON.objectNode();
        doc.put("id", id).put("sobject", sobject).put("isDeleted", deleted).set("fields", fields);
        doc.putObject("version")
                .put("systemModstamp", RecordDocument.timestamp(syncedAt.minusSeconds(2)))
                .put("sequence", 0);
        doc.putObject("sync")
                .put("eventId", new UUID(random.nextLong(), random.nextLong()).toString())
                .put("changeType", deleted ? "DELETE" : "UPDATE")
                .put("commitTime", RecordDocument.timestamp(syncedAt.minusSeconds(2)))
                .put("syncedAt", RecordDocument.timestamp(syncedAt))
                .put("source", "QUEUE");
        return doc;
    }

    private JsonNode value(DataContract.Field field, List<String> relatedIds) {
        List<String> picklist = field.picklistValues() == null
                ? List.of()
                : field.picklistValues().stream()
                        .filter(java.util.Objects::nonNull)
                        .toList();
        return switch (Kind.of(field)) {
            case ID ->
                JSON.textNode(
                        random.nextInt(10) == 0 || relatedIds.isEmpty()
                                ? "001000000000000AAA"
                                : relatedIds.get(random.nextInt(Math.min(40, relatedIds.size()))));
            case FLOAT -> {
                double amount = field.salesforceType().equals("percent")
                        ? List.of(0.0, 10.0, 25.0, 33.3, 50.0, 90.0, 100.0).get(random.nextInt(7))
                        : AMOUNTS.get(random.nextInt(AMOUNTS.size()));
                // whole numbers stored as 1000 or as 1000.0: both are the same JSON number
                yield amount == Math.rint(amount) && random.nextBoolean()
                        ? JSON.numberNode((long) amount)
                        : JSON.numberNode(amount);
            }
            case INT -> JSON.numberNode(random.nextInt(10) == 0 ? 250_000 : random.nextInt(60));
            case DATE ->
                JSON.textNode(LocalDate.of(2019, 1, 1)
                        .plusDays(random.nextInt(40) * 61L)
                        .toString());
            case BOOLEAN -> JSON.booleanNode(random.nextBoolean());
            case DATETIME ->
                JSON.textNode(RecordDocument.timestamp(
                        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(1000))));
            case STRING -> {
                String text = picklist.isEmpty()
                        ? TEXTS.get(random.nextInt(TEXTS.size()))
                        : picklist.get(random.nextInt(Math.min(picklist.size(), 6)));
                yield JSON.textNode(
                        field.maxLength() == null || text.length() <= field.maxLength()
                                ? text
                                : text.substring(0, field.maxLength()));
            }
        };
    }

    /**
     * One-field filters for every operator the schema offers for the field's type, with values from the records:
     * a value present (a hit, and for ranges the boundary), one absent, and per operator its edge cases.
     */
    List<ObjectNode> leaves(Field field, List<String> operators, List<ObjectNode> records) {
        List<JsonNode> present = records.stream()
                .map(field::valueIn)
                .filter(v -> !FilterOracle.absent(v))
                .distinct()
                .toList();
        List<ObjectNode> leaves = new ArrayList<>();
        for (String operator : operators) {
            for (JsonNode value : values(field.kind(), operator, present)) {
                ObjectNode leaf = JSON.objectNode();
                leaf.putObject(field.name()).set(operator, value);
                leaves.add(leaf);
            }
        }
        return leaves;
    }

    private List<JsonNode> values(Kind kind, String operator, List<JsonNode> present) {
        JsonNode some = present.isEmpty() ? absentValue(kind) : pick(present);
        List<JsonNode> values = new ArrayList<>();
        switch (operator) {
            case "isNull" -> values.addAll(List.of(JSON.booleanNode(true), JSON.booleanNode(false)));
            case "eq", "ne" ->
                values.addAll(
                        kind == Kind.BOOLEAN
                                ? List.of(JSON.booleanNode(true), JSON.booleanNode(false))
                                : List.of(some, absentValue(kind)));
            case "in" -> {
                ArrayNode several = JSON.arrayNode();
                for (int i = 0; i < 3 && !present.isEmpty(); i++) {
                    several.add(pick(present));
                }
                several.add(absentValue(kind));
                values.addAll(List.of(several, JSON.arrayNode()));
            }
            case "contains" -> {
                String text = some.asText();
                int from = text.length() > 2 ? random.nextInt(text.length() - 2) : 0;
                String part = text.substring(from, Math.min(text.length(), from + 3));
                values.addAll(List.of(JSON.textNode(part), JSON.textNode("")));
            }
            case "startsWith" -> {
                String text = some.asText();
                values.addAll(List.of(
                        JSON.textNode(text.substring(0, Math.min(text.length(), 1 + random.nextInt(4)))),
                        JSON.textNode(text + "~")));
            }
            case "gt", "gte", "lt", "lte" -> {
                values.add(some); // a boundary: equal values are in for gte/lte, out for gt/lt
                if (kind == Kind.DATETIME) {
                    // half a millisecond after a stored time (stored times have milliseconds: the bound must be
                    // rounded the right way), and the same instant at another offset
                    Instant at = Instant.parse(some.asText());
                    values.add(JSON.textNode(at.plus(Duration.ofNanos(500_000)).toString()));
                    if (operator.equals("gte")) {
                        values.add(
                                JSON.textNode(at.atOffset(ZoneOffset.ofHours(2)).toString()));
                    }
                }
            }
            default -> throw new IllegalArgumentException("no values known for operator " + operator);
        }
        return values;
    }

    private JsonNode absentValue(Kind kind) {
        return switch (kind) {
            case STRING -> JSON.textNode("no such value");
            case ID -> JSON.textNode("001zzzzzzzzzzzzzzz");
            case FLOAT -> JSON.numberNode(123456.789);
            case INT -> JSON.numberNode(987654);
            case DATE -> JSON.textNode("1999-12-31");
            case DATETIME -> JSON.textNode("2030-01-01T00:00:00Z");
            case BOOLEAN -> JSON.booleanNode(true);
        };
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** A filter of and/or/not nested {@code depth} deep around leaves, with several keys per object now and then. */
    ObjectNode tree(int depth, List<ObjectNode> leaves) {
        if (depth == 0) {
            return pick(leaves).deepCopy();
        }
        ObjectNode node = JSON.objectNode();
        switch (random.nextInt(4)) {
            case 0 -> node.set("not", tree(depth - 1, leaves));
            case 1, 2 -> {
                ArrayNode parts = node.putArray(random.nextBoolean() ? "and" : "or");
                int count = 1 + random.nextInt(3);
                for (int i = 0; i < count; i++) {
                    parts.add(tree(random.nextInt(depth), leaves)); // at least one branch goes the full depth
                }
                parts.set(0, tree(depth - 1, leaves));
            }
            default -> {
                node.setAll(pick(leaves).deepCopy()); // a field next to a combinator in one object: both must hold
                if (random.nextBoolean()) {
                    node.set("not", tree(depth - 1, leaves));
                } else {
                    node.putArray("or").add(tree(depth - 1, leaves)).add(tree(random.nextInt(depth), leaves));
                }
            }
        }
        return node;
    }
}
