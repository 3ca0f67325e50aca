package io.sfcache.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.PublisherStatus;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Expects the publisher's heartbeat for every monitored object: with zero traffic it is the only proof that the
 * publisher still works. A heartbeat older than {@code sfcache.monitoring.heartbeat.missing-after} (or none since
 * start-up for that long) makes the object's heartbeat missing: a gauge, a WARN log event once, and the health
 * component {@code heartbeats} (sync group) DOWN with details.
 *
 * <p>A heartbeat that arrives can still say the publisher is broken ({@link PublisherProblem}: publishing off, trigger
 * inactive, send failures, an outbox backlog older than {@code sfcache.monitoring.heartbeat.max-pending-age},
 * unpublished changes). Read from the stored heartbeat, so every replica and a restarted one agree: per object and
 * problem a gauge ({@code sfcache_publisher_unhealthy{sobject,reason}}), a WARN line when it starts and an INFO line
 * when a later heartbeat clears it, and {@code heartbeats} DOWN with the reported values. The outbox counts are
 * gauges too. Unpublished changes are also reconciled, by the heartbeat route ({@link ScheduledReconciliation}).
 */
@Component("heartbeats")
public class HeartbeatWatchdog implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWatchdog.class);

    /** @param heartbeat the stored one, if any; @param problems what it reports, with the values that show it */
    private record State(
            Optional<SyncState.Heartbeat> heartbeat, boolean missing, Map<PublisherProblem, String> problems) {

        Optional<Instant> sentAt() {
            return heartbeat.map(SyncState.Heartbeat::sentAt);
        }
    }

    private final DataContracts contracts;
    private final SyncState syncState;
    private final LagRecorder lag;
    private final Clock clock;
    private final Duration missingAfter;
    private final Duration maxPendingAge;
    private final Instant startedAt;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final AlarmRepairs alarms;

    public HeartbeatWatchdog(
            DataContracts contracts,
            SyncState syncState,
            LagRecorder lag,
            AlarmRepairs alarms,
            MeterRegistry meters,
            Clock clock,
            MonitoringProperties monitoring) {
        this.contracts = contracts;
        this.syncState = syncState;
        this.lag = lag;
        this.alarms = alarms;
        this.clock = clock;
        this.missingAfter = monitoring.getHeartbeat().getMissingAfter();
        this.maxPendingAge = monitoring.getHeartbeat().getMaxPendingAge();
        this.startedAt = clock.instant();
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Gauge.builder("sfcache.heartbeat.age", () -> age(heartbeatAt(sobject)))
                    .description("Seconds since the publisher sent the object's last heartbeat that sfcache received")
                    .baseUnit("seconds")
                    .tag("sobject", sobject)
                    .register(meters);
            Gauge.builder("sfcache.heartbeat.missing", () -> isMissing(sobject) ? 1 : 0)
                    .description(
                            "1 while the object's heartbeat is overdue (sfcache.monitoring.heartbeat.missing-after)")
                    .tag("sobject", sobject)
                    .register(meters);
            Gauge.builder(
                            "sfcache.sync.newest.change.age",
                            () -> age(lag.newest(sobject).map(LagRecorder.Newest::commitTime)))
                    .description("Seconds since the Salesforce commit of the newest change stored since start-up")
                    .baseUnit("seconds")
                    .tag("sobject", sobject)
                    .register(meters);
            Gauge.builder("sfcache.freshness.age", () -> age(currentAsOf(sobject)))
                    .description("Seconds since sfcache last knew the object current: newest change or heartbeat")
                    .baseUnit("seconds")
                    .tag("sobject", sobject)
                    .register(meters);
            for (PublisherProblem problem : PublisherProblem.values()) {
                Gauge.builder(
                                "sfcache.publisher.unhealthy",
                                () -> problems(sobject).containsKey(problem) ? 1 : 0)
                        .description("1 while the object's last heartbeat reports this problem of the publisher")
                        .tag("sobject", sobject)
                        .tag("reason", problem.name())
                        .register(meters);
            }
            Gauge.builder("sfcache.publisher.outbox.pending", () -> reported(sobject, PublisherStatus::outboxPending))
                    .description("Messages waiting in the publisher's outbox for a retry, as the last heartbeat said")
                    .tag("sobject", sobject)
                    .register(meters);
            Gauge.builder("sfcache.publisher.outbox.failed", () -> reported(sobject, PublisherStatus::outboxFailed))
                    .description("Outbox messages that gave up and wait for an operator, as the last heartbeat said")
                    .tag("sobject", sobject)
                    .register(meters);
            Gauge.builder("sfcache.publisher.outbox.oldest.pending.age", () -> oldestPendingAge(sobject))
                    .description("Age of the oldest message waiting in the publisher's outbox when the last heartbeat "
                            + "was sent (0: none waiting)")
                    .baseUnit("seconds")
                    .tag("sobject", sobject)
                    .register(meters);
        }
    }

    /** Timer step ({@code heartbeat-watchdog} route). */
    public void check() {
        Instant now = clock.instant();
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Optional<SyncState.Heartbeat> heartbeat = syncState.readHeartbeat(sobject);
            Optional<Instant> sentAt = heartbeat.map(SyncState.Heartbeat::sentAt);
            Instant since = sentAt.orElse(startedAt);
            boolean missing = Duration.between(since, now).compareTo(missingAfter) > 0;
            Map<PublisherProblem, String> problems = heartbeat
                    .map(h -> PublisherProblem.reportedBy(h, maxPendingAge))
                    .orElse(Map.of());
            State before = states.put(sobject, new State(heartbeat, missing, problems));
            boolean wasMissing = before != null && before.missing();
            if (missing && !wasMissing) {
                LOG.warn(
                        "Publisher heartbeat missing for {}: none since {} (sfcache.monitoring.heartbeat.missing-after"
                                + " {}). The Apex publisher may be broken or its messages lost: see the run-book, "
                                + "SfcacheHeartbeatMissing",
                        sobject,
                        sentAt.map(Instant::toString).orElse("start-up " + since),
                        missingAfter);
            } else if (!missing && wasMissing) {
                LOG.info("Publisher heartbeat for {} back (sent {})", sobject, sentAt.orElse(null));
            }
            reportChanges(sobject, before == null ? Map.of() : before.problems(), problems, sentAt.orElse(null));
            raiseOrEnd(sobject, before, missing, since, problems, heartbeat);
        }
    }

    /**
     * The alarms readers and the healing route see: a silent publisher is complete up to its last heartbeat; a broken
     * one up to its last heartbeat that reported nothing wrong (unknown to a replica that never saw one: then
     * {@code missing-after} before the broken one). Unpublished changes alone raise none: the heartbeat route
     * reconciles their exact window already.
     */
    private void raiseOrEnd(
            String sobject,
            State before,
            boolean missing,
            Instant since,
            Map<PublisherProblem, String> problems,
            Optional<SyncState.Heartbeat> heartbeat) {
        if (missing) {
            alarms.raise(sobject, ObjectAlarms.Reason.PUBLISHER_SILENT, "no publisher heartbeat since " + since, since);
        } else {
            alarms.ended(sobject, ObjectAlarms.Reason.PUBLISHER_SILENT);
        }
        Map<PublisherProblem, String> broken = new EnumMap<>(PublisherProblem.class);
        problems.forEach((problem, values) -> {
            if (problem != PublisherProblem.UNPUBLISHED_CHANGES) {
                broken.put(problem, values);
            }
        });
        if (broken.isEmpty() || heartbeat.isEmpty()) {
            alarms.ended(sobject, ObjectAlarms.Reason.PUBLISHER_UNHEALTHY);
            return;
        }
        Instant sentAt = heartbeat.get().sentAt();
        Instant completeUntil = before != null
                        && before.sentAt().isPresent()
                        && before.sentAt().get().isBefore(sentAt)
                        && before.problems().keySet().stream()
                                .allMatch(problem -> problem == PublisherProblem.UNPUBLISHED_CHANGES)
                ? before.sentAt().get()
                : sentAt.minus(missingAfter);
        alarms.raise(
                sobject,
                ObjectAlarms.Reason.PUBLISHER_UNHEALTHY,
                "the heartbeat sent " + sentAt + " reports " + broken,
                completeUntil);
    }

    /** One WARN line when a problem starts, one INFO line when a later heartbeat no longer reports it. */
    private static void reportChanges(
            String sobject, Map<PublisherProblem, String> before, Map<PublisherProblem, String> after, Instant sentAt) {
        for (PublisherProblem problem : PublisherProblem.values()) {
            if (after.containsKey(problem) && !before.containsKey(problem)) {
                LOG.warn(
                        "Publisher of {} unhealthy, {}: its heartbeat sent {} says {}: {}. See the run-book, "
                                + "SfcachePublisherUnhealthy ({})",
                        sobject,
                        problem,
                        sentAt,
                        after.get(problem),
                        problem.meaning(),
                        problem);
            } else if (before.containsKey(problem) && !after.containsKey(problem)) {
                LOG.info("Publisher of {}: {} cleared by its heartbeat sent {}", sobject, problem, sentAt);
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

    /** The publisher problems the object's last heartbeat reports (as of the last check), with their values. */
    public Map<PublisherProblem, String> problems(String sobject) {
        State state = states.get(sobject);
        return state == null ? Map.of() : state.problems();
    }

    public boolean anyProblems() {
        return states.values().stream().anyMatch(state -> !state.problems().isEmpty());
    }

    private Optional<Instant> heartbeatAt(String sobject) {
        State state = states.get(sobject);
        return state == null ? Optional.empty() : state.sentAt();
    }

    private Optional<SyncState.Heartbeat> lastHeartbeat(String sobject) {
        State state = states.get(sobject);
        return state == null ? Optional.empty() : state.heartbeat();
    }

    /** A count the last heartbeat reported; NaN while unknown (none yet, or an older publisher). */
    private double reported(String sobject, Function<PublisherStatus, Long> value) {
        return lastHeartbeat(sobject)
                .map(h -> value.apply(h.publisher()))
                .map(Long::doubleValue)
                .orElse(Double.NaN);
    }

    private double oldestPendingAge(String sobject) {
        return lastHeartbeat(sobject)
                .map(PublisherProblem::oldestPendingAge)
                .map(LagRecorder::seconds)
                .orElse(Double.NaN);
    }

    /** The later of the newest stored change's commit and the last heartbeat. */
    public Optional<Instant> currentAsOf(String sobject) {
        Optional<Instant> change = lag.newest(sobject).map(LagRecorder.Newest::commitTime);
        Optional<Instant> heartbeat = heartbeatAt(sobject);
        return change.isEmpty()
                ? heartbeat
                : heartbeat.isEmpty()
                        ? change
                        : Optional.of(change.get().isAfter(heartbeat.get()) ? change.get() : heartbeat.get());
    }

    private double age(Optional<Instant> at) {
        return at.map(instant -> LagRecorder.seconds(Duration.between(instant, clock.instant())))
                .orElse(Double.NaN);
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put(
                    "lastHeartbeatSentAt",
                    heartbeatAt(sobject).map(Instant::toString).orElse("none since start-up"));
            detail.put("missing", isMissing(sobject));
            Map<String, String> problems = new LinkedHashMap<>();
            problems(sobject).forEach((problem, values) -> problems.put(problem.name(), values));
            detail.put("publisherProblems", problems);
            lastHeartbeat(sobject)
                    .filter(h -> !h.publisher().saidNothing())
                    .ifPresent(h -> detail.put("publisher", h.publisher()));
            details.put(sobject, detail);
        }
        return (anyMissing() || anyProblems() ? Health.down() : Health.up())
                .withDetail("missingAfter", missingAfter.toString())
                .withDetail("maxPendingAge", maxPendingAge.toString())
                .withDetails(details)
                .build();
    }
}
