package io.sfcache.monitoring;

import io.sfcache.salesforce.ReconcileQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where reconciliation runs read from. The schedule: from the last checkpoint minus {@code overlap}, or, before the
 * first one, {@code initial-window} back. A heartbeat's unpublished changes: from its {@code unpublishedSince} minus the
 * overlap to its commit time; a publisher that reports the same {@code unpublishedSince} again is read from where the
 * last successful run for it ended (minus the overlap), not from the start each heartbeat.
 */
final class ReconciliationWindows {

    private final Duration overlap;
    private final Duration initialWindow;
    /** Per object, the last unpublished window read successfully. */
    private final Map<String, ReconciliationRun.UnpublishedWindow> unpublishedRead = new ConcurrentHashMap<>();

    ReconciliationWindows(Duration overlap, Duration initialWindow) {
        this.overlap = overlap;
        this.initialWindow = initialWindow;
    }

    Instant scheduledFrom(Optional<Instant> checkpoint, Instant startedAt) {
        return checkpoint.map(c -> c.minus(overlap)).orElse(startedAt.minus(initialWindow));
    }

    /** @return what to read for the heartbeat's window, or null when earlier runs already read it */
    ReconcileQuery unpublished(ReconciliationRun.UnpublishedWindow window) {
        ReconciliationRun.UnpublishedWindow done = unpublishedRead.get(window.sobject());
        Instant from =
                (done != null && done.since().equals(window.since()) ? done.until() : window.since()).minus(overlap);
        if (!from.isBefore(window.until())) {
            return null;
        }
        // The heartbeat's own millisecond included: a change stamped with it committed before the heartbeat.
        return ReconcileQuery.window(window.sobject(), from, window.until().plusMillis(1));
    }

    /** The window was read: later heartbeats reporting the same start read only what came after it. */
    void read(ReconciliationRun.UnpublishedWindow window) {
        unpublishedRead.merge(
                window.sobject(),
                window,
                (old, now) -> old.since().equals(now.since()) && old.until().isAfter(now.until()) ? old : now);
    }
}
