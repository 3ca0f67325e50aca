package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.salesforce.PublishedEvent;
import io.sfcache.standin.salesforce.SalesforceStandin;
import io.sfcache.sync.PipelineHarness;
import io.sfcache.sync.RecordDocument;
import io.sfcache.sync.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The Change Data Capture path end to end: records changed in the Salesforce stand-in reach Cosmos and Event Hubs
 * through the real camel-salesforce Pub/Sub consumer and sfcache's routes.
 */
@SfcacheIntegrationTest
class ChangeDataCaptureTest {

    private static final Duration ARRIVES = Duration.ofSeconds(40);

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    CdcOperatorSwitches subscriptions;

    @Autowired
    CdcFailures failures;

    @Autowired
    SyncState syncState;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ObjectMapper json;

    private final SalesforceStandin salesforce = SalesforceStandin.shared();

    @BeforeEach
    void subscribed() {
        await().atMost(ARRIVES)
                .until(() -> subscriptions.getActive().contains("Account") && salesforce.openSubscriptions() >= 3);
    }

    private Map<String, Object> account(String name) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("Name", name);
        fields.put("OwnerId", salesforce.userId());
        fields.put("Industry", "Energy");
        fields.put("AnnualRevenue", 1000.0);
        fields.put("BillingCity", "Lisbon");
        return fields;
    }

    private Optional<JsonNode> stored(String id) {
        return pipeline.record("Account", id);
    }

    private JsonNode awaitStored(String id, java.util.function.Predicate<JsonNode> condition) {
        await().atMost(ARRIVES).until(() -> stored(id).filter(condition).isPresent());
        return stored(id).orElseThrow();
    }

    @Test
    void createAndPartialUpdateKeepFieldsTheEventDidNotCarry() {
        String id = salesforce.create("Account", account("Cdc Create"));
        JsonNode created = awaitStored(id, doc -> true);
        assertThat(created.path("fields").path("Name").asText()).isEqualTo("Cdc Create");
        assertThat(created.path("fields").path("BillingCity").asText()).isEqualTo("Lisbon");
        assertThat(created.path("sync").path("source").asText()).isEqualTo("CHANGE_DATA_CAPTURE");

        Map<String, Object> changes = new HashMap<>();
        changes.put("AnnualRevenue", 2500.0);
        changes.put("Industry", null);
        salesforce.update("Account", id, changes);

        JsonNode updated =
                awaitStored(id, doc -> doc.path("fields").path("AnnualRevenue").asDouble() == 2500.0);
        assertThat(updated.path("fields").path("Industry").isNull())
                .as("nulled field cleared")
                .isTrue();
        assertThat(updated.path("fields").path("Name").asText())
                .as("untouched field survives")
                .isEqualTo("Cdc Create");
        assertThat(updated.path("fields").path("BillingCity").asText()).isEqualTo("Lisbon");
        // The event is published after the write: wait for it rather than read the hub at once.
        await().atMost(ARRIVES).until(() -> pipeline.events(id).size() >= 2);
        assertThat(pipeline.events(id))
                .extracting(e -> e.path("changeType").asText())
                .containsExactly("CREATE", "UPDATE");
    }

    @Test
    void deleteLeavesATombstoneAndUndeleteRestores() {
        String id = salesforce.create("Account", account("Cdc Delete"));
        awaitStored(id, doc -> true);
        salesforce.delete("Account", id);
        awaitStored(id, doc -> doc.path("isDeleted").asBoolean());
        salesforce.undelete("Account", id);
        JsonNode restored = awaitStored(id, doc -> !doc.path("isDeleted").asBoolean());
        assertThat(restored.path("fields").path("Name").asText()).isEqualTo("Cdc Delete");
    }

    @Test
    void oneEventForSeveralRecordsUpdatesEach() {
        String a = salesforce.create("Account", account("Cdc Multi A"));
        String b = salesforce.create("Account", account("Cdc Multi B"));
        awaitStored(b, doc -> true);
        salesforce.updateMany("Account", List.of(a, b), Map.of("Rating", "Hot"));
        awaitStored(a, doc -> "Hot".equals(doc.path("fields").path("Rating").asText()));
        awaitStored(b, doc -> "Hot".equals(doc.path("fields").path("Rating").asText()));
        assertThat(stored(a).orElseThrow().path("fields").path("Name").asText()).isEqualTo("Cdc Multi A");
    }

    @Test
    void gapAndOverflowEventsAreRepairedFromRest() {
        String gap = salesforce.create("Account", account("Cdc Gap"));
        String overflow = salesforce.create("Account", account("Cdc Overflow"));
        awaitStored(overflow, doc -> true);
        salesforce.updateSilently("Account", gap, Map.of("Rating", "Warm"));
        salesforce.emitGap("Account", "GAP_UPDATE", List.of(gap));
        JsonNode repaired = awaitStored(
                gap, doc -> "Warm".equals(doc.path("fields").path("Rating").asText()));
        assertThat(repaired.path("sync").path("source").asText()).isEqualTo("RECONCILIATION");

        salesforce.updateSilently("Account", overflow, Map.of("Rating", "Cold"));
        salesforce.emitOverflow("Account");
        awaitStored(
                overflow, doc -> "Cold".equals(doc.path("fields").path("Rating").asText()));
    }

    @Test
    void aResubscribeResumesFromTheStoredReplayId() {
        String id = salesforce.create("Account", account("Cdc Resume"));
        awaitStored(id, doc -> true);
        // Every Account event so far handled (earlier tests' too), so the stored position no longer moves.
        await().atMost(ARRIVES).until(() -> {
            List<PublishedEvent> events = salesforce.publishedEvents("Account");
            return syncState
                    .replayId(ReplayPositions.channel("Account"))
                    .filter(events.get(events.size() - 1).replayId()::equals)
                    .isPresent();
        });
        String storedReplayId =
                syncState.replayId(ReplayPositions.channel("Account")).orElseThrow();

        subscriptions.resubscribe("Account");

        await().atMost(ARRIVES)
                .until(() -> salesforce.subscribeRequests("/data/AccountChangeEvent").stream()
                        .anyMatch(r -> "CUSTOM".equals(r.replayPreset()) && storedReplayId.equals(r.replayId())));
        salesforce.update("Account", id, Map.of("Rating", "Hot"));
        awaitStored(id, doc -> "Hot".equals(doc.path("fields").path("Rating").asText()));
    }

    @Test
    void aRejectedReplayIdIsCountedAndTheSkippedWindowReconciled() {
        String id = salesforce.create("Account", account("Cdc Lost"));
        awaitStored(id, doc -> true);
        double lostBefore = counter("sfcache.cdc.replay.lost");
        salesforce.invalidateReplayIds();
        salesforce.updateSilently("Account", id, Map.of("Rating", "Cold"));

        subscriptions.resubscribe("Account");

        await().atMost(ARRIVES).until(() -> counter("sfcache.cdc.replay.lost") > lostBefore);
        awaitStored(id, doc -> "Cold".equals(doc.path("fields").path("Rating").asText()));
        assertThat(failures.lastErrors()).containsKey("Account");
    }

    @Test
    void anExpiredSessionLogsInAgainAndChangesKeepArriving() {
        // A position first: Camel resubscribes from the last event it saw. (Subscribed from LATEST with no event yet,
        // it would resubscribe from LATEST and miss changes made meanwhile; the scheduled reconciliation covers that.)
        awaitStored(salesforce.create("Account", account("Cdc Before Expiry")), doc -> true);
        int logins = salesforce.loginCount();
        salesforce.expireSessions();
        String id = salesforce.create("Account", account("Cdc After Expiry"));
        awaitStored(id, doc -> true);
        assertThat(salesforce.loginCount()).isGreaterThan(logins);
    }

    @Test
    void theQueueAndChangeDataCaptureTogetherStoreAndAnnounceEachChangeOnce() {
        Map<String, Object> fields = account("Cdc Both Paths");
        double handled = counter("sfcache.cdc.events");
        String id = salesforce.create("Account", fields);
        // The Apex publisher's message for the same change, on the queue at about the same moment.
        String messageId = pipeline.send(publisherMessage(id, "CREATE", fields), "both-" + id, "application/json");
        pipeline.awaitCompleted(messageId);
        awaitStored(id, doc -> true);
        // Both copies of each change handled: the queue message completed, the change event counted.
        await().atMost(ARRIVES).until(() -> counter("sfcache.cdc.events") >= handled + 1);

        salesforce.update("Account", id, Map.of("Rating", "Warm"));
        fields.put("Rating", "Warm");
        pipeline.awaitCompleted(
                pipeline.send(publisherMessage(id, "UPDATE", fields), "both-update-" + id, "application/json"));
        awaitStored(id, doc -> "Warm".equals(doc.path("fields").path("Rating").asText()));
        await().atMost(ARRIVES).until(() -> counter("sfcache.cdc.events") >= handled + 2);

        // The event is published after the write: wait for it rather than read the hub at once.
        await().atMost(ARRIVES).until(() -> pipeline.events(id).size() >= 2);
        assertThat(pipeline.events(id))
                .extracting(e -> e.path("changeType").asText())
                .containsExactly("CREATE", "UPDATE");
    }

    /** What the Apex publisher sends for a change: all monitored fields, versioned by SystemModstamp. */
    private String publisherMessage(String id, String changeType, Map<String, Object> fields) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        Instant modstamp =
                (Instant) salesforce.record("Account", id).orElseThrow().get("SystemModstamp");
        message.put("schemaVersion", 1);
        message.put("eventId", java.util.UUID.randomUUID().toString());
        message.put("sobject", "Account");
        message.put("changeType", changeType);
        message.put("recordId", id);
        message.putObject("version")
                .put("systemModstamp", RecordDocument.timestamp(modstamp))
                .put("sequence", 0);
        message.put("commitTime", RecordDocument.timestamp(modstamp));
        message.set("fields", json.valueToTree(fields));
        return message.toString();
    }

    private double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
