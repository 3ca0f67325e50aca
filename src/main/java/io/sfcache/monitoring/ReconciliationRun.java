package io.sfcache.monitoring;

import io.sfcache.salesforce.ReconcileQuery;
import java.time.Instant;

/**
 * One reconciliation run under way: which object, why ({@code schedule}, {@code on-demand}, {@code heartbeat}), when
 * it started, what it reads (null until the schedule's checkpoint is read), and for a heartbeat's run the unpublished
 * window it covers.
 */
public record ReconciliationRun(
        String sobject, String trigger, Instant startedAt, ReconcileQuery query, UnpublishedWindow unpublished) {

    /**
     * A publisher heartbeat's report: changes of the object since {@code since} were not published, as of the
     * heartbeat's commit time {@code until}.
     */
    public record UnpublishedWindow(String sobject, Instant since, Instant until) {}
}
