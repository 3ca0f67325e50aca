package io.sfcache.monitoring;

import com.azure.messaging.servicebus.ServiceBusReceiverAsyncClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.sync.ObjectAlarms;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * A consumer can hang without an error (a receive link that gets nothing, a stuck client): messages wait and nothing
 * is consumed. When the queue holds messages (peeked), nothing is in flight, the circuit breaker is not pausing the
 * consumer on purpose, and no exchange completed for {@code sfcache.monitoring.stall.after}, the
 * {@code servicebus-ingest} route is restarted (new client, new links). Health component {@code consumer}.
 */
@Component("consumer")
public class ConsumerStallDetector implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerStallDetector.class);
    static final String ROUTE = "servicebus-ingest";

    private final CamelContext camel;
    private final ThrottlingExceptionRoutePolicy breaker;
    private final ServiceBusReceiverAsyncClient queuePeek;
    private final Clock clock;
    private final Duration after;
    /** A peek is one management round trip: longer than this, the check tries again next time. */
    private static final Duration PEEK_TIMEOUT = Duration.ofSeconds(10);

    private final Counter restarts;
    private long lastTotal = -1;
    /** Since when messages have been seen waiting with no progress; null while there is progress or no backlog. */
    private Instant waitingSince;

    /** Since when the consumer has been paused on purpose (circuit breaker, route stopped); null while it runs. */
    private Instant pausedSince;

    private final AlarmRepairs alarms;
    private final Duration pauseAfter;

    private volatile boolean stalled;
    private volatile Instant lastRestart;

    public ConsumerStallDetector(
            CamelContext camel,
            @Qualifier("ingestCircuitBreaker") ThrottlingExceptionRoutePolicy breaker,
            @Qualifier("queuePeek") ServiceBusReceiverAsyncClient queuePeek,
            AlarmRepairs alarms,
            MeterRegistry meters,
            Clock clock,
            MonitoringProperties monitoring) {
        this.camel = camel;
        this.breaker = breaker;
        this.queuePeek = queuePeek;
        this.clock = clock;
        this.after = monitoring.getStall().getAfter();
        this.alarms = alarms;
        this.pauseAfter = monitoring.getHealing().getPauseAfter();
        Gauge.builder("sfcache.consumer.stalled", () -> stalled ? 1 : 0)
                .description("1 from a detected consumer stall until messages are consumed again")
                .register(meters);
        this.restarts = Counter.builder("sfcache.consumer.stall.restarts")
                .description("Restarts of the Service Bus consumer after a stall")
                .register(meters);
    }

    /** Timer step ({@code consumer-stall-check} route). */
    public synchronized void check() {
        Instant now = clock.instant();
        ManagedRouteMBean route = camel.getCamelContextExtension()
                .getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute(ROUTE);
        if (route == null) {
            return;
        }
        long total = route.getExchangesTotal();
        boolean running = camel.getRouteController().getRouteStatus(ROUTE) == ServiceStatus.Started
                && "closed".equalsIgnoreCase(breaker.getStateAsString());
        pausedLongerThanAllowed(running, now);
        if (total != lastTotal || route.getExchangesInflight() > 0 || !running) {
            // Progress, work in flight, or paused on purpose: not a stall.
            if (total != lastTotal && running) {
                alarms.endedAll(ObjectAlarms.Reason.QUEUE_PAUSED);
            }
            lastTotal = total;
            waitingSince = null;
            stalled = false;
            return;
        }
        if (!messagesWaiting()) {
            waitingSince = null;
            return;
        }
        if (waitingSince == null) {
            waitingSince = now;
        }
        if (Duration.between(waitingSince, now).compareTo(after) < 0) {
            return;
        }
        stalled = true;
        alarms.raiseAll(
                ObjectAlarms.Reason.QUEUE_PAUSED,
                "the queue consumer stalled: messages waiting since " + waitingSince + ", none consumed",
                waitingSince);
        LOG.warn(
                "Service Bus consumer stalled: messages waited {} and none was consumed; restarting route {} "
                        + "(see the run-book, SfcacheConsumerStalled)",
                Duration.between(waitingSince, now),
                ROUTE);
        try {
            // Nothing is in flight: a short graceful stop, then a new consumer with new links.
            camel.getRouteController().stopRoute(ROUTE, 10, java.util.concurrent.TimeUnit.SECONDS);
            camel.getRouteController().startRoute(ROUTE);
            restarts.increment();
            lastRestart = now;
        } catch (Exception e) {
            LOG.error("Restarting route {} failed", ROUTE, e);
        }
        // Give the new consumer a whole window before judging it.
        waitingSince = now;
    }

    /**
     * Paused on purpose is no stall, but changes wait in the queue meanwhile: after {@code healing.pause-after} every
     * object is reconciled from Salesforce (QUEUE_PAUSED), so readers need not wait for the dependency to come back.
     */
    private void pausedLongerThanAllowed(boolean running, Instant now) {
        if (running) {
            if (pausedSince != null) {
                pausedSince = null;
                alarms.endedAll(ObjectAlarms.Reason.QUEUE_PAUSED);
            }
            return;
        }
        if (pausedSince == null) {
            pausedSince = now;
        }
        if (Duration.between(pausedSince, now).compareTo(pauseAfter) >= 0) {
            alarms.raiseAll(
                    ObjectAlarms.Reason.QUEUE_PAUSED,
                    "the queue consumer has been paused since " + pausedSince
                            + " (circuit breaker open or route stopped)",
                    pausedSince);
        }
    }

    private boolean messagesWaiting() {
        try {
            return queuePeek.peekMessage(0L).blockOptional(PEEK_TIMEOUT).isPresent();
        } catch (RuntimeException e) {
            LOG.debug("Peeking the queue failed: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public Health health() {
        return (stalled ? Health.down() : Health.up())
                .withDetail("stalled", stalled)
                .withDetail("stallAfter", after.toString())
                .withDetail("lastRestart", lastRestart == null ? "never" : lastRestart.toString())
                .build();
    }
}
