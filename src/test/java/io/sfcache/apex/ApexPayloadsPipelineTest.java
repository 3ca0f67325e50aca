package io.sfcache.apex;

import static io.sfcache.sync.PipelineHarness.FinalState.STORED_OR_SKIPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.Json;
import io.sfcache.fixtures.SalesforceIds;
import io.sfcache.sync.PipelineHarness;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * The Apex publisher's example messages go through sfcache as the publisher would send them (Service Bus, real SDK):
 * each object's create, update, delete and undelete in turn, then a heartbeat per object. After each step the record
 * in Cosmos is that change (version, event, fields, tombstone), nothing is dead-lettered, and the heartbeats end in
 * sync-state. Record and event ids are made new per run, so other tests sharing the stand-ins never collide.
 */
@SfcacheIntegrationTest
class ApexPayloadsPipelineTest {

    /** How the publisher writes date-times: UTC with milliseconds and Z. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final List<String> STEPS = List.of("CREATE", "UPDATE", "DELETE", "UNDELETE");

    /** Compares JSON numbers by value: 1200000.00 and 1200000 are the same amount. */
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    @Autowired
    PipelineHarness pipeline;

    @Value("${sfcache.sync.state-container}")
    String stateContainer;

    @Test
    void eachExampleChangeIsStoredInTurnAndTheHeartbeatsAreKept() {
        List<ObjectNode> examples = withFreshIds(ApexProject.examples());
        for (String step : STEPS) {
            List<ObjectNode> changes = examples.stream()
                    .filter(e -> step.equals(e.path("changeType").asText()))
                    .toList();
            assertThat(changes).as(step).hasSize(3);
            changes.forEach(this::send);
            pipeline.awaitCompleted(
                    changes.stream().map(ApexPayloadsPipelineTest::eventId).toList());
            for (ObjectNode change : changes) {
                String what = change.path("sobject").asText() + " " + step;
                assertThat(pipeline.finalState(eventId(change))).as(what).isEqualTo(STORED_OR_SKIPPED);
                assertThat(pipeline.deadLetterOf(eventId(change))).as(what).isEmpty();
                JsonNode stored = pipeline.record(
                                change.path("sobject").asText(),
                                change.path("recordId").asText())
                        .orElseThrow(() -> new AssertionError(what + ": no record in Cosmos"));
                assertThat(stored.path("sync").path("eventId").asText())
                        .as(what + ": this change was applied")
                        .isEqualTo(eventId(change));
                assertThat(stored.path("sync").path("changeType").asText())
                        .as(what)
                        .isEqualTo(step);
                assertThat(stored.path("version").equals(NUMBERS_BY_VALUE, change.path("version")))
                        .as(
                                "%s: stored version %s equals sent %s",
                                what, stored.path("version"), change.path("version"))
                        .isTrue();
                assertThat(stored.path("isDeleted").asBoolean()).as(what).isEqualTo(step.equals("DELETE"));
                if (!step.equals("DELETE")) {
                    assertThat(stored.path("fields").equals(NUMBERS_BY_VALUE, change.path("fields")))
                            .as("%s: stored %s equals sent %s", what, stored.path("fields"), change.path("fields"))
                            .isTrue();
                }
            }
        }

        List<ObjectNode> heartbeats = examples.stream()
                .filter(e -> "HEARTBEAT".equals(e.path("changeType").asText()))
                .toList();
        assertThat(heartbeats).hasSize(3);
        heartbeats.forEach(this::send);
        pipeline.awaitCompleted(
                heartbeats.stream().map(ApexPayloadsPipelineTest::eventId).toList());
        for (ObjectNode heartbeat : heartbeats) {
            String sobject = heartbeat.path("sobject").asText();
            assertThat(pipeline.finalState(eventId(heartbeat))).as(sobject).isEqualTo(STORED_OR_SKIPPED);
            assertThat(pipeline.deadLetterOf(eventId(heartbeat))).as(sobject).isEmpty();
            JsonNode kept = await().atMost(PipelineHarness.SETTLE)
                    .until(
                            () -> pipeline.record(stateContainer, "heartbeat-" + sobject)
                                    .orElse(null),
                            doc -> doc != null
                                    && Instant.parse(doc.path("sentAt").asText())
                                            .equals(Instant.parse(
                                                    heartbeat.path("commitTime").asText())));
            assertThat(kept.path("sentSincePrevious").asLong())
                    .as(sobject)
                    .isEqualTo(heartbeat
                            .path("heartbeat")
                            .path("sentSincePrevious")
                            .asLong());
        }
    }

    private void send(ObjectNode message) {
        pipeline.send(Json.write(message), eventId(message), "application/json");
    }

    private static String eventId(JsonNode message) {
        return message.path("eventId").asText();
    }

    /**
     * New record ids (same key prefixes, references rewritten alike) and event ids, and heartbeats sent now: the
     * stand-ins are shared with other tests, and a heartbeat from the example's past would not show as the latest.
     */
    private static List<ObjectNode> withFreshIds(List<ObjectNode> examples) {
        Random random = new Random();
        Set<String> ids = new LinkedHashSet<>();
        for (ObjectNode example : examples) {
            if (example.has("recordId")) {
                ids.add(example.path("recordId").asText());
            }
            example.path("fields").forEach(v -> {
                if (v.isTextual()
                        && v.asText().matches("[a-zA-Z0-9]{18}")
                        && v.asText().startsWith("00")) {
                    ids.add(v.asText());
                }
            });
        }
        Map<String, String> newIds = new HashMap<>();
        ids.forEach(id -> newIds.put(id, SalesforceIds.random(id.substring(0, 3), "5g", random)));
        Instant now = Instant.now();
        return examples.stream()
                .map(example -> {
                    String text = Json.write(example);
                    for (Map.Entry<String, String> id : newIds.entrySet()) {
                        text = text.replace(id.getKey(), id.getValue());
                    }
                    ObjectNode fresh = (ObjectNode) readTree(text);
                    fresh.put("eventId", UUID.randomUUID().toString());
                    if (fresh.path("changeType").asText().equals("HEARTBEAT")) {
                        fresh.put("commitTime", TIMESTAMP.format(now));
                        ObjectNode heartbeat = (ObjectNode) fresh.get("heartbeat");
                        if (!heartbeat.path("previousHeartbeatTime").isNull()) {
                            heartbeat.put("previousHeartbeatTime", TIMESTAMP.format(now.minus(5, ChronoUnit.MINUTES)));
                        }
                    }
                    return fresh;
                })
                .toList();
    }

    private static JsonNode readTree(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
