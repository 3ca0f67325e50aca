package io.sfcache.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code reconciliation}: the interval and each object's last run, DOWN while an
 * object's last run failed.
 */
// The health component is named after the bean, less the suffix.
@Component("reconciliationHealthIndicator")
public class ReconciliationHealth implements HealthIndicator {

    private final ReconciliationRuns runs;
    private final MonitoringProperties.Reconciliation settings;

    public ReconciliationHealth(ReconciliationRuns runs, MonitoringProperties monitoring) {
        this.runs = runs;
        this.settings = monitoring.getReconciliation();
    }

    @Override
    public Health health() {
        Map<String, ReconciliationRuns.Run> lastRuns = runs.lastRuns();
        boolean failed = lastRuns.values().stream().anyMatch(run -> run.error() != null);
        Map<String, Object> details = new LinkedHashMap<>(lastRuns);
        return (failed ? Health.down() : Health.up())
                .withDetail("interval", settings.getInterval().toString())
                .withDetails(details)
                .build();
    }
}
