package io.sfcache.monitoring;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.salesforce.Reconciler;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.SyncHeaders;
import io.sfcache.sync.SyncState;

/**
 * Anti-entropy. On a schedule, per object, every record Salesforce changed since the last checkpoint (minus an
 * overlap) goes through the sync flow as a full change (source RECONCILIATION): the order guard skips what Cosmos
 * already holds and writes what is missing or older, so a lost message heals within an interval. Operators can
 * reconcile a time window after an outage (JMX {@code io.sfcache:type=Reconciliation}). When a publisher heartbeat
 * reports changes it could not hand off ({@code unpublishedSince}), the replica that received it reconciles that
 * window in the background (trigger {@code heartbeat}). Health component {@code reconciliation}: the last run per
 * object, DOWN while the last run failed.
 */
@Component("reconciliation")
@ManagedResource(objectName = "io.sfcache:type=Reconciliation", description = "Reconciliation against Salesforce")
public class ScheduledReconciliation implements HealthIndicator, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledReconciliation.class);

    /** @param error null if the run succeeded */
    public record Run(String trigger, Instant at, int seen, int repaired, int rejected, String error) {
    }

    /** A window of unpublished changes reconciled: from the publisher's {@code unpublishedSince} to {@code until}. */
    private record Unpublished(Instant since, Instant until) {
    }

    private final DataContracts contracts;
    private final Reconciler reconciler;
    private final SyncState syncState;
    private final MeterRegistry meters;
    private final Clock clock;
    private final MonitoringProperties.Reconciliation settings;
    private final Map<String, Run> lastRuns = new ConcurrentHashMap<>();
    private final Map<String, Unpublished> unpublishedDone = new ConcurrentHashMap<>();
    /** Repairs asked for by heartbeats run here, one at a time, never on the consumer's thread. */
    private final ExecutorService background = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "reconcile-unpublished");
        thread.setDaemon(true);
        return thread;
    });

    public ScheduledReconciliation(DataContracts contracts, Reconciler reconciler, SyncState syncState,
            MeterRegistry meters, Clock clock, MonitoringProperties monitoring) {
        this.contracts = contracts;
        this.reconciler = reconciler;
        this.syncState = syncState;
        this.meters = meters;
        this.clock = clock;
        this.settings = monitoring.getReconciliation();
        // At zero from the start, so "nothing repaired" is a series alerts can read, not a missing one.
        contracts.all().forEach(contract -> meters.counter("sfcache.reconciliation.repaired", "sobject",
                contract.sobject()));
    }

    /** Timer step ({@code reconciliation} route, one replica at a time): every object from its checkpoint. */
    public void runAll() {
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Instant startedAt = clock.instant();
            try {
                // Checkpoint read and save are part of the run: their failures are logged and counted like its own.
                record(sobject, "schedule", () -> {
                    Instant since = syncState.reconciliationCheckpoint(sobject)
                            .map(c -> c.minus(settings.getOverlap()))
                            .orElse(startedAt.minus(settings.getInitialWindow()));
                    Reconciler.Result result = reconciler.reconcile(sobject, since);
                    syncState.saveReconciliationCheckpoint(sobject, startedAt);
                    return result;
                });
            } catch (RuntimeException e) {
                // Recorded by record(); the next run starts from the old checkpoint again.
            }
        }
    }

    @ManagedOperation(description = "Reconcile an object for a window, e.g. Account, 2026-11-27T01:00:00Z, "
            + "2026-11-27T09:00:00Z (to: empty for now)")
    public String reconcileWindow(String sobject, String from, String to) {
        contracts.find(sobject).orElseThrow(() -> new IllegalArgumentException(sobject + " is not a monitored object"));
        Instant start = Instant.parse(from);
        Instant end = to == null || to.isBlank() ? clock.instant() : Instant.parse(to);
        return record(sobject, "on-demand", () -> reconciler.reconcile(sobject, start, end)).toString();
    }

    /**
     * Heartbeat route step: the publisher reports that changes of the object since {@code unpublishedSince} were not
     * published. Reconciles [unpublishedSince minus {@code overlap}, the heartbeat's commit time) in the background,
     * so the heartbeat is done at once. Nothing to do for a heartbeat without it.
     */
    public void repairUnpublished(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        Instant since = change.heartbeat().publisher().unpublishedSince();
        if (since != null) {
            background.execute(() -> reconcileUnpublished(change.sobject(), since, change.commitTime()));
        }
    }

    /**
     * Reconciles the object's unpublished changes up to {@code until}. A publisher that reports the same
     * {@code unpublishedSince} again is reconciled from where the last successful run for it ended (minus the overlap),
     * not from the start each heartbeat.
     *
     * @return the run, or null when there was nothing new to read
     */
    Run reconcileUnpublished(String sobject, Instant since, Instant until) {
        Unpublished done = unpublishedDone.get(sobject);
        Instant from = (done != null && done.since().equals(since) ? done.until() : since).minus(settings.getOverlap());
        if (!from.isBefore(until)) {
            return null;
        }
        LOG.info("Publisher reports unpublished {} changes since {}: reconciling {} to {}", sobject, since, from,
                until);
        try {
            // The heartbeat's own millisecond included: a change stamped with it committed before the heartbeat.
            Instant end = until.plusMillis(1);
            Run run = record(sobject, "heartbeat", () -> reconciler.reconcile(sobject, from, end));
            unpublishedDone.merge(sobject, new Unpublished(since, until),
                    (old, now) -> old.since().equals(now.since()) && old.until().isAfter(now.until()) ? old : now);
            return run;
        } catch (RuntimeException e) {
            // Logged and shown by record(); the next heartbeat that still reports the window tries again.
            return null;
        }
    }

    @Override
    public void destroy() {
        background.shutdownNow();
    }

    private Run record(String sobject, String trigger, java.util.function.Supplier<Reconciler.Result> work) {
        Instant at = clock.instant();
        try {
            Reconciler.Result result = work.get();
            meters.counter("sfcache.reconciliation.runs", "sobject", sobject, "trigger", trigger, "result", "ok")
                    .increment();
            meters.counter("sfcache.reconciliation.checked", "sobject", sobject).increment(result.seen());
            meters.counter("sfcache.reconciliation.repaired", "sobject", sobject).increment(result.repaired());
            if (result.repaired() > 0) {
                LOG.warn("Reconciliation of {} repaired {} record(s) that were missing or older in Cosmos: changes "
                        + "were lost on the way (see the run-book, SfcacheReconciliationRepairing)", sobject,
                        result.repaired());
            }
            Run run = new Run(trigger, at, result.seen(), result.repaired(), result.rejected(), null);
            lastRuns.put(sobject, run);
            return run;
        } catch (RuntimeException e) {
            meters.counter("sfcache.reconciliation.runs", "sobject", sobject, "trigger", trigger, "result", "failed")
                    .increment();
            LOG.warn("Reconciliation of {} failed: {}", sobject, e.getMessage());
            lastRuns.put(sobject, new Run(trigger, at, 0, 0, 0, String.valueOf(e.getMessage())));
            throw e;
        }
    }

    public Map<String, Run> lastRuns() {
        return Map.copyOf(lastRuns);
    }

    @Override
    public Health health() {
        boolean failed = lastRuns.values().stream().anyMatch(run -> run.error() != null);
        Map<String, Object> details = new LinkedHashMap<>();
        lastRuns.forEach((sobject, run) -> details.put(sobject, run));
        return (failed ? Health.down() : Health.up()).withDetail("interval", settings.getInterval().toString())
                .withDetails(details).build();
    }
}
