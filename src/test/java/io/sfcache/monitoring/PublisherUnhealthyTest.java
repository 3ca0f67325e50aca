package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.InMemoryAlarms;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.standin.salesforce.SalesforceStandin;
import io.sfcache.sync.PipelineHarness;
import io.sfcache.sync.RedriveJobs;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Heartbeats that arrive but say the publisher is broken, sent over the Service Bus stand-in like the publisher's:
 * each problem raises its gauge, health detail and one WARN line, a later healthy heartbeat clears it with one INFO
 * line, and a heartbeat from an older publisher (none of the new fields) raises nothing. Unpublished changes are
 * also reconciled from Salesforce (the stand-in). Each test starts from a healthy heartbeat of Account.
 */
@SfcacheIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class PublisherUnhealthyTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final SObjectType OBJECT = SObjectType.ACCOUNT;
    private static final String SOBJECT = OBJECT.apiName();

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    MeterRegistry meters;

    @Autowired
    HealthEndpoint health;

    @Autowired
    HeartbeatWatchdog watchdog;

    @Autowired
    ReconciliationRuns reconciliation;

    @Autowired
    SyncState syncState;

    @Autowired
    DataContracts contracts;

    @Autowired
    LagRecorder lag;

    @Autowired
    MonitoringProperties monitoring;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());

    @Autowired
    RedriveJobs redrives;

    @BeforeEach
    void startFromAHealthyPublisher() {
        sendAndAwaitSeen(healthy());
        assertRaised();
    }

    /** Later tests in the shared context read Account's records: not as stale as a broken publisher leaves them. */
    @AfterEach
    void leaveAHealthyPublisher() {
        sendAndAwaitSeen(healthy());
    }

    @Test
    void publishingSwitchedOffRaisesPublishingOff(CapturedOutput output) {
        int mark = output.getOut().length();
        sendAndAwaitSeen(healthy().publishingEnabled(false));

        assertRaised(PublisherProblem.PUBLISHING_OFF);
        assertThat(problemDetails()).containsEntry("PUBLISHING_OFF", "publishingEnabled=false");
        assertWarnedOnce(output, mark, PublisherProblem.PUBLISHING_OFF);
    }

    @Test
    void anInactiveTriggerRaisesTriggerInactive(CapturedOutput output) {
        int mark = output.getOut().length();
        sendAndAwaitSeen(healthy().triggerActive(false));

        assertRaised(PublisherProblem.TRIGGER_INACTIVE);
        assertWarnedOnce(output, mark, PublisherProblem.TRIGGER_INACTIVE);
    }

    @Test
    void failedSendsAndAGrowingFailedCountRaiseSendFailuresASteadyCountDoesNot(CapturedOutput output) {
        int mark = output.getOut().length();
        sendAndAwaitSeen(healthy().failedSincePrevious(2));
        assertRaised(PublisherProblem.SEND_FAILURES);
        assertWarnedOnce(output, mark, PublisherProblem.SEND_FAILURES);

        // One more message gave up: FAILED grows from 0 (previous heartbeat) to 1.
        sendAndAwaitSeen(healthy().outbox(0, 1, null));
        assertRaised(PublisherProblem.SEND_FAILURES);

        // Still one FAILED, no new failure: an operator's job (outbox gauge), not a growing problem.
        sendAndAwaitSeen(healthy().outbox(0, 1, null));
        assertRaised();
        assertThat(gauge("sfcache.publisher.outbox.failed")).isEqualTo(1.0);

        sendAndAwaitSeen(healthy().outbox(0, 3, null));
        assertRaised(PublisherProblem.SEND_FAILURES);
        assertThat(problemDetails().get("SEND_FAILURES"))
                .contains("outboxFailed=3")
                .contains("previous heartbeat: 1");
        assertThat(gauge("sfcache.publisher.outbox.failed")).isEqualTo(3.0);
    }

    @Test
    void anOutboxMessagePendingLongerThanTheLimitAtTheHeartbeatRaisesOutboxBacklog(CapturedOutput output) {
        Duration limit = monitoring.getHeartbeat().getMaxPendingAge();
        // Sent an hour ago (delivered late) when its oldest pending message was 5 minutes old: measured at the
        // heartbeat it is young, though an hour older by now.
        Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
        sendAndAwaitSeen(healthy().commitTime(anHourAgo).outbox(2, 0, anHourAgo.minus(Duration.ofMinutes(5))));
        assertRaised();
        assertThat(gauge("sfcache.publisher.outbox.oldest.pending.age")).isEqualTo(300.0);

        Instant now = Instant.now();
        int mark = output.getOut().length();
        sendAndAwaitSeen(healthy().commitTime(now).outbox(4, 0, now.minus(limit).minus(Duration.ofMinutes(1))));

        assertRaised(PublisherProblem.OUTBOX_BACKLOG);
        assertThat(gauge("sfcache.publisher.outbox.pending")).isEqualTo(4.0);
        assertThat(gauge("sfcache.publisher.outbox.oldest.pending.age"))
                .isEqualTo(limit.plus(Duration.ofMinutes(1)).toSeconds(), org.assertj.core.data.Offset.offset(0.01));
        assertWarnedOnce(output, mark, PublisherProblem.OUTBOX_BACKLOG);
    }

    @Test
    void unpublishedChangesRaiseTheAlarmAndTheirWindowIsReconciledFromSalesforce(CapturedOutput output) {
        SalesforceStandin salesforce = SalesforceStandin.shared();
        Map<String, Object> fields = new HashMap<>();
        fields.put("Name", "Unpublished Changes");
        fields.put("OwnerId", salesforce.userId());
        fields.put("BillingCity", "Porto");
        String id = salesforce.create("Account", fields);
        Instant since = Instant.now();
        // The publisher's transaction had no governor-limit room left: no message, and no change event either.
        salesforce.updateSilently("Account", id, Map.of("BillingCity", "Faro"));
        double heartbeatRuns = counter("sfcache.reconciliation.runs", "heartbeat");
        int mark = output.getOut().length();

        sendAndAwaitSeen(healthy().unpublishedSince(since));

        assertRaised(PublisherProblem.UNPUBLISHED_CHANGES);
        assertWarnedOnce(output, mark, PublisherProblem.UNPUBLISHED_CHANGES);
        // Only the repair can bring this value: the queue and CDC never carried it, the schedule is 1 h in tests.
        await().atMost(DEADLINE)
                .until(
                        () -> pipeline.record("Account", id)
                                .map(r -> r.path("fields").path("BillingCity").asText())
                                .orElse(""),
                        "Faro"::equals);
        JsonNode stored = pipeline.record("Account", id).orElseThrow();
        assertThat(stored.path("sync").path("source").asText()).isEqualTo("RECONCILIATION");
        await().atMost(DEADLINE).until(() -> counter("sfcache.reconciliation.runs", "heartbeat") > heartbeatRuns);
        assertThat(reconciliation.lastRuns().get("Account").trigger()).isEqualTo("heartbeat");
    }

    @Test
    void aLaterHealthyHeartbeatClearsEveryProblem(CapturedOutput output) {
        Instant now = Instant.now();
        sendAndAwaitSeen(healthy()
                .commitTime(now)
                .publishingEnabled(false)
                .triggerActive(false)
                .failedSincePrevious(1)
                .outbox(1, 0, now.minus(Duration.ofHours(2))));
        assertRaised(
                PublisherProblem.PUBLISHING_OFF,
                PublisherProblem.TRIGGER_INACTIVE,
                PublisherProblem.SEND_FAILURES,
                PublisherProblem.OUTBOX_BACKLOG);
        assertThat(component().getStatus()).isEqualTo(Status.DOWN);

        int mark = output.getOut().length();
        sendAndAwaitSeen(healthy());

        assertRaised();
        assertThat(problemDetails()).isEmpty();
        assertThat(gauge("sfcache.publisher.outbox.pending")).isZero();
        assertThat(gauge("sfcache.publisher.outbox.oldest.pending.age")).isZero();
        for (PublisherProblem problem : EnumSet.of(
                PublisherProblem.PUBLISHING_OFF,
                PublisherProblem.TRIGGER_INACTIVE,
                PublisherProblem.SEND_FAILURES,
                PublisherProblem.OUTBOX_BACKLOG)) {
            assertThat(occurrences(
                            output.getOut().substring(mark),
                            "Publisher of Account: " + problem + " cleared by its heartbeat"))
                    .as(problem.name())
                    .isEqualTo(1);
        }
    }

    @Test
    void aHeartbeatFromAnOlderPublisherRaisesNothing() {
        ChangeMessageBuilder old = messages.heartbeat(OBJECT, 0, null).withoutPublisherStatus();
        assertThat(old.toNode().path("heartbeat").size())
                .as("only sentSincePrevious and previousHeartbeatTime")
                .isEqualTo(2);

        sendAndAwaitSeen(old);

        assertRaised();
        assertThat(syncState.readHeartbeat(SOBJECT).orElseThrow().publisher().saidNothing())
                .isTrue();
        assertThat(gauge("sfcache.publisher.outbox.pending"))
                .as("unknown, not 0")
                .isNaN();
        assertThat(gauge("sfcache.publisher.outbox.failed")).isNaN();
        assertThat(gauge("sfcache.publisher.outbox.oldest.pending.age")).isNaN();
        assertThat(details()).doesNotContainKey("publisher");
    }

    @Test
    void aRestartedReplicaSeesTheLastReportedStatusFromTheStoredHeartbeat() {
        sendAndAwaitSeen(healthy().triggerActive(false).outbox(5, 2, null));

        // Alarms of its own: the shared context's readers must not see this one's.
        SimpleMeterRegistry ownMeters = new SimpleMeterRegistry();
        HeartbeatWatchdog restarted = new HeartbeatWatchdog(
                contracts,
                syncState,
                lag,
                new AlarmRepairs(
                        InMemoryAlarms.of(contracts, ownMeters),
                        contracts,
                        new ReconciliationRuns(contracts, ownMeters),
                        redrives,
                        Clock.systemUTC(),
                        monitoring),
                ownMeters,
                Clock.systemUTC(),
                monitoring);
        restarted.check();

        // The FAILED count grew from the stored heartbeat before (0): a replica that never saw that one knows too.
        assertThat(restarted.problems(SOBJECT))
                .containsOnlyKeys(PublisherProblem.TRIGGER_INACTIVE, PublisherProblem.SEND_FAILURES);
        SyncState.Heartbeat stored = syncState.readHeartbeat(SOBJECT).orElseThrow();
        assertThat(stored.publisher().outboxPending()).isEqualTo(5);
        assertThat(stored.publisher().outboxFailed()).isEqualTo(2);
        assertThat(stored.previousOutboxFailed())
                .as("from the healthy heartbeat before")
                .isZero();
    }

    // --- helpers ---

    private ChangeMessageBuilder healthy() {
        return messages.heartbeat(OBJECT, 0, null);
    }

    /** Sends the heartbeat over Service Bus and waits until the watchdog has checked it. */
    private void sendAndAwaitSeen(ChangeMessageBuilder heartbeat) {
        Instant sentAt = Instant.parse(heartbeat.toNode().path("commitTime").asText());
        pipeline.awaitCompleted(pipeline.send(heartbeat));
        await().atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> sentAt.toString().equals(String.valueOf(details().get("lastHeartbeatSentAt"))));
    }

    /** Exactly these problems, in the watchdog, the gauges and the health details. */
    private void assertRaised(PublisherProblem... expected) {
        Set<PublisherProblem> raised =
                expected.length == 0 ? EnumSet.noneOf(PublisherProblem.class) : EnumSet.copyOf(Arrays.asList(expected));
        assertThat(watchdog.problems(SOBJECT).keySet()).isEqualTo(raised);
        for (PublisherProblem problem : PublisherProblem.values()) {
            assertThat(meters.get("sfcache.publisher.unhealthy")
                            .tag("sobject", SOBJECT)
                            .tag("reason", problem.name())
                            .gauge()
                            .value())
                    .as(problem.name())
                    .isEqualTo(raised.contains(problem) ? 1.0 : 0.0);
        }
        assertThat(problemDetails().keySet())
                .containsExactlyInAnyOrderElementsOf(
                        raised.stream().map(Enum::name).toList());
        if (!raised.isEmpty()) {
            assertThat(component().getStatus()).isEqualTo(Status.DOWN);
        }
    }

    /** One WARN line since {@code mark} when the problem starts, not one per check. */
    private static void assertWarnedOnce(CapturedOutput output, int mark, PublisherProblem problem) {
        String line = "Publisher of Account unhealthy, " + problem + ":";
        await().atMost(DEADLINE).until(() -> occurrences(output.getOut().substring(mark), line) == 1);
        // Checks run every 500 ms in tests: several more pass without another line.
        await().during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> occurrences(output.getOut().substring(mark), line) == 1);
        assertThat(output.getOut().substring(mark))
                .contains("WARN")
                .contains("See the run-book, SfcachePublisherUnhealthy (" + problem + ")");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private Health component() {
        return (Health) health.healthForPath("sync", "heartbeats");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> details() {
        return (Map<String, Object>) component().getDetails().get(SOBJECT);
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> problemDetails() {
        return (Map<String, String>) details().get("publisherProblems");
    }

    private double gauge(String name) {
        return meters.get(name).tag("sobject", SOBJECT).gauge().value();
    }

    private double counter(String name, String trigger) {
        return meters.find(name).tag("sobject", SOBJECT).tag("trigger", trigger).tag("result", "ok").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
