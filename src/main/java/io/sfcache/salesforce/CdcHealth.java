package io.sfcache.salesforce;

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

    private final CdcSubscriptions subscriptions;

    public CdcHealth(CdcSubscriptions subscriptions) {
        this.subscriptions = subscriptions;
    }

    @Override
    public Health health() {
        Health.Builder health = subscriptions.lastErrors().isEmpty() ? Health.up() : Health.down();
        return health.withDetail("mode", subscriptions.getMode())
                .withDetail("active", subscriptions.getActive())
                .withDetail("lastErrors", subscriptions.lastErrors())
                .build();
    }
}
