package io.sfcache.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.contracts.DataContracts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Route steps that say what a reconciliation reads: the {@link ReconcileQuery} for a gap event's ids or for the window
 * around a moment when changes may have been lost, its SOQL, and the next page of its results.
 */
@Component("reconcileQueries")
public class ReconcileQueries {

    private final DataContracts contracts;
    private final Duration overlap;

    public ReconcileQueries(DataContracts contracts, SalesforceProperties salesforce) {
        this.contracts = contracts;
        this.overlap = salesforce.getCdc().getReconcileOverlap();
    }

    /** The records a gap event names. */
    public ReconcileQuery repair(String sobject, List<String> ids) {
        return ReconcileQuery.ids(sobject, ids);
    }

    /**
     * What changed around a moment when changes may have been lost (an overflow event, a lost replay position, a
     * schema drift that ended): from {@code sfcache.salesforce.cdc.reconcile-overlap} before it, as commit times and
     * clocks differ.
     */
    public ReconcileQuery around(String sobject, Instant moment) {
        return ReconcileQuery.since(sobject, moment.minus(overlap));
    }

    /** The first page's SOQL, or null when there is nothing to read. */
    public String soql(ReconcileQuery query) {
        return query.soql(contracts
                .find(query.sobject())
                .orElseThrow(() -> new IllegalArgumentException(query.sobject() + " is not a monitored object")));
    }

    /** Where the next page of results is, or null after the last one. */
    public String nextPage(JsonNode page) {
        return ReconcileQuery.nextPage(page);
    }
}
