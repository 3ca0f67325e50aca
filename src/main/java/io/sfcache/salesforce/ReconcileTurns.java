package io.sfcache.salesforce;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Route steps of {@code reconcile-records} that bound reconciliation whoever starts it (schedule, alarm, heartbeat,
 * drift, CDC gap, operator): one run per object at a time on this replica (a second waits for the first, then reads
 * what is left: the order guard skips what the first wrote), and at most {@code sfcache.salesforce.reconcile.
 * records-per-second} records into the sync flow across all runs, so a large window cannot crowd out live changes.
 */
@Component("reconcileTurns")
public class ReconcileTurns {

    private final Map<String, Semaphore> running = new ConcurrentHashMap<>();
    private final RateLimiter pace;
    private final Duration maxWait;

    public ReconcileTurns(SalesforceProperties salesforce) {
        SalesforceProperties.Reconcile settings = salesforce.getReconcile();
        this.maxWait = settings.getMaxWait();
        this.pace = RateLimiter.of(
                "reconciliation",
                RateLimiterConfig.custom()
                        .limitForPeriod(settings.getRecordsPerSecond())
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(maxWait)
                        .build());
    }

    /** First step: waits for a run of the same object to end, at most {@code max-wait}. */
    public void begin(ReconcileQuery query) throws InterruptedException {
        Semaphore turn = running.computeIfAbsent(query.sobject(), k -> new Semaphore(1));
        if (!turn.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("another reconciliation of " + query.sobject() + " has run longer than "
                    + maxWait + " (sfcache.salesforce.reconcile.max-wait): this one is tried again later");
        }
    }

    /** Last step, whatever happened. */
    public void end(String sobject) {
        Semaphore turn = running.get(sobject);
        if (turn != null) {
            turn.release();
        }
    }

    /** Before each record goes into the sync flow. */
    public void awaitPace() {
        if (!pace.acquirePermission()) {
            throw new IllegalStateException("reconciliation paced out: no permit within " + maxWait);
        }
    }
}
