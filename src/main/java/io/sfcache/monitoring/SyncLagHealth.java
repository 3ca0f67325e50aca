package io.sfcache.monitoring;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code syncLag} (sync group): DOWN while the p99 of an object's recent changes (the last few
 * minutes) exceeds {@code sfcache.monitoring.lag.objective}, e.g. while a backlog drains after an outage.
 */
@Component("syncLag")
public class SyncLagHealth implements HealthIndicator {

    private final DataContracts contracts;
    private final LagRecorder lag;
    private final Duration objective;

    public SyncLagHealth(DataContracts contracts, LagRecorder lag, MonitoringProperties monitoring) {
        this.contracts = contracts;
        this.lag = lag;
        this.objective = monitoring.getLag().getObjective();
    }

    @Override
    public Health health() {
        boolean breached = false;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("objective", objective.toString());
        for (DataContract contract : contracts.all()) {
            Optional<Duration> p99 = lag.recentP99(contract.sobject());
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("recentP99Seconds", p99.map(LagRecorder::seconds).orElse(null));
            lag.newest(contract.sobject())
                    .ifPresent(newest -> detail.put(
                            "newestChangeCommitTime", newest.commitTime().toString()));
            details.put(contract.sobject(), detail);
            breached |= p99.filter(value -> value.compareTo(objective) > 0).isPresent();
        }
        return (breached ? Health.down() : Health.up()).withDetails(details).build();
    }
}
