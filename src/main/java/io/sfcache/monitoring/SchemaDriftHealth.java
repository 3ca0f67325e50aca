package io.sfcache.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code schemaDrift} (group {@code sync}): per object, the exact differences
 * between Salesforce's describe and the data contract, and when they were first seen. Any finding makes it DOWN;
 * checks that fail (Salesforce unreachable) make it UNKNOWN, which leaves the overall status alone. Like the rest of
 * the sync group it never restarts or unreadies a pod.
 */
@Component("schemaDrift")
public class SchemaDriftHealth implements HealthIndicator {

    private final SchemaDriftDetector detector;
    private final boolean enabled;

    public SchemaDriftHealth(SchemaDriftDetector detector, MonitoringProperties monitoring) {
        this.detector = detector;
        this.enabled = monitoring.getSchemaDrift().isEnabled();
    }

    @Override
    public Health health() {
        if (!enabled) {
            return Health.unknown().withDetail("enabled", false).build();
        }
        boolean drift = false;
        boolean failing = false;
        Map<String, Object> objects = new LinkedHashMap<>();
        for (SchemaDriftDetector.ObjectDrift state : detector.status().values()) {
            drift |= !state.findings().isEmpty();
            failing |= state.lastError() != null;
            Map<String, Object> details = new LinkedHashMap<>();
            details.put(
                    "findings",
                    state.findings().stream().map(DriftFinding::message).toList());
            details.put("driftSince", state.driftSince());
            details.put("lastChecked", state.lastChecked());
            details.put("lastResult", state.lastResult());
            details.put("describeLastModified", state.lastModified());
            if (state.lastError() != null) {
                details.put("lastError", state.lastError());
            }
            if (state.repair() != null) {
                details.put(
                        "reconciliation",
                        state.repair().done()
                                ? state.repair().outcome()
                                : state.repair().outcome() != null
                                        ? state.repair().outcome()
                                        : "pending");
            }
            objects.put(state.sobject(), details);
        }
        Status status = drift ? Status.DOWN : failing ? Status.UNKNOWN : Status.UP;
        return Health.status(status).withDetails(objects).build();
    }
}
