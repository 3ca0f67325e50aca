package io.sfcache.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheProperties;
import io.sfcache.sync.DataContract;
import io.sfcache.sync.DataContracts;
import io.sfcache.sync.SyncState;

/**
 * Expects the publisher's heartbeat for every monitored object: with zero traffic it is the only proof that the
 * publisher still works. A heartbeat older than {@code sfcache.monitoring.heartbeat.missing-after} (or none since
 * start-up for that long) makes the object's heartbeat missing: a gauge, a WARN log event once, and the health
 * component {@code heartbeats} (sync group) DOWN with details.
 */
@Component("heartbeats")
public class HeartbeatWatchdog implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWatchdog.class);

    private record State(Optional<Instant> sentAt, boolean missing) {
    }

    private final DataContracts contracts;
    private final SyncState syncState;
    private final LagRecorder lag;
    private final Clock clock;
    private final Duration missingAfter;
    private final Instant startedAt;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public HeartbeatWatchdog(DataContracts contracts, SyncState syncState, LagRecorder lag, MeterRegistry meters,
            Clock clock, SfcacheProperties properties) {
        this.contracts = contracts;
        this.syncState = syncState;
        this.lag = lag;
        this.clock = clock;
        this.missingAfter = properties.getMonitoring().getHeartbeat().getMissingAfter();
        this.startedAt = clock.instant();
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Gauge.builder("sfcache.heartbeat.age", () -> age(heartbeatAt(sobject)))
                    .description("Seconds since the publisher sent the object's last heartbeat that sfcache received")
                    .baseUnit("seconds").tag("sobject", sobject).register(meters);
            Gauge.builder("sfcache.heartbeat.missing", () -> isMissing(sobject) ? 1 : 0)
                    .description("1 while the object's heartbeat is overdue (sfcache.monitoring.heartbeat.missing-after)")
                    .tag("sobject", sobject).register(meters);
            Gauge.builder("sfcache.sync.newest.change.age",
                            () -> age(lag.newest(sobject).map(LagRecorder.Newest::commitTime)))
                    .description("Seconds since the Salesforce commit of the newest change stored since start-up")
                    .baseUnit("seconds").tag("sobject", sobject).register(meters);
            Gauge.builder("sfcache.freshness.age", () -> age(currentAsOf(sobject)))
                    .description("Seconds since sfcache last knew the object current: newest change or heartbeat")
                    .baseUnit("seconds").tag("sobject", sobject).register(meters);
        }
    }

    /** Timer step ({@code heartbeat-watchdog} route). */
    public void check() {
        Instant now = clock.instant();
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Optional<Instant> sentAt = syncState.readHeartbeat(sobject).map(SyncState.Heartbeat::sentAt);
            Instant since = sentAt.orElse(startedAt);
            boolean missing = Duration.between(since, now).compareTo(missingAfter) > 0;
            State before = states.put(sobject, new State(sentAt, missing));
            boolean wasMissing = before != null && before.missing();
            if (missing && !wasMissing) {
                LOG.warn("Publisher heartbeat missing for {}: none since {} (sfcache.monitoring.heartbeat.missing-after"
                        + " {}). The Apex publisher may be broken or its messages lost: see the run-book, "
                        + "SfcacheHeartbeatMissing", sobject, sentAt.map(Instant::toString).orElse("start-up " + since),
                        missingAfter);
            } else if (!missing && wasMissing) {
                LOG.info("Publisher heartbeat for {} back (sent {})", sobject, sentAt.orElse(null));
            }
        }
    }

    public boolean isMissing(String sobject) {
        State state = states.get(sobject);
        return state != null && state.missing();
    }

    public boolean anyMissing() {
        return states.values().stream().anyMatch(State::missing);
    }

    private Optional<Instant> heartbeatAt(String sobject) {
        State state = states.get(sobject);
        return state == null ? Optional.empty() : state.sentAt();
    }

    /** The later of the newest stored change's commit and the last heartbeat. */
    public Optional<Instant> currentAsOf(String sobject) {
        Optional<Instant> change = lag.newest(sobject).map(LagRecorder.Newest::commitTime);
        Optional<Instant> heartbeat = heartbeatAt(sobject);
        return change.isEmpty() ? heartbeat : heartbeat.isEmpty() ? change
                : Optional.of(change.get().isAfter(heartbeat.get()) ? change.get() : heartbeat.get());
    }

    private double age(Optional<Instant> at) {
        return at.map(instant -> LagRecorder.seconds(Duration.between(instant, clock.instant()))).orElse(Double.NaN);
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("lastHeartbeatSentAt", heartbeatAt(sobject).map(Instant::toString).orElse("none since start-up"));
            detail.put("missing", isMissing(sobject));
            details.put(sobject, detail);
        }
        return (anyMissing() ? Health.down() : Health.up()).withDetail("missingAfter", missingAfter.toString())
                .withDetails(details).build();
    }
}
