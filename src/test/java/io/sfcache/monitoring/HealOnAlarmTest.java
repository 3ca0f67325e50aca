package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.salesforce.ReconcileQuery;
import io.sfcache.salesforce.Reconciler;
import io.sfcache.standin.salesforce.SalesforceStandin;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.ObjectAlarms.Reason;
import io.sfcache.sync.PipelineHarness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 21: each kind of breakage heals without a person. The publisher (simulated: its heartbeats every 500 ms over
 * Service Bus, as the Apex schedule would send them every few minutes) and Salesforce (the stand-in) break in one way
 * per test; each measures breakage → detection (the alarm) and detection → the correct record readable through
 * GraphQL, checks that readers were told {@code stale: true} with the reason meanwhile, and that the broken record was
 * written once (a repeated repair skips it). Windows are scaled down: heartbeat missing after 4 s, healing checks
 * every 500 ms and repeats every 2 s, a consumer pause counts after 3 s, the reconcile overlap is 5 s. The figures go
 * to the log ("healed:") for the closing note; the bounds asserted are the scaled windows plus a margin for a busy
 * build machine.
 */
@SfcacheIntegrationTest
// Its own queue and no MBeans, so this context does not compete with the shared one; CDC off: the shared context is
// the JVM's one Change Data Capture subscriber (so only a repair can bring a silent change here).
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.servicebus.queue=heal-on-alarm-test",
            "spring.jmx.enabled=false",
            // Alarms, heartbeats and checkpoints of its own: the shared context must not read this one's alarms.
            "sfcache.sync.state-container=sync-state-heal-on-alarm-test",
            "sfcache.monitoring.heartbeat.missing-after=4s",
            "sfcache.monitoring.healing.enabled=true",
            "sfcache.monitoring.reconciliation.overlap=5s"
        })
