package io.sfcache.salesforce;

import io.sfcache.sync.SyncHeaders;
import io.sfcache.sync.WriteDecision;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Route steps of {@code reconcile-records} that count what a run read and what the sync flow made of each record,
 * kept in the exchange property {@value #COUNTS} for the run; the run's {@link Reconciler.Result} at the end.
 */
@Component("reconcileTally")
public class ReconcileTally {

    public static final String COUNTS = "SfcacheReconcileCounts";
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** One run's counts; the split's record exchanges share it with the run's exchange. */
    public static final class Counts {
        private final ReconcileQuery query;
        private int seen;
        private int repaired;
        private int rejected;

        Counts(ReconcileQuery query) {
            this.query = query;
        }

        /** @param decision the order guard's, or null when the change went to the dead letters */
        void count(String decision) {
            seen++;
            if (decision == null) {
                rejected++;
            } else if (WriteDecision.CREATE.name().equals(decision)
                    || WriteDecision.REPLACE.name().equals(decision)) {
                repaired++;
            }
        }

        Reconciler.Result result() {
            return new Reconciler.Result(query.sobject(), seen, repaired, rejected);
        }
    }

    /** Before the first page: nothing counted yet. */
    public Counts start(ReconcileQuery query) {
        return new Counts(query);
    }

    /** After a record went through the sync flow: seen, and repaired (written) or rejected (dead-lettered). */
    public void count(Exchange record) {
        Counts counts = record.getProperty(COUNTS, Counts.class);
        counts.count(
                record.getProperty(SyncHeaders.DEAD_LETTERED) != null
                        ? null
                        : record.getProperty(SyncHeaders.DECISION, String.class));
    }

    /** After the last page: the run's result, logged. */
    public Reconciler.Result result(Exchange exchange) {
        Counts counts = exchange.getProperty(COUNTS, Counts.class);
        Reconciler.Result result = counts.result();
        LOG.info(
                "Re-read {} {} record(s) from Salesforce ({}): {} repaired, {} rejected",
                result.seen(),
                result.sobject(),
                counts.query.where(),
                result.repaired(),
                result.rejected());
        return result;
    }
}
