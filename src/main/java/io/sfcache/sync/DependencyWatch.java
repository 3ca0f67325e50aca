package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.throttling.ThrottlingExceptionHalfOpenHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.core.NestedExceptionUtils;
import reactor.core.publisher.Mono;

/**
 * Whether Cosmos DB and Event Hubs answer, asked on their own by {@code dependency-check.camel.yaml}: a dependency
 * that accepts connections and never replies is DOWN after {@code failures-before-down} checks in a row without an
 * answer within the timeout ({@code sfcache.sync.dependency-check}). Going DOWN pauses the Service Bus consumer at
 * once ({@link #whenDown}); the ingest circuit breaker asks here, without calling anyone, whether it may resume.
 * Health components {@code cosmosDb} (readiness and sync) and {@code eventHubs} (sync), gauge
 * {@code sfcache_dependency_up{dependency}}.
 */
public class DependencyWatch implements ThrottlingExceptionHalfOpenHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DependencyWatch.class);

    public enum Dependency {
        COSMOS_DB("Cosmos DB"),
        EVENT_HUBS("Event Hubs");

        private final String displayName;

        Dependency(String displayName) {
            this.displayName = displayName;
        }
    }

    /** A dependency as the last checks found it; {@code up} is null before the first check ends. */
    record State(Boolean up, int failuresInARow, Instant since, String lastFailure) {}

    private final CosmosAsyncClient cosmos;
    private final EventHubProducerAsyncClient eventHubs;
    private final String database;
    private final SyncProperties.DependencyCheck settings;
    private final Clock clock;
    private final Map<Dependency, State> states = new EnumMap<>(Dependency.class);
    private final List<Runnable> downListeners = new CopyOnWriteArrayList<>();

    public DependencyWatch(
            CosmosAsyncClient cosmos,
            EventHubProducerAsyncClient eventHubs,
            String database,
            SyncProperties.DependencyCheck settings,
            Clock clock,
            MeterRegistry meters) {
        this.cosmos = cosmos;
        this.eventHubs = eventHubs;
        this.database = database;
        this.settings = settings;
        this.clock = clock;
        for (Dependency dependency : Dependency.values()) {
            states.put(dependency, new State(null, 0, clock.instant(), null));
            Gauge.builder("sfcache.dependency.up", this, watch -> watch.gauge(dependency))
                    .tag(
                            "dependency",
                            dependency.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .description("1 while the dependency answers its checks, 0 while DOWN, NaN before the first check")
                    .register(meters);
        }
    }

    /** Called when a dependency goes DOWN. */
    public void whenDown(Runnable listener) {
        downListeners.add(listener);
    }

    /** One check of Cosmos DB: a read of the database, answered or not within the timeout. */
    public void checkCosmosDb() {
        check(Dependency.COSMOS_DB, cosmos.getDatabase(database).read());
    }

    /** One check of Event Hubs: the hub's properties, a management request over the producer's connection. */
    public void checkEventHubs() {
        check(Dependency.EVENT_HUBS, eventHubs.getEventHubProperties());
    }

    void check(Dependency dependency, Mono<?> request) {
        Duration timeout = settings.getTimeout();
        try {
            request.timeout(timeout).block();
            answered(dependency);
        } catch (RuntimeException e) {
            Throwable cause = NestedExceptionUtils.getMostSpecificCause(e);
            failed(
                    dependency,
                    cause instanceof java.util.concurrent.TimeoutException
                            ? "no answer within " + timeout + " (sfcache.sync.dependency-check.timeout)"
                            : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    private void answered(Dependency dependency) {
        State before;
        synchronized (states) {
            before = states.get(dependency);
            states.put(
                    dependency,
                    new State(true, 0, Boolean.TRUE.equals(before.up()) ? before.since() : clock.instant(), null));
        }
        if (Boolean.FALSE.equals(before.up())) {
            LOG.info("{} answers again (DOWN since {})", dependency.displayName, before.since());
        }
    }

    private void failed(Dependency dependency, String reason) {
        State before;
        State after;
        synchronized (states) {
            before = states.get(dependency);
            int failures = before.failuresInARow() + 1;
            boolean down = failures >= settings.getFailuresBeforeDown();
            after = new State(
                    down ? Boolean.FALSE : before.up(),
                    failures,
                    down && !Boolean.FALSE.equals(before.up()) ? clock.instant() : before.since(),
                    reason);
            states.put(dependency, after);
        }
        if (Boolean.FALSE.equals(after.up()) && !Boolean.FALSE.equals(before.up())) {
            LOG.error(
                    "{} is DOWN after {} checks without an answer ({}): pausing the Service Bus consumer",
                    dependency.displayName,
                    after.failuresInARow(),
                    reason);
            downListeners.forEach(Runnable::run);
        } else {
            LOG.warn("{} check failed ({} in a row): {}", dependency.displayName, after.failuresInARow(), reason);
        }
    }

    /** Whether every dependency answered its last check. */
    public boolean allUp() {
        synchronized (states) {
            return states.values().stream().allMatch(state -> Boolean.TRUE.equals(state.up()));
        }
    }

    /** The circuit breaker resumes consumption only once both dependencies answer again. */
    @Override
    public boolean isReadyToBeClosed() {
        boolean ready = allUp();
        if (ready) {
            LOG.info("Cosmos DB and Event Hubs answer again: resuming the Service Bus consumer");
        }
        return ready;
    }

    public Health health(Dependency dependency) {
        State state;
        synchronized (states) {
            state = states.get(dependency);
        }
        Health.Builder health = state.up() == null ? Health.unknown() : state.up() ? Health.up() : Health.down();
        health.withDetail("since", state.since().toString());
        if (state.lastFailure() != null) {
            health.withDetail("failedChecksInARow", state.failuresInARow())
                    .withDetail("lastFailure", state.lastFailure());
        }
        return health.build();
    }

    private double gauge(Dependency dependency) {
        Boolean up;
        synchronized (states) {
            up = states.get(dependency).up();
        }
        return up == null ? Double.NaN : up ? 1 : 0;
    }
}
