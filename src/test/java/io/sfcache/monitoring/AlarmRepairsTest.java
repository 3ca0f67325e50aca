package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.InMemoryAlarms;
import io.sfcache.fixtures.MovableClock;
import io.sfcache.salesforce.ReconcileQuery;
import io.sfcache.salesforce.Reconciler;
import io.sfcache.sync.DeadLetterStore;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.ObjectAlarms.Reason;
import io.sfcache.sync.RedriveJob;
import io.sfcache.sync.RedriveJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * Which repair an alarm starts and when, on a clock the test moves: at once after detection, from the last moment
 * known complete minus the overlap; again every repeat-every while the condition lasts (not for schema drift); once
 * more after it ends, and then the alarm is gone; never further back than max-window. Readers' view: stale with the
 * reason until a repair covers the alarm. The end-to-end path is HealOnAlarmTest's.
 */
class AlarmRepairsTest {

    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");
    private static final Duration OVERLAP = Duration.ofMinutes(10);

    private final MovableClock clock = new MovableClock(START);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DataContracts contracts = new DataContracts(
            List.of("Account"), "classpath:contracts/objects/", new DefaultResourceLoader(), new ObjectMapper());
    private final ObjectAlarms alarms = InMemoryAlarms.of(contracts, meters);
    private final RedriveJobs redrives = mock(RedriveJobs.class);
    private final AlarmRepairs repairs = repairs();

    private AlarmRepairs repairs() {
        MonitoringProperties monitoring = new MonitoringProperties();
        monitoring.getReconciliation().setOverlap(OVERLAP);
        monitoring.getHealing().setRepeatEvery(Duration.ofMinutes(1));
        monitoring.getHealing().setMaxWindow(Duration.ofHours(24));
        return new AlarmRepairs(
                alarms, contracts, new ReconciliationRuns(contracts, meters), redrives, clock, monitoring);
    }

    @Test
    void anAlarmIsRepairedAtOnceFromTheLastMomentKnownCompleteAndReadersAreToldUntilThen() {
        Instant lastGoodHeartbeat = START.minus(Duration.ofMinutes(20));
        repairs.raise("Account", Reason.PUBLISHER_SILENT, "no heartbeat", lastGoodHeartbeat);

        assertThat(alarms.staleReason("Account")).contains(Reason.PUBLISHER_SILENT);
        assertThat(alarms.knownCompleteUntil("Account")).contains(lastGoodHeartbeat);
        List<AlarmRepairs.Repair> due = repairs.due();
        assertThat(due).hasSize(1);
        assertThat(due.get(0).run().trigger()).isEqualTo("PUBLISHER_SILENT");
        assertThat(due.get(0).query())
                .isEqualTo(ReconcileQuery.window("Account", lastGoodHeartbeat.minus(OVERLAP), START));

        clock.advance(Duration.ofSeconds(5));
        repairs.repaired(due.get(0), new Reconciler.Result("Account", 3, 1, 0));

        assertThat(alarms.staleReason("Account")).isEmpty();
        assertThat(alarms.knownCompleteUntil("Account"))
                .as("as far as the repair read")
                .contains(START);
        assertThat(repairs.due()).as("not again before repeat-every").isEmpty();
        assertThat(meters.get("sfcache.reconciliation.runs")
                        .tag("trigger", "PUBLISHER_SILENT")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aLastingConditionIsRepairedAgainEveryRepeatEveryFromWhereTheLastRepairGot() {
        repairs.raise("Account", Reason.PUBLISHER_UNHEALTHY, "publishing off", START.minusSeconds(60));
        repairs.repaired(repairs.due().get(0), new Reconciler.Result("Account", 0, 0, 0));

        clock.advance(Duration.ofSeconds(59));
        assertThat(repairs.due()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        List<AlarmRepairs.Repair> again = repairs.due();

        assertThat(again).hasSize(1);
        assertThat(again.get(0).query())
                .isEqualTo(ReconcileQuery.window("Account", START.minus(OVERLAP), START.plusSeconds(60)));
    }

    @Test
    void schemaDriftIsRepairedAtDetectionOnlyAndStaysStaleWhileItLasts() {
        repairs.raise("Account", Reason.SCHEMA_DRIFT, "Account.AnnualRevenue: type double -> string", START);
        repairs.repaired(repairs.due().get(0), new Reconciler.Result("Account", 0, 0, 0));

        clock.advance(Duration.ofHours(1));
        assertThat(repairs.due())
                .as("changes made during the drift would only fail again")
                .isEmpty();
        assertThat(alarms.staleReason("Account")).contains(Reason.SCHEMA_DRIFT);

        when(redrives.start(DeadLetterStore.Filter.of("Account", null, null)))
                .thenReturn(mock(RedriveJob.Snapshot.class));
        repairs.driftRepaired("Account");
        assertThat(alarms.all()).isEmpty();
        verify(redrives).start(DeadLetterStore.Filter.of("Account", null, null));
    }

    @Test
    void anEndedConditionGetsOneLastRepairThenTheAlarmIsGoneUnlessItEndedDuringTheRepair() {
        repairs.raise("Account", Reason.MESSAGES_LOST, "2 lost", START.minusSeconds(30));
        AlarmRepairs.Repair first = repairs.due().get(0);
        // The condition ends while the first repair runs: that repair started before the end, so one more is due.
        repairs.ended("Account", Reason.MESSAGES_LOST);
        repairs.repaired(first, new Reconciler.Result("Account", 0, 0, 0));
        assertThat(alarms.find("Account", Reason.MESSAGES_LOST)).isPresent();

        clock.advance(Duration.ofSeconds(1));
        AlarmRepairs.Repair last = repairs.due().get(0);
        assertThat(last.query())
                .isEqualTo(ReconcileQuery.window("Account", START.minus(OVERLAP), START.plusSeconds(1)));
        repairs.repaired(last, new Reconciler.Result("Account", 0, 0, 0));

        assertThat(alarms.all()).isEmpty();
        assertThat(repairs.due()).isEmpty();
    }

    @Test
    void aRepairNeverReadsFurtherBackThanMaxWindow() {
        repairs.raise("Account", Reason.PUBLISHER_SILENT, "no heartbeat", START.minus(Duration.ofDays(3)));

        assertThat(repairs.due().get(0).query())
                .isEqualTo(ReconcileQuery.window("Account", START.minus(Duration.ofHours(24)), START));
    }

    @Test
    void aFailedRepairLeavesTheAlarmAsItWasForTheNextCheck() {
        repairs.raise("Account", Reason.QUEUE_PAUSED, "paused", START.minusSeconds(120));
        AlarmRepairs.Repair repair = repairs.due().get(0);
        repairs.failed(repair, new IllegalStateException("Salesforce refused the login"));

        assertThat(alarms.staleReason("Account")).contains(Reason.QUEUE_PAUSED);
        assertThat(repairs.due()).extracting(AlarmRepairs.Repair::query).containsExactly(repair.query());
    }
}
