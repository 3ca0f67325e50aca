package io.sfcache.local;

import io.sfcache.fixtures.ChangeMessages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.StringUtils;

/**
 * Stands in for the Apex publisher in the local run: sends realistic Account, Contact and Opportunity change messages
 * to the Service Bus queue the way the publisher does (Service Bus's REST batch send, {@link ServiceBusRestSender}),
 * at a steady rate, with invalid and out-of-order messages mixed in and a heartbeat per object. What to send is {@link SimulatedTraffic}'s job; this class only paces, sends, counts
 * and logs, on one daemon thread, and stops with the application context (before the routes that consume the queue:
 * the default {@link SmartLifecycle} phase stops first).
 */
public final class SimulatedPublisher implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedPublisher.class);
    /** After a stall (a slow send, a paused JVM) send at most this many seconds' worth at once, not a flood. */
    private static final double MAX_CATCH_UP_SECONDS = 2;

    private final SimulatorProperties properties;
    private final String connectionString;
    private final String restEndpoint;
    private final String queue;
    private final Clock clock;
    private final SimulatedTraffic traffic;
    private final HeartbeatSchedule heartbeats;
    private final SimulatorStats stats = new SimulatorStats();

    private ScheduledExecutorService executor;
    private ServiceBusRestSender sender;
    private volatile boolean running;
    // Touched only on the publisher thread:
    private long lastTickNanos;
    private double credit;
    private Instant lastSummary;
    private boolean failureLogged;

    /**
     * @param restEndpoint     the namespace's REST endpoint ({@code https://<namespace>.servicebus.windows.net})
     * @param connectionString the namespace's connection string: the SAS key the publisher's credential holds
     */
    public SimulatedPublisher(
            SimulatorProperties properties, String restEndpoint, String connectionString, String queue) {
        this(properties, restEndpoint, connectionString, queue, Clock.systemUTC());
    }

    SimulatedPublisher(
            SimulatorProperties properties, String restEndpoint, String connectionString, String queue, Clock clock) {
        properties.validate();
        if (!StringUtils.hasText(connectionString)) {
            throw new IllegalArgumentException("the simulated publisher needs sfcache.servicebus.connection-string; "
                    + "set sfcache.local.simulator.enabled=false to run without it");
        }
        this.properties = properties;
        this.restEndpoint = restEndpoint;
        this.connectionString = connectionString;
        this.queue = queue;
        this.clock = clock;
        Random random = properties.getSeed() == null ? new Random() : new Random(properties.getSeed());
        ChangeMessages messages = ChangeMessages.live(random, clock);
        this.traffic = new SimulatedTraffic(
                messages, properties.getPoolSize(), properties.getInvalidRatio(), properties.getOutOfOrderRatio());
        this.heartbeats = new HeartbeatSchedule(messages, properties.getHeartbeatInterval());
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        sender = new ServiceBusRestSender(restEndpoint, connectionString, queue, PublisherWireFormat.load());
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "simulated-publisher");
            thread.setDaemon(true);
            return thread;
        });
        lastTickNanos = System.nanoTime();
        lastSummary = clock.instant();
        running = true;
        executor.scheduleAtFixedRate(this::tick, 0, tickPeriod().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info(
                "Simulated publisher: {} changes/s to queue {}, {}% invalid, {}% out of order, heartbeats every {} s",
                properties.getRatePerSecond(),
                queue,
                Math.round(properties.getInvalidRatio() * 100),
                Math.round(properties.getOutOfOrderRatio() * 100),
                properties.getHeartbeatInterval().toSeconds());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        executor.shutdown();
        try {
            // A send in progress may take the SDK's retry time if the broker went away first.
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        SimulatorStats.Counts total = stats.total();
        LOG.info(
                "Simulated publisher stopped: {} sent ({} invalid, {} out of order, {} heartbeats), {} failed",
                total.sent(),
                total.invalid(),
                total.outOfOrder(),
                total.heartbeats(),
                total.failed());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    SimulatorStats stats() {
        return stats;
    }

    /** Small rates tick once per message; large ones send a batch every 100 ms. */
    Duration tickPeriod() {
        long millis = Math.round(1000 / properties.getRatePerSecond());
        return Duration.ofMillis(Math.max(100, Math.min(1000, millis)));
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            double rate = properties.getRatePerSecond();
            credit = Math.min(credit + rate * (now - lastTickNanos) / 1e9, Math.max(1, rate * MAX_CATCH_UP_SECONDS));
            lastTickNanos = now;
            send(heartbeats.due(clock.instant()));
            int due = (int) credit;
            credit -= due;
            send(traffic.next(due));
            summarise();
        } catch (RuntimeException e) {
            // An exception escaping would cancel the schedule for good; the next tick may well succeed.
            LOG.warn("Simulated publisher tick failed", e);
        }
    }

    private void send(List<Outgoing> messages) {
        if (messages.isEmpty()) {
            return;
        }
        int sent = messages.size();
        try {
            sender.send(messages);
            failureLogged = false;
        } catch (ServiceBusRestSender.SendFailure e) {
            sent = e.sent;
            stats.failed(messages.size() - sent);
            if (!failureLogged) {
                LOG.warn(
                        "Simulated publisher could not send to queue {}: {} (logged once until a send succeeds)",
                        queue,
                        e.getMessage());
                failureLogged = true;
            }
        }
        List<Outgoing> done = messages.subList(0, sent);
        stats.sent(done);
        Instant sentAt = clock.instant();
        done.forEach(message -> heartbeats.sent(message, sentAt));
    }

    private void summarise() {
        Instant now = clock.instant();
        if (Duration.between(lastSummary, now).compareTo(properties.getSummaryInterval()) < 0) {
            return;
        }
        lastSummary = now;
        SimulatorStats.Counts last = stats.sinceLastSummary();
        LOG.info(
                "Simulated publisher: {} sent in the last {} s ({} invalid, {} out of order, {} heartbeats, {} failed);"
                        + " {} since start",
                last.sent(),
                properties.getSummaryInterval().toSeconds(),
                last.invalid(),
                last.outOfOrder(),
                last.heartbeats(),
                last.failed(),
                stats.total().sent());
    }
}
