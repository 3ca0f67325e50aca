package io.sfcache.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContracts;
import io.sfcache.salesforce.Reconciler;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What became of reconciliation runs: counted ({@code sfcache.reconciliation.runs{sobject,trigger,result}},
 * {@code .checked}, {@code .repaired}), a WARN line when a run repaired something, and the last run per object
 * (health component {@code reconciliation}, {@link ReconciliationHealth}). Route steps of the reconciliation routes,
 * and of the operator's window (ScheduledReconciliation).
 */
@Component("reconciliationRuns")
public class ReconciliationRuns {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledReconciliation.class);

    /** @param error null if the run succeeded */
    public record Run(String trigger, Instant at, int seen, int repaired, int rejected, String error) {}

    private final MeterRegistry meters;
    private final Map<String, Run> lastRuns = new ConcurrentHashMap<>();

    public ReconciliationRuns(DataContracts contracts, MeterRegistry meters) {
        this.meters = meters;
        // At zero from the start, so "nothing repaired" is a series alerts can read, not a missing one.
        contracts
                .all()
                .forEach(contract -> meters.counter("sfcache.reconciliation.repaired", "sobject", contract.sobject()));
    }

    public Run succeeded(ReconciliationRun run, Reconciler.Result result) {
        String sobject = run.sobject();
        meters.counter("sfcache.reconciliation.runs", "sobject", sobject, "trigger", run.trigger(), "result", "ok")
                .increment();
        meters.counter("sfcache.reconciliation.checked", "sobject", sobject).increment(result.seen());
        meters.counter("sfcache.reconciliation.repaired", "sobject", sobject).increment(result.repaired());
        if (result.repaired() > 0) {
            LOG.warn(
                    "Reconciliation of {} repaired {} record(s) that were missing or older in Cosmos: changes "
                            + "were lost on the way (see the run-book, SfcacheReconciliationRepairing)",
                    sobject,
                    result.repaired());
        }
        Run done = new Run(run.trigger(), run.startedAt(), result.seen(), result.repaired(), result.rejected(), null);
        lastRuns.put(sobject, done);
        return done;
    }

    public Run failed(ReconciliationRun run, Throwable failure) {
        meters.counter(
                        "sfcache.reconciliation.runs",
                        "sobject",
                        run.sobject(),
                        "trigger",
                        run.trigger(),
                        "result",
                        "failed")
                .increment();
        LOG.warn("Reconciliation of {} failed: {}", run.sobject(), failure.getMessage());
        Run failedRun = new Run(run.trigger(), run.startedAt(), 0, 0, 0, String.valueOf(failure.getMessage()));
        lastRuns.put(run.sobject(), failedRun);
        return failedRun;
    }

    public Map<String, Run> lastRuns() {
        return Map.copyOf(lastRuns);
    }
}
