package io.sfcache.salesforce;

import org.apache.camel.CamelContext;
import org.springframework.stereotype.Component;

/**
 * A Salesforce call started while Camel stops would start the salesforce component again and log in through an HTTP
 * client that is being stopped: seen in the benchmark, the timer thread waited on that login for good and held the
 * component's lock, so Camel's shutdown never finished. Timer-driven callers (reconciliation's pages, schema drift)
 * ask here first, as a route step or from Java; their next run after a restart catches up.
 */
@Component("salesforceCalls")
public class SalesforceCalls {

    /** Route step before a Salesforce call. */
    public void refuseWhileStopping(CamelContext camel) {
        refuseIfStopping(camel);
    }

    static void refuseIfStopping(CamelContext camel) {
        if (camel.isStopping() || camel.isStopped()) {
            throw new IllegalStateException("Not calling Salesforce: sfcache is stopping");
        }
    }
}
