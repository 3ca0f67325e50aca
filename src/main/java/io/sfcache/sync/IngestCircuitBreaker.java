package io.sfcache.sync;

import java.util.List;
import org.apache.camel.Route;
import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;

/**
 * Camel's circuit breaker on {@code servicebus-ingest}, which can also be opened from outside: when a dependency
 * check finds Cosmos DB or Event Hubs DOWN ({@link DependencyWatch}), consumption pauses at once instead of after
 * the failure threshold, which a hung dependency reaches only as slowly as its timeouts expire.
 */
public class IngestCircuitBreaker extends ThrottlingExceptionRoutePolicy {

    private volatile Route route;

    public IngestCircuitBreaker(int threshold, long failureWindow, long halfOpenAfter) {
        super(threshold, failureWindow, halfOpenAfter, List.of(Exception.class));
    }

    @Override
    public void onInit(Route route) {
        this.route = route;
        super.onInit(route);
    }

    /** Suspends the consumer now; the half-open checks resume it as usual. */
    public void pause() {
        Route current = route;
        if (current != null && !"opened".equals(getStateAsString())) {
            openCircuit(current);
        }
    }
}
