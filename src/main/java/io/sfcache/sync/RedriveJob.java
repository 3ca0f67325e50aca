package io.sfcache.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One redrive job: the open dead letters of one selection sent through the sync flow again, in the background (see
 * {@link RedriveJobs}). Its own thread writes it; GraphQL, JMX and the route read it through {@link #snapshot()}.
 */
public final class RedriveJob {

    public enum Status {
        RUNNING,
        DONE,
        CANCELLED,
        FAILED
    }

    /** What happened to one dead letter. */
    public enum Outcome {
        /** Went through and was stored (or found already stored): the dead letter is REDRIVEN. */
        SUCCEEDED,
        /** Rejected again: the dead letter shows the new reason and one more attempt, and stays OPEN. */
        FAILED_AGAIN,
        /** Failed on a dependency (e.g. Cosmos down); the dead letter stays OPEN for another redrive. */
        FAILED_TRANSIENTLY,
        /** No longer open when its turn came: redriven meanwhile by an overlapping job or another replica. */
        SKIPPED
    }

    /** Failures kept per job, the first ones: enough to see the pattern, bounded in memory. */
    static final int FAILURES_KEPT = 100;

    /** The job at one moment, consistent: {@code processed} is the sum of the outcomes. */
    public record Snapshot(
            String id,
            DeadLetterStore.Filter selection,
            Status status,
            int matched,
            int succeeded,
            int failedAgain,
            int failedTransiently,
            int skipped,
            List<String> failures,
            String error,
            Instant startedAt,
            Instant finishedAt) {

        public int processed() {
            return succeeded + failedAgain + failedTransiently + skipped;
        }

        @Override
        public String toString() {
            return "job " + id + " " + status + " (" + selection + "): matched " + matched + ", processed "
                    + processed() + ", succeeded " + succeeded + ", failed again " + failedAgain
                    + ", failed transiently " + failedTransiently + ", skipped " + skipped
                    + (error == null ? "" : ", error " + error) + (failures.isEmpty() ? "" : ": " + failures);
        }
    }

    private final String id = UUID.randomUUID().toString();
    private final DeadLetterStore.Filter selection;
    private final Instant startedAt;
    private final List<String> failures = new ArrayList<>();
    private Status status = Status.RUNNING;
    private int matched;
    private int succeeded;
    private int failedAgain;
    private int failedTransiently;
    private int skipped;
    private String error;
    private Instant finishedAt;
    /** Set by any thread, checked by the job's own before each letter. */
    private volatile boolean cancelRequested;

    RedriveJob(DeadLetterStore.Filter selection, Instant startedAt) {
        this.selection = selection;
        this.startedAt = startedAt;
    }

    public String id() {
        return id;
    }

    public DeadLetterStore.Filter selection() {
        return selection;
    }

    synchronized boolean running() {
        return status == Status.RUNNING;
    }

    synchronized Instant finishedAt() {
        return finishedAt;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    synchronized void listed(int count) {
        matched = count;
    }

    /** @param reason why it failed; null when it did not */
    synchronized void counted(String letterId, Outcome outcome, String reason) {
        switch (outcome) {
            case SUCCEEDED -> succeeded++;
            case FAILED_AGAIN -> failedAgain++;
            case FAILED_TRANSIENTLY -> failedTransiently++;
            case SKIPPED -> skipped++;
        }
        if (reason != null && failures.size() < FAILURES_KEPT) {
            failures.add(letterId + ": " + reason);
        }
    }

    synchronized void finish(Status end, String why, Instant at) {
        status = end;
        error = why;
        finishedAt = at;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(
                id,
                selection,
                status,
                matched,
                succeeded,
                failedAgain,
                failedTransiently,
                skipped,
                List.copyOf(failures),
                error,
                startedAt,
                finishedAt);
    }
}
