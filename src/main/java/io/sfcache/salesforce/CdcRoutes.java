package io.sfcache.salesforce;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The Change Data Capture subscriptions as Camel routes: one per object ({@code cdc-<key>}), made from the
 * {@code cdc-object} template with the object's channel and start position, added and started, or stopped and removed.
 * Route steps of {@code cdc-apply-mode}, {@code cdc-subscribe} and {@code cdc-resubscribe}.
 */
@Component("cdcRoutes")
public class CdcRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(CdcRoutes.class);

    private final CamelContext camel;
    private final DataContracts contracts;
    private final ReplayPositions positions;
    private final CdcFailures failures;

    public CdcRoutes(CamelContext camel, DataContracts contracts, ReplayPositions positions, CdcFailures failures) {
        this.camel = camel;
        this.contracts = contracts;
        this.positions = positions;
        this.failures = failures;
    }

    /** The monitored objects, in contract order. */
    public List<String> objects() {
        return contracts.all().stream().map(DataContract::sobject).toList();
    }

    public boolean isRunning(String sobject) {
        return camel.getRouteController().getRouteStatus(routeId(contract(sobject))) == ServiceStatus.Started;
    }

    public boolean anyRunning() {
        return objects().stream().anyMatch(this::isRunning);
    }

    /** Objects whose change events are being read. */
    public List<String> active() {
        return objects().stream().filter(this::isRunning).toList();
    }

    /** Subscribes from the stored position; @return that position (latest: the window before it is not read yet) */
    public synchronized ReplayPositions.Position start(String sobject) {
        DataContract contract = contract(sobject);
        ReplayPositions.Position position = positions.position(sobject);
        try {
            camel.removeRoute(routeId(contract));
            // The endpoint names it, and is resolved as the route is added.
            camel.getRegistry()
                    .bind("cdcReplayGuard-" + contract.key(), ExceptionHandler.class, failures.replayGuard(sobject));
            camel.addRouteFromTemplate(
                    routeId(contract),
                    "cdc-object",
                    Map.of(
                            "sobject", sobject,
                            "key", contract.key(),
                            "channel", position.channel(),
                            "position", position.endpointOptions()));
            failures.resumed(sobject);
            camel.getRouteController().startRoute(routeId(contract));
        } catch (Exception e) {
            failures.problem(sobject, "could not subscribe: " + rootMessage(e));
            throw new IllegalStateException("subscribing to " + position.channel() + " failed: " + rootMessage(e), e);
        }
        LOG.info("Subscribed to {} from {}", position.channel(), position.describe());
        return position;
    }

    /** Unsubscribes; a failure is shown in health, not thrown. */
    public synchronized void stop(String sobject) {
        DataContract contract = contract(sobject);
        try {
            camel.getRouteController().stopRoute(routeId(contract));
            camel.removeRoute(routeId(contract));
            LOG.info("Unsubscribed from {}", ReplayPositions.channel(sobject));
        } catch (Exception e) {
            failures.problem(sobject, "could not unsubscribe: " + e.getMessage());
        }
    }

    private DataContract contract(String sobject) {
        return contracts
                .find(sobject)
                .orElseThrow(() -> new IllegalArgumentException(sobject + " is not a monitored object"));
    }

    private static String routeId(DataContract contract) {
        return "cdc-" + contract.key();
    }

    private static String rootMessage(Throwable e) {
        return org.springframework.core.NestedExceptionUtils.getMostSpecificCause(e)
                .toString();
    }
}
