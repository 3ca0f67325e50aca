package io.sfcache.sync;

import static io.sfcache.sync.PipelineHarness.FinalState.DEAD_LETTERED;
import static io.sfcache.sync.PipelineHarness.FinalState.STORED_OR_SKIPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.InvalidChangeMessage;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.fixtures.Violation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The sync pipeline end to end over the real wire protocols: Service Bus stand-in -> sfcache's routes -> Cosmos
 * stand-in and Event Hubs stand-in. Every test ends by checking where each of its messages ended.
 */
@SfcacheIntegrationTest
class SyncPipelineTest {

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    MeterRegistry meters;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());

    @Test
    void eachObjectIsStoredWithItsVersionAndFreshnessAndAnnouncedOnce() {
        SalesforceRecord account = messages.account();
        SalesforceRecord contact = messages.contact(account);
        SalesforceRecord opportunity = messages.opportunity(account);
        List<ChangeMessageBuilder> changes = List.of(
                account.create(),
                contact.create(),
                opportunity.create(),
                // A random edit may change nothing (rightly skipped as UNCHANGED): this one changes the name.
                account.update().field("Name", "Renamed " + account.id()));
        changes.forEach(pipeline::send);
        pipeline.awaitCompleted(
                changes.stream().map(ChangeMessageBuilder::eventId).toList());

        for (SalesforceRecord record : List.of(account, contact, opportunity)) {
            JsonNode stored =
                    pipeline.record(record.type().apiName(), record.id()).orElseThrow();
            assertThat(stored.get("fields").equals(NUMBERS_BY_VALUE, record.fields()))
                    .as("stored %s equals sent %s", stored.get("fields"), record.fields())
                    .isTrue();
            assertThat(stored.path("isDeleted").asBoolean()).isFalse();
            assertThat(stored.path("version").path("systemModstamp").asText())
                    .isEqualTo(record.version().systemModstamp().toString());
            assertThat(stored.path("sync").path("source").asText()).isEqualTo("QUEUE");
            assertThat(stored.path("sync").path("syncedAt").asText()).isNotBlank();
        }
        ChangeMessageBuilder accountUpdate = changes.get(3);
        assertThat(pipeline.record("Account", account.id())
                        .orElseThrow()
                        .path("sync")
                        .path("eventId")
                        .asText())
                .isEqualTo(accountUpdate.eventId());
        List<JsonNode> accountEvents = pipeline.events(account.id());
        assertThat(accountEvents)
                .extracting(e -> e.path("eventId").asText())
                .containsExactly(changes.get(0).eventId(), accountUpdate.eventId());
        assertThat(accountEvents.get(1).path("changeType").asText()).isEqualTo("UPDATE");
        assertThat(accountEvents.get(1).path("sobject").asText()).isEqualTo("Account");
        assertThat(pipeline.events(contact.id())).hasSize(1);
        assertThat(pipeline.events(opportunity.id())).hasSize(1);
        changes.forEach(c -> assertThat(pipeline.finalState(c.eventId())).isEqualTo(STORED_OR_SKIPPED));
    }

    @Test
    void everyKindOfBadMessageIsDeadLetteredWithAReasonAPersonCanActOn() {
        Map<Violation, String> expectedReason = Map.ofEntries(
                Map.entry(Violation.REQUIRED_FIELD_MISSING, "CONTRACT_VIOLATION"),
                Map.entry(Violation.REQUIRED_FIELD_NULL, "CONTRACT_VIOLATION"),
                Map.entry(Violation.WRONG_TYPE, "CONTRACT_VIOLATION"),
                Map.entry(Violation.STRING_TOO_LONG, "CONTRACT_VIOLATION"),
                Map.entry(Violation.NOT_IN_PICKLIST, "CONTRACT_VIOLATION"),
                Map.entry(Violation.BAD_REFERENCE_ID, "CONTRACT_VIOLATION"),
                Map.entry(Violation.BAD_DATE, "CONTRACT_VIOLATION"),
                Map.entry(Violation.BELOW_MINIMUM, "CONTRACT_VIOLATION"),
                Map.entry(Violation.BAD_DATE_TIME, "INVALID_ENVELOPE"),
                Map.entry(Violation.MISSING_EVENT_ID, "INVALID_ENVELOPE"),
                Map.entry(Violation.BAD_CHANGE_TYPE, "INVALID_ENVELOPE"),
                Map.entry(Violation.UNSUPPORTED_SCHEMA_VERSION, "INVALID_ENVELOPE"),
                Map.entry(Violation.UNKNOWN_SOBJECT, "UNKNOWN_OBJECT"),
                Map.entry(Violation.NON_FINITE_NUMBER, "CONTRACT_VIOLATION"),
                Map.entry(Violation.TOO_MANY_DIGITS, "CONTRACT_VIOLATION"),
                Map.entry(Violation.INT_OUT_OF_RANGE, "CONTRACT_VIOLATION"),
                Map.entry(Violation.CONTROL_CHARACTER, "CONTRACT_VIOLATION"),
                Map.entry(Violation.TOO_DEEP, "INVALID_ENVELOPE"),
                Map.entry(Violation.TOO_MANY_FIELDS, "CONTRACT_VIOLATION"),
                Map.entry(Violation.MALFORMED_JSON, "MALFORMED_JSON"),
                Map.entry(Violation.EMPTY_BODY, "EMPTY_BODY"));
        // What a person reads: the field (or place) and what was wrong with it.
        Map<Violation, String> expectedDescription = Map.ofEntries(
                Map.entry(Violation.REQUIRED_FIELD_MISSING, "Name: required but missing"),
                Map.entry(Violation.REQUIRED_FIELD_NULL, "LastName: expected string, got null"),
                Map.entry(Violation.WRONG_TYPE, "AnnualRevenue: expected [number or null], got string \"abc\""),
                Map.entry(Violation.STRING_TOO_LONG, "BillingCity: at most 40 characters allowed, got 58"),
                Map.entry(Violation.NOT_IN_PICKLIST, "Industry: \"Aerospace\" is not one of the allowed values"),
                Map.entry(Violation.BAD_REFERENCE_ID, "AccountId: \"001-ACME-0042\" does not match"),
                Map.entry(Violation.BAD_DATE, "CloseDate: \"31/12/2025\" is not a valid date"),
                Map.entry(Violation.BELOW_MINIMUM, "Amount: -2500 is below the minimum 0"),
                Map.entry(Violation.BAD_DATE_TIME, "commitTime: \"2025-06-02 08:00:00\" is not a valid date-time"),
                Map.entry(Violation.MISSING_EVENT_ID, "eventId: required but missing"),
                Map.entry(Violation.BAD_CHANGE_TYPE, "changeType: \"MODIFY\" is not one of the allowed values"),
                Map.entry(Violation.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion 2 is not supported"),
                Map.entry(Violation.UNKNOWN_SOBJECT, "Lead is not monitored"),
                Map.entry(Violation.NON_FINITE_NUMBER, "AnnualRevenue: Infinity is not a finite number"),
                Map.entry(Violation.TOO_MANY_DIGITS, "Amount: 1.0E19 has more than the 18 digits a Salesforce number"),
                Map.entry(
                        Violation.INT_OUT_OF_RANGE,
                        "NumberOfEmployees: 3000000000 is out of range for a " + "Salesforce int"),
                Map.entry(Violation.CONTROL_CHARACTER, "Name: contains the control character U+0000 at position 4"),
                Map.entry(
                        Violation.TOO_DEEP,
                        "$.fields.Extra[0][0][0][0][0][0][0][0][0][0][0][0][0][0] nests deeper " + "than 16 levels"),
                Map.entry(Violation.TOO_MANY_FIELDS, "fields, at most 1000 allowed (an object has at most 800 custom"),
                Map.entry(Violation.MALFORMED_JSON, "not well-formed JSON"),
                Map.entry(Violation.EMPTY_BODY, "body is empty"));
        List<InvalidChangeMessage> invalid = messages.invalid().all();
        invalid.forEach(m -> pipeline.send(m.body(), m.messageId(), "application/json"));
        pipeline.awaitCompleted(
                invalid.stream().map(InvalidChangeMessage::messageId).toList());

        for (InvalidChangeMessage message : invalid) {
            JsonNode letter = pipeline.deadLetterOf(message.messageId())
                    .orElseThrow(() -> new AssertionError("no dead letter for " + message.violation()));
            assertThat(letter.path("reason").asText())
                    .as(message.violation().name())
                    .isEqualTo(expectedReason.get(message.violation()));
            assertThat(letter.path("description").asText())
                    .as(message.violation().name())
                    .contains(expectedDescription.get(message.violation()));
            assertThat(letter.path("body").asText()).isEqualTo(message.body());
            assertThat(letter.path("status").asText()).isEqualTo("OPEN");
            assertThat(letter.path("attempts").asInt()).isEqualTo(1);
            assertThat(pipeline.finalState(message.messageId())).isEqualTo(DEAD_LETTERED);
        }
    }

    @Test
    void wrongContentTypeAndOversizedBodiesAreDeadLetteredLargeOnesKeptWhole() {
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder asText = account.create();
        pipeline.send(asText.toJson(), asText.eventId(), "text/plain");
        // About 1 MB: within the message size limit, so it is validated, and its Name is far too long.
        ChangeMessageBuilder oneMegabyte = messages.account().create().field("Name", "x".repeat(1_000_000));
        pipeline.send(oneMegabyte);
        // About 2 MB: over sfcache.sync.max-message-bytes, kept in part with a digest of the whole.
        ChangeMessageBuilder twoMegabytes = messages.account().create().field("Name", "y".repeat(2_000_000));
        pipeline.send(twoMegabytes);
        pipeline.awaitCompleted(asText.eventId(), oneMegabyte.eventId(), twoMegabytes.eventId());

        assertThat(pipeline.deadLetterOf(asText.eventId())
                        .orElseThrow()
                        .path("description")
                        .asText())
                .contains("Content type 'text/plain' is not supported");
        JsonNode large = pipeline.deadLetterOf(oneMegabyte.eventId()).orElseThrow();
        assertThat(large.path("reason").asText()).isEqualTo("CONTRACT_VIOLATION");
        assertThat(large.path("description").asText()).contains("Name: at most 255 characters allowed, got 1000000");
        assertThat(large.path("body").asText()).isEqualTo(oneMegabyte.toJson());
        JsonNode huge = pipeline.deadLetterOf(twoMegabytes.eventId()).orElseThrow();
        assertThat(huge.path("reason").asText()).isEqualTo("TOO_LARGE");
        assertThat(huge.path("bodyTruncated").asBoolean()).isTrue();
        assertThat(huge.path("bodyBytes").asInt())
                .isEqualTo(twoMegabytes.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        for (String id : List.of(asText.eventId(), oneMegabyte.eventId(), twoMegabytes.eventId())) {
            assertThat(pipeline.finalState(id)).isEqualTo(DEAD_LETTERED);
        }
        assertThat(pipeline.record("Account", account.id())).isEmpty();
    }

    @Test
    void outOfOrderAndDuplicateChangesUnderConcurrentConsumersNeverOverwriteNewerData() {
        SalesforceRecord account = messages.account();
        List<ChangeMessageBuilder> versions = new ArrayList<>();
        versions.add(account.create());
        for (int i = 1; i < 20; i++) {
            versions.add(
                    i % 5 == 0
                            ? account.updateInSameTransaction().field("Name", "Version " + i)
                            : account.update().field("Name", "Version " + i));
        }
        ChangeMessageBuilder newest = versions.get(versions.size() - 1);
        List<String[]> toSend = new ArrayList<>();
        versions.forEach(v -> toSend.add(new String[] {v.toJson(), v.eventId()}));
        // Redeliveries of the same message, and the same change again under another event id (e.g. via CDC).
        versions.subList(0, 5).forEach(v -> toSend.add(new String[] {v.toJson(), v.eventId()}));
        String sameChangeOtherEvent = "other-" + newest.eventId();
        toSend.add(
                new String[] {newest.toJson().replace(newest.eventId(), sameChangeOtherEvent), sameChangeOtherEvent});
        Collections.shuffle(toSend, new Random(7));
        Outcomes before = Outcomes.of(meters, "Account");

        toSend.forEach(m -> pipeline.send(m[0], m[1], "application/json"));
        await().atMost(PipelineHarness.SETTLE)
                .until(() -> Outcomes.of(meters, "Account").minus(before).total() == toSend.size());
        Outcomes outcomes = Outcomes.of(meters, "Account").minus(before);

        JsonNode stored = pipeline.record("Account", account.id()).orElseThrow();
        assertThat(stored.path("fields").path("Name").asText()).isEqualTo("Version 19");
        assertThat(stored.path("sync").path("eventId").asText()).isEqualTo(newest.eventId());
        assertThat(stored.path("version").path("sequence").asLong())
                .isEqualTo(newest.version().sequence());
        long skipped = outcomes.get("STALE") + outcomes.get("DUPLICATE");
        long written = outcomes.get("CREATE") + outcomes.get("REPLACE");
        assertThat(outcomes.get("CREATE")).isEqualTo(1);
        assertThat(outcomes.get("DUPLICATE"))
                .as("the same change under another event id")
                .isGreaterThanOrEqualTo(1);
        assertThat(skipped)
                .as("older and same-version changes are skipped, with a reason")
                .isGreaterThan(0);
        // Every write and every redelivery of a stored change is announced; skipped ones are not.
        assertThat(pipeline.events(account.id())).hasSize((int) (written + outcomes.get("REDELIVERED")));
        assertThat(pipeline.events(account.id()))
                .extracting(e -> e.path("eventId").asText())
                .doesNotContain(sameChangeOtherEvent);
        toSend.forEach(m -> assertThat(pipeline.finalState(m[1])).isEqualTo(STORED_OR_SKIPPED));
    }

    @Test
    void aLateUpdateAfterADeleteLeavesTheTombstoneAndUndeleteRestores() {
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();
        ChangeMessageBuilder update = account.update().field("Name", "Before delete");
        ChangeMessageBuilder delete = account.delete();
        pipeline.send(create);
        pipeline.awaitCompleted(create.eventId());
        pipeline.send(delete);
        pipeline.awaitCompleted(delete.eventId());
        Outcomes beforeLateUpdate = Outcomes.of(meters, "Account");
        pipeline.send(update);
        pipeline.awaitCompleted(update.eventId());

        Outcomes afterLateUpdate = Outcomes.of(meters, "Account").minus(beforeLateUpdate);
        JsonNode tombstone = pipeline.record("Account", account.id()).orElseThrow();
        assertThat(tombstone.path("isDeleted").asBoolean()).isTrue();
        assertThat(tombstone.path("fields").path("Name").asText())
                .isEqualTo(create.fields().path("Name").asText());
        assertThat(afterLateUpdate.get("STALE")).isEqualTo(1);
        assertThat(afterLateUpdate.total()).isEqualTo(1);

        ChangeMessageBuilder undelete = account.undelete().field("Name", "Restored");
        pipeline.send(undelete);
        pipeline.awaitCompleted(undelete.eventId());
        JsonNode restored = pipeline.record("Account", account.id()).orElseThrow();
        assertThat(restored.path("isDeleted").asBoolean()).isFalse();
        assertThat(restored.path("fields").path("Name").asText()).isEqualTo("Restored");
        assertThat(pipeline.events(account.id()))
                .extracting(e -> e.path("changeType").asText())
                .containsExactly("CREATE", "DELETE", "UNDELETE");
        for (ChangeMessageBuilder m : List.of(create, update, delete, undelete)) {
            assertThat(pipeline.finalState(m.eventId())).isEqualTo(STORED_OR_SKIPPED);
        }
    }

    /** Compares JSON numbers by value: 213850000.00 and 213850000 are the same amount. */
    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    /** How the order guard decided, per outcome, as counted by sfcache.sync.changes for one object. */
    record Outcomes(Map<String, Long> counts) {
        static Outcomes of(MeterRegistry meters, String sobject) {
            Map<String, Long> counts = new java.util.HashMap<>();
            meters.find("sfcache.sync.changes")
                    .tag("sobject", sobject)
                    .counters()
                    .forEach(c -> counts.put(c.getId().getTag("outcome"), (long) c.count()));
            return new Outcomes(counts);
        }

        Outcomes minus(Outcomes earlier) {
            Map<String, Long> delta = new java.util.HashMap<>(counts);
            earlier.counts.forEach((k, v) -> delta.merge(k, -v, Long::sum));
            return new Outcomes(delta);
        }

        long get(String outcome) {
            return counts.getOrDefault(outcome, 0L);
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
