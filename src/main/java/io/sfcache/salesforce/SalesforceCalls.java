package io.sfcache.salesforce;

import org.apache.camel.CamelContext;

/**
 * A Salesforce call started while Camel stops would start the salesforce component again and log in through an HTTP
 * client that is being stopped: seen in the benchmark, the timer thread waited on that login for good and held the
 * component's lock, so Camel's shutdown never finished. Timer-driven callers (reconciliation, schema drift) ask here
 * first; their next run after a restart catches up.
 */
final class SalesforceCalls {

    private SalesforceCalls() {
    }

    static void refuseWhileStopping(CamelContext camel) {
        if (camel.isStopping() || camel.isStopped()) {
            throw new IllegalStateException("Not calling Salesforce: sfcache is stopping");
        }
    }
}
