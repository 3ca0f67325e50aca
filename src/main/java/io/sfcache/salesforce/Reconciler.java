package io.sfcache.salesforce;

import java.time.Instant;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code reconcile-records} route for Java callers that wait for it (an operator's window, schema drift's repair):
 * Salesforce's records re-read and sent through the sync flow as full changes (source RECONCILIATION). The order guard
 * makes it harmless to re-read what is already stored.
 */
@Component("reconciler")
public class Reconciler {

    /** The route that reads the records page by page and sends each through the sync flow. */
    public static final String ROUTE = "direct:reconcile-records";

    /**
     * @param seen records read from Salesforce; @param repaired of those, the ones missing from or older in Cosmos,
     * now written; @param rejected the ones the sync flow dead-lettered (e.g. they break the data contract)
     */
    public record Result(String sobject, int seen, int repaired, int rejected) {}

    private final ProducerTemplate producer;
    private final ReconcileQueries queries;

    public Reconciler(ProducerTemplate producer, ReconcileQueries queries) {
        this.producer = producer;
        this.queries = queries;
    }

    /** Re-reads the query's records (deleted ones too) and syncs them; a failure is the route's own exception. */
    public Result reconcile(ReconcileQuery query) {
        try {
            return producer.requestBody(ROUTE, query, Result.class);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Re-reads everything modified in [from, to) and syncs it: an outage's window. */
    public Result reconcile(String sobject, Instant from, Instant to) {
        return reconcile(ReconcileQuery.window(sobject, from, to));
    }

    /** Re-reads what changed from {@code sfcache.salesforce.cdc.reconcile-overlap} before {@code moment}. */
    public Result reconcileAround(String sobject, Instant moment) {
        return reconcile(queries.around(sobject, moment));
    }
}
