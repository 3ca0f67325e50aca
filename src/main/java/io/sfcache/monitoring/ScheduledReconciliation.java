package io.sfcache.monitoring;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.salesforce.ReconcileQuery;
import io.sfcache.salesforce.Reconciler;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.SyncHeaders;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/**
 * Anti-entropy. On a schedule, per object, every record Salesforce changed since the last checkpoint (minus an
 * overlap) goes through the sync flow as a full change (source RECONCILIATION): the order guard skips what Cosmos
 * already holds and writes what is missing or older, so a lost message heals within an interval. Operators can
 * reconcile a time window after an outage (JMX {@code io.sfcache:type=Reconciliation}). When a publisher heartbeat
 * reports changes it could not hand off ({@code unpublishedSince}), the replica that received it reconciles that
 * window in the background (trigger {@code heartbeat}).
 *
 * <p>The flows are the routes in {@code reconciliation.camel.yaml}; this bean holds their steps about checkpoints and
 * windows. Runs are counted and shown by {@link ReconciliationRuns}.
 */
@Component("reconciliation")
@ManagedResource(objectName = "io.sfcache:type=Reconciliation", description = "Reconciliation against Salesforce")
public class ScheduledReconciliation {

    private final DataContracts contracts;
    private final Reconciler reconciler;
    private final ReconciliationRuns runs;
    private final SyncState syncState;
    private final Clock clock;
    private final ReconciliationWindows windows;

    public ScheduledReconciliation(
            DataContracts contracts,
            Reconciler reconciler,
            ReconciliationRuns runs,
            SyncState syncState,
            Clock clock,
            MonitoringProperties monitoring) {
        this.contracts = contracts;
        this.reconciler = reconciler;
        this.runs = runs;
        this.syncState = syncState;
        this.clock = clock;
        MonitoringProperties.Reconciliation settings = monitoring.getReconciliation();
        this.windows = new ReconciliationWindows(settings.getOverlap(), settings.getInitialWindow());
    }

    /** {@code reconcile-all} route: the objects to reconcile, in contract order. */
    public List<String> objects() {
        return contracts.all().stream().map(DataContract::sobject).toList();
    }

    /** {@code reconcile-all} route: the object's scheduled run, starting now. */
    public ReconciliationRun scheduled(String sobject) {
        return new ReconciliationRun(sobject, "schedule", clock.instant(), null, null);
    }

    /** {@code reconcile-all} route: what the scheduled run reads, from the object's checkpoint. */
    public ReconcileQuery fromCheckpoint(ReconciliationRun run) {
        return ReconcileQuery.since(
                run.sobject(),
                windows.scheduledFrom(syncState.reconciliationCheckpoint(run.sobject()), run.startedAt()));
    }

    /** {@code reconcile-all} route, after the run: the next one reads from where this one started (minus the overlap). */
    public void saveCheckpoint(ReconciliationRun run) {
        syncState.saveReconciliationCheckpoint(run.sobject(), run.startedAt());
    }

    @ManagedOperation(
            description = "Reconcile an object for a window, e.g. Account, 2026-11-27T01:00:00Z, "
                    + "2026-11-27T09:00:00Z (to: empty for now)")
    public String reconcileWindow(String sobject, String from, String to) {
        contracts.find(sobject).orElseThrow(() -> new IllegalArgumentException(sobject + " is not a monitored object"));
        Instant start = Instant.parse(from);
        Instant end = to == null || to.isBlank() ? clock.instant() : Instant.parse(to);
        ReconciliationRun run = new ReconciliationRun(
                sobject, "on-demand", clock.instant(), ReconcileQuery.window(sobject, start, end), null);
        try {
            return runs.succeeded(run, reconciler.reconcile(run.query())).toString();
        } catch (RuntimeException e) {
            runs.failed(run, e);
            throw e;
        }
    }

    /**
     * Heartbeat route step: the window of changes the publisher reports it could not publish (since {@code
     * unpublishedSince}, up to the heartbeat), which the route hands to {@code reconcile-unpublished}; null when the
     * heartbeat reports none.
     */
    public ReconciliationRun.UnpublishedWindow unpublishedWindow(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        Instant since = change.heartbeat().publisher().unpublishedSince();
        return since == null
                ? null
                : new ReconciliationRun.UnpublishedWindow(change.sobject(), since, change.commitTime());
    }

    /**
     * {@code reconcile-unpublished} route: the run for a heartbeat's window, from where earlier runs for the same
     * {@code unpublishedSince} got to; null when they read it all.
     */
    public ReconciliationRun unpublished(ReconciliationRun.UnpublishedWindow window) {
        ReconcileQuery query = windows.unpublished(window);
        return query == null
                ? null
                : new ReconciliationRun(window.sobject(), "heartbeat", clock.instant(), query, window);
    }

    /** {@code reconcile-unpublished} route, after a successful run: its window is read. */
    public void unpublishedRead(ReconciliationRun run) {
        windows.read(run.unpublished());
    }
}
