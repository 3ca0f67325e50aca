package io.sfcache.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.DeadLetterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Open dead letters per object and reason, counted on a timer (not per scrape: it is a Cosmos query). Service Bus's
 * own dead-letter sub-queue is drained into the same store ({@code servicebus-dead-letter-drain}), so this is the
 * whole backlog an operator must look at. Health component {@code openDeadLetters}: UP with the counts as details (bad
 * data can wait for a fix for days; the alert is on growth).
 */
@Component("openDeadLetters")
public class DeadLetterWatch implements HealthIndicator {

    private final DataContracts contracts;
    private final DeadLetterStore store;
    private final Map<String, AtomicLong> open = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> byReason = new ConcurrentHashMap<>();

    public DeadLetterWatch(DataContracts contracts, DeadLetterStore store, MeterRegistry meters) {
        this.contracts = contracts;
        this.store = store;
        for (DataContract contract : contracts.all()) {
            AtomicLong count = open.computeIfAbsent(contract.sobject(), k -> new AtomicLong());
            Gauge.builder("sfcache.dead.letters.open", count, AtomicLong::get)
                    .description("Open dead letters (not yet redriven), counted every heartbeat check")
                    .tag("sobject", contract.sobject())
                    .register(meters);
        }
    }

    /** Timer step. */
    public void check() {
        for (DataContract contract : contracts.all()) {
            Map<String, Long> reasons = store.openByReason(contract.sobject());
            byReason.put(contract.sobject(), reasons);
            open.get(contract.sobject())
                    .set(reasons.values().stream().mapToLong(Long::longValue).sum());
        }
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        byReason.forEach(details::put);
        return Health.up().withDetails(details).build();
    }
}
