package io.sfcache.monitoring;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.salesforce.ReconcileQuery;
import io.sfcache.salesforce.Reconciler;
import io.sfcache.sync.DeadLetterStore;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.ObjectAlarms.Alarm;
import io.sfcache.sync.ObjectAlarms.Reason;
import io.sfcache.sync.RedriveJob;
import io.sfcache.sync.RedriveJobs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every alarm starts its repair at once: the detectors raise and end alarms here ({@link ObjectAlarms}), and the
 * {@code heal-on-alarm} route (one replica, one object at a time) asks which objects are {@link #due()}, reconciles
 * each from the last moment known complete (minus the reconciliation overlap, at most {@code max-window} back) up to
 * now, and reports back. While a condition lasts the object is repaired again every {@code repeat-every}, so readers
 * get correct data even from a publisher that stays broken; when it ends, one last repair covers the rest of its
 * window. Schema drift is repaired at detection; its end is repaired by the {@code schema-drift} route, which then
 * redrives the object's dead letters.
 */
@Component("alarmRepairs")
public class AlarmRepairs {

    private static final Logger LOG = LoggerFactory.getLogger(AlarmRepairs.class);

    /** One object's repair: the run (trigger: the first alarm's reason) and the alarms it covers as they were. */
    public record Repair(ReconciliationRun run, List<Alarm> covered) {
        public ReconcileQuery query() {
            return run.query();
        }
    }

    private final ObjectAlarms alarms;
    private final DataContracts contracts;
    private final ReconciliationRuns runs;
    private final RedriveJobs redrives;
    private final Clock clock;
    private final MonitoringProperties.Healing settings;
    private final Duration overlap;

    public AlarmRepairs(
            ObjectAlarms alarms,
            DataContracts contracts,
            ReconciliationRuns runs,
            RedriveJobs redrives,
            Clock clock,
            MonitoringProperties monitoring) {
        this.alarms = alarms;
        this.contracts = contracts;
        this.runs = runs;
        this.redrives = redrives;
        this.clock = clock;
        this.settings = monitoring.getHealing();
        this.overlap = monitoring.getReconciliation().getOverlap();
    }

    /** A detector sees the condition: the alarm is raised (a WARN line when new). */
    public void raise(String sobject, Reason reason, String detail, Instant completeUntil) {
        if (alarms.raise(sobject, reason, detail, completeUntil, clock.instant())) {
            LOG.warn(
                    "Alarm {} for {}: {}. Its records are reported stale{} (see the run-book, Healing)",
                    reason,
                    sobject,
                    detail,
                    settings.isEnabled()
                            ? " until a reconciliation from " + completeUntil + " has repaired them"
                            : " while it lasts (sfcache.monitoring.healing.enabled=false: nothing repairs it)");
        }
    }

    /** The same condition for every monitored object (the queue consumer serves them all). */
    public void raiseAll(Reason reason, String detail, Instant completeUntil) {
        contracts.all().forEach(contract -> raise(contract.sobject(), reason, detail, completeUntil));
    }

    /** A detector no longer sees the condition: one last repair, or, with healing off, nothing to wait for. */
    public void ended(String sobject, Reason reason) {
        if (settings.isEnabled() && reason != Reason.SCHEMA_DRIFT) {
            alarms.ended(sobject, reason);
        } else {
            alarms.clear(sobject, reason);
        }
    }

    public void endedAll(Reason reason) {
        contracts.all().forEach(contract -> ended(contract.sobject(), reason));
    }

    /** Since when the object has been known complete under an open alarm of this kind, if there is one. */
    public Optional<Instant> openSince(String sobject, Reason reason) {
        return alarms.find(sobject, reason).map(Alarm::completeUntil);
    }

    /** {@code heal-on-alarm} route: per object with alarms, the repair due now, if any. */
    public List<Repair> due() {
        Instant now = clock.instant();
        List<Repair> due = new ArrayList<>();
        for (DataContract contract : contracts.all()) {
            List<Alarm> open = alarms.of(contract.sobject());
            if (open.stream().anyMatch(alarm -> isDue(alarm, now))) {
                due.add(repair(contract.sobject(), open, now));
            }
        }
        return due;
    }

    private boolean isDue(Alarm alarm, Instant now) {
        if (alarm.awaitingRepair()) {
            return true;
        }
        // Records changed during a drift fail validation: re-reading them before it ends only dead-letters them again.
        return alarm.reason() != Reason.SCHEMA_DRIFT
                && !alarm.lastRepairAt().plus(settings.getRepeatEvery()).isAfter(now);
    }

    private Repair repair(String sobject, List<Alarm> open, Instant now) {
        Instant oldestAllowed = now.minus(settings.getMaxWindow());
        Instant from = open.stream()
                .map(Alarm::repairFrom)
                .min(Comparator.naturalOrder())
                .orElseThrow()
                .minus(overlap);
        if (from.isBefore(oldestAllowed)) {
            LOG.warn(
                    "{}: repairing from {} only (sfcache.monitoring.healing.max-window); changes before it, back to {},"
                            + " need an operator's reconcileWindow",
                    sobject,
                    oldestAllowed,
                    from);
            from = oldestAllowed;
        }
        Alarm first = open.stream().filter(Alarm::awaitingRepair).findFirst().orElse(open.get(0));
        ReconciliationRun run = new ReconciliationRun(
                sobject, first.reason().name(), now, ReconcileQuery.window(sobject, from, now), null);
        return new Repair(run, List.copyOf(open));
    }

    /** {@code heal-on-alarm} route, after the reconciliation: counted, and the alarms covered move on. */
    public ReconciliationRuns.Run repaired(Repair repair, Reconciler.Result result) {
        alarms.repaired(repair.covered(), repair.run().startedAt(), clock.instant());
        return runs.succeeded(repair.run(), result);
    }

    /** {@code heal-on-alarm} route: the repair failed; its alarms stay as they were and it runs again next check. */
    public ReconciliationRuns.Run failed(Repair repair, Throwable failure) {
        return runs.failed(repair.run(), failure);
    }

    /**
     * {@code schema-drift} route, after the drift's window was reconciled: the alarm goes, and the object's dead
     * letters are redriven, so changes rejected during the drift that now pass are stored (those that still fail are
     * dead letters again, with their reason).
     */
    public RedriveJob.Snapshot driftRepaired(String sobject) {
        alarms.clear(sobject, Reason.SCHEMA_DRIFT);
        RedriveJob.Snapshot job = redrives.start(DeadLetterStore.Filter.of(sobject, null, null));
        LOG.info("Schema drift of {} repaired: redriving its dead letters, job {}", sobject, job.id());
        return job;
    }
}
