package io.sfcache.salesforce;

import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code changeDataCapture}: the mode, which subscriptions run, and the last
 * problem per object (rejected replay ids, failed events, login trouble). Problems make it DOWN so they show, but it
 * belongs to the {@code sync} group only: Salesforce trouble never restarts or unreadies a pod.
 */
@Component("changeDataCapture")
public class CdcHealth implements HealthIndicator {

    private final CdcModeDecision decision;
    private final CdcRoutes routes;
    private final CdcFailures failures;

    public CdcHealth(CdcModeDecision decision, CdcRoutes routes, CdcFailures failures) {
        this.decision = decision;
        this.routes = routes;
        this.failures = failures;
    }

    @Override
    public Health health() {
        Map<String, String> lastErrors = failures.lastErrors();
        Health.Builder health = lastErrors.isEmpty() ? Health.up() : Health.down();
        return health.withDetail("mode", decision.mode().name())
                .withDetail("active", routes.active().toString())
                .withDetail("lastErrors", lastErrors)
                .build();
    }
}