// Closed after the class: its watchdogs and describe polls would otherwise act on the shared stand-ins during
// later tests, as a second replica would.
@DirtiesContext
class HealOnAlarmTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** What a busy 2-core build machine may add to a scaled window. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    ObjectAlarms alarms;

    @Autowired
    MeterRegistry meters;

    @Autowired
    CamelContext camel;

    @Autowired
    HeartbeatWatchdog heartbeats;

    @Autowired
    Reconciler reconciler;

    @Value("${sfcache.monitoring.heartbeat.missing-after}")
    Duration missingAfter;

    @Value("${sfcache.monitoring.healing.pause-after}")
    Duration pauseAfter;

    @LocalServerPort
    int port;

    private final SalesforceStandin salesforce = SalesforceStandin.shared();
    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    private final Publisher publisher = new Publisher();

    @BeforeEach
    void aHealthyPublisherAndNoAlarms() {
        publisher.start();
        // Every object's heartbeat seen, and alarms left by the start-up (no heartbeat yet) or an earlier test
        // repaired and gone.
        await().atMost(DEADLINE)
                .until(() -> Arrays.stream(SObjectType.values())
                                .allMatch(type ->
                                        heartbeats.currentAsOf(type.apiName()).isPresent()
                                                && !heartbeats.isMissing(type.apiName()))
                        && alarms.all().isEmpty());
    }

    @AfterEach
    void stopThePublisher() {
        publisher.stop();
        salesforce.failLogins(false);
    }

    @Test
    void messagesThePublisherSentButThatNeverArrivedAreRepaired() {
        String id = storedAccount("Lost Message");
        // The publisher sends the change and counts it, but the message never reaches the queue.
        Instant broken = Instant.now();
        salesforce.updateSilently("Account", id, Map.of("BillingCity", "Faro"));
        publisher.sentButLost(1);

        Healing healing = awaitHealed(Reason.MESSAGES_LOST, broken, id, "Faro");

        // Detected when the heartbeat after the one that claimed it settles the interval (two heartbeats).
        assertThat(healing.detection()).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
        assertWrittenOnce(id, healing);
    }

    @Test
    void aPublisherSwitchedOffWhileItsHeartbeatsGoOnIsRepairedAndReadersAreToldMeanwhile() {
        String id = storedAccount("Switched Off");
        // Salesforce refuses sfcache for now: the repair fails, so the time between detection and repair can be seen.
        salesforce.failLogins(true);
        salesforce.expireSessions();
        Instant broken = Instant.now();
        publisher.switchedOff(true);
        salesforce.updateSilently("Account", id, Map.of("BillingCity", "Braga"));

        Instant detected = awaitAlarm(Reason.PUBLISHER_UNHEALTHY);
        JsonNode freshness = read(id).path("freshness");
        assertThat(freshness.path("stale").asBoolean()).isTrue();
        assertThat(freshness.path("staleReason").asText()).isEqualTo("PUBLISHER_UNHEALTHY");
        // Heartbeats still arrive, but they no longer make the record look current: it is as current as its own
        // sync or the last heartbeat that said all was well, whichever is later.
        Instant completeUntil =
                alarms.find("Account", Reason.PUBLISHER_UNHEALTHY).orElseThrow().completeUntil();
        Instant syncedAt = Instant.parse(freshness.path("syncedAt").asText());
        assertThat(Instant.parse(freshness.path("currentAsOf").asText()))
                .isEqualTo(syncedAt.isAfter(completeUntil) ? syncedAt : completeUntil);
        await().atMost(DEADLINE)
                .until(() -> heartbeats.currentAsOf("Account").orElseThrow().isAfter(syncedAt.plusSeconds(1)));
        assertThat(read(id).path("freshness").path("currentAsOf").asText())
                .as("later heartbeats change nothing")
                .isEqualTo(freshness.path("currentAsOf").asText());

        salesforce.failLogins(false);
        Healing healing = awaitHealed(Reason.PUBLISHER_UNHEALTHY, broken, id, "Braga");
        assertThat(healing.detectedAt()).isEqualTo(detected);
        // The next heartbeat (500 ms) reports it; the watchdog checks every 500 ms.
        assertThat(healing.detection()).isLessThan(Duration.ofSeconds(1).plus(MARGIN));
        // Publishing is still off: the object is repaired again every repeat-every, the record not written again.
        assertWrittenOnce(id, healing);
        assertThat(read(id).path("freshness").path("stale").asBoolean()).isFalse();
    }

    @Test
    void aSilentPublisherIsDetectedAndItsGapRepaired() {
        String id = storedAccount("Silent Publisher");
        Instant broken = Instant.now();
        publisher.silent(true);
        salesforce.updateSilently("Account", id, Map.of("BillingCity", "Evora"));

        Healing healing = awaitHealed(Reason.PUBLISHER_SILENT, broken, id, "Evora");

        assertThat(healing.detection()).isGreaterThanOrEqualTo(missingAfter.minusSeconds(1));
        assertThat(healing.detection()).isLessThan(missingAfter.plus(MARGIN));
        assertWrittenOnce(id, healing);
        // Heartbeats return: the gap is repaired once more and the alarm goes.
        publisher.silent(false);
        await().atMost(DEADLINE)
                .until(() -> alarms.find("Account", Reason.PUBLISHER_SILENT).isEmpty());
        assertThat(read(id).path("freshness").path("stale").asBoolean()).isFalse();
    }

    @Test
    void whileTheQueuePathIsDownRecordsAreRepairedFromSalesforce() throws Exception {
        String id = storedAccount("Queue Down");
        Instant broken = Instant.now();
        camel.getRouteController().stopRoute("servicebus-ingest", 5, TimeUnit.SECONDS);
        try {
            // The change's message (and every heartbeat) waits in the queue.
            salesforce.updateSilently("Account", id, Map.of("BillingCity", "Aveiro"));
            Healing healing = awaitHealed(Reason.QUEUE_PAUSED, broken, id, "Aveiro");
            assertThat(healing.detection()).isGreaterThanOrEqualTo(pauseAfter.minusSeconds(1));
            assertThat(healing.detection()).isLessThan(pauseAfter.plus(MARGIN));
            assertWrittenOnce(id, healing);
        } finally {
            camel.getRouteController().startRoute("servicebus-ingest");
        }
        await().atMost(DEADLINE).until(() -> alarms.all().isEmpty());
    }

    @Test
    void aFieldThatChangesTypeInSalesforceIsRepairedAtDetectionAndWhenTheDriftEnds() {
        String passing = storedAccount("Drift Passing");
        Map<String, Object> fields = new HashMap<>();
        fields.put("Name", "Drift Failing");
        fields.put("OwnerId", salesforce.userId());
        fields.put("AnnualRevenue", 5000000);
        String failing = salesforce.create("Account", fields);
        reconciler.reconcile(ReconcileQuery.ids("Account", List.of(failing)));
        assertThat(pipeline.record("Account", failing)).isPresent();

        Instant broken = Instant.now();
        try {
            salesforce.changeFieldType("Account", "AnnualRevenue", "string");
            // Changed while the drift lasts, with no message: the first passes the contract, the second cannot.
            salesforce.updateSilently("Account", passing, Map.of("BillingCity", "Coimbra"));
            salesforce.updateSilently("Account", failing, Map.of("BillingCity", "Leiria"));

            Healing healing = awaitHealed(Reason.SCHEMA_DRIFT, broken, passing, "Coimbra");
            assertThat(healing.detection()).isLessThan(Duration.ofSeconds(1).plus(MARGIN));
            JsonNode failingView = read(failing);
            assertThat(failingView.path("billingCity").asText()).isNotEqualTo("Leiria");
            assertThat(failingView.path("freshness").path("staleReason").asText())
                    .isEqualTo("SCHEMA_DRIFT");
        } finally {
            salesforce.restoreObject("Account");
        }
        Instant restored = Instant.now();
        // The drift ends: its window is reconciled again, and the record that could not pass is stored now.
        await().atMost(DEADLINE)
                .until(() -> "Leiria".equals(read(failing).path("billingCity").asText()));
        Duration endToHealed = Duration.between(restored, Instant.now());
        org.slf4j.LoggerFactory.getLogger(HealOnAlarmTest.class)
                .info("healed: SCHEMA_DRIFT end -> Leiria readable {} ms", endToHealed.toMillis());
        await().atMost(DEADLINE)
                .until(() -> alarms.find("Account", Reason.SCHEMA_DRIFT).isEmpty());
        assertThat(read(failing).path("freshness").path("stale").asBoolean()).isFalse();
        assertThat(read(passing).path("billingCity").asText()).isEqualTo("Coimbra");
    }

    // --- the breakage's timeline ---

    /** @param detectedAt the alarm's; @param healedAt when GraphQL first served the correct value */
    private record Healing(Reason reason, Instant broken, Instant detectedAt, Instant healedAt, String syncedAt) {
        Duration detection() {
            return Duration.between(broken, detectedAt);
        }

        Duration repair() {
            return Duration.between(detectedAt, healedAt);
        }
    }

    private Healing awaitHealed(Reason reason, Instant broken, String id, String expectedCity) {
        Instant detectedAt = awaitAlarm(reason);
        await().atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> expectedCity.equals(read(id).path("billingCity").asText()));
        Instant healedAt = Instant.now();
        JsonNode freshness = read(id).path("freshness");
        assertThat(freshness.path("source").asText()).isEqualTo("RECONCILIATION");
        Healing healing = new Healing(
                reason, broken, detectedAt, healedAt, freshness.path("syncedAt").asText());
        org.slf4j.LoggerFactory.getLogger(HealOnAlarmTest.class)
                .info(
                        "healed: {} breakage -> detection {} ms, detection -> readable {} ms",
                        reason,
                        healing.detection().toMillis(),
                        healing.repair().toMillis());
        assertThat(healing.repair())
                .as("detection -> readable")
                .isLessThan(Duration.ofSeconds(2).plus(MARGIN));
        return healing;
    }

    private Instant awaitAlarm(Reason reason) {
        AtomicReference<Instant> detected = new AtomicReference<>();
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
            Optional<ObjectAlarms.Alarm> alarm = alarms.find("Account", reason);
            alarm.ifPresent(a -> detected.set(a.detectedAt()));
            return alarm.isPresent();
        });
        return detected.get();
    }

    /** A later repair of the object (repeat-every, or the one after the condition ends) skips the record. */
    private void assertWrittenOnce(String id, Healing healing) {
        double runs = repairRuns();
        await().atMost(DEADLINE).until(() -> repairRuns() > runs);
        assertThat(read(id).path("freshness").path("syncedAt").asText())
                .as("written by one repair only")
                .isEqualTo(healing.syncedAt());
    }

    private double repairRuns() {
        return meters
                .find("sfcache.reconciliation.runs")
                .tag("sobject", "Account")
                .tag("result", "ok")
                .counters()
                .stream()
                .filter(c -> !c.getId().getTag("trigger").equals("schedule"))
                .mapToDouble(c -> c.count())
                .sum();
    }

    /** An Account in Salesforce and, read from there, in sfcache. */
    private String storedAccount(String name) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("Name", name);
        fields.put("OwnerId", salesforce.userId());
        fields.put("BillingCity", "Porto");
        String id = salesforce.create("Account", fields);
        reconciler.reconcile(ReconcileQuery.ids("Account", List.of(id)));
        assertThat(pipeline.record("Account", id)).isPresent();
        return id;
    }

    private JsonNode read(String id) {
        return JSON.valueToTree(GraphqlClients.reader(port, "heal-test")
                .document("{ account(id: \"" + id + "\") { billingCity freshness { source syncedAt currentAsOf stale "
                        + "staleReason } } }")
                .execute()
                .path("account")
                .entity(Map.class)
                .get());
    }

    /**
     * The Apex publisher's heartbeats, scaled down: every 500 ms for each object, over Service Bus, each counting the
     * messages sent since the previous one.
     */
    private final class Publisher {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final Map<SObjectType, Instant> previous = new HashMap<>();
        private final AtomicLong lost = new AtomicLong();
        private final AtomicBoolean switchedOff = new AtomicBoolean();
        private final AtomicBoolean silent = new AtomicBoolean();

        void start() {
            timer.scheduleAtFixedRate(this::beat, 0, 500, TimeUnit.MILLISECONDS);
        }

        void stop() {
            timer.shutdownNow();
        }

        void sentButLost(long count) {
            lost.addAndGet(count);
        }

        void switchedOff(boolean off) {
            switchedOff.set(off);
        }

        void silent(boolean on) {
            silent.set(on);
        }

        private void beat() {
            if (silent.get()) {
                return;
            }
            for (SObjectType type : SObjectType.values()) {
                long sent = type == SObjectType.ACCOUNT ? lost.getAndSet(0) : 0;
                ChangeMessageBuilder heartbeat = messages.heartbeat(type, sent, previous.get(type));
                if (switchedOff.get() && type == SObjectType.ACCOUNT) {
                    heartbeat.publishingEnabled(false);
                }
                previous.put(
                        type,
                        Instant.parse(heartbeat.toNode().path("commitTime").asText()));
                pipeline.send(heartbeat);
            }
        }
    }
}
