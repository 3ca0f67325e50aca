package io.sfcache.bench;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.MessageView;
import io.sfcache.standin.messaging.QueueOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * Lag under steady load: changes sent at a fixed rate, each stamped with its Salesforce commit time as it is sent
 * (the publisher's own delay is not sfcache's), and for each the time until its event was enqueued on Event Hubs,
 * which sfcache does right after storing it: commit to stored and announced.
 */
final class SteadyLoadBenchmark {

    /** Lags in milliseconds. */
    record Result(int rate, int sent, double achievedRate, double p50, double p95, double p99) {}

    private static final long TICK_MILLIS = 10;

    private final AzureMessagingStandin messaging;
    private final String queue;
    private final String hub;
    private final ObjectMapper json = new ObjectMapper();

    SteadyLoadBenchmark(AzureMessagingStandin messaging, String queue, String hub) {
        this.messaging = messaging;
        this.queue = queue;
        this.hub = hub;
    }

    Result run(int rate, int seconds, long seed) throws Exception {
        ChangeMessages changes = ChangeMessages.live(new Random(seed), Clock.systemUTC());
        List<SalesforceRecord> created = new ArrayList<>();
        Set<String> eventIds = ConcurrentHashMap.newKeySet();
        int settledBefore = messaging.outcomes(queue).getOrDefault(QueueOutcome.COMPLETED, 0);
        long start;
        AtomicLong end = new AtomicLong();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                .connectionString(messaging.serviceBusConnectionString())
                .sender()
                .queueName(queue)
                .buildClient()) {
            start = System.nanoTime();
            long stop = start + Duration.ofSeconds(seconds).toNanos();
            int[] sent = {0};
            // Every tick sends what is due by now, so a slow send is caught up on the next tick.
            pacer.scheduleAtFixedRate(
                    () -> {
                        long now = System.nanoTime();
                        if (end.get() != 0) {
                            return;
                        }
                        int due = (int) (rate * ((Math.min(now, stop) - start) / 1e9)) - sent[0];
                        if (due > 0) {
                            List<ServiceBusMessage> batch = new ArrayList<>(due);
                            for (int i = 0; i < due; i++) {
                                ChangeMessageBuilder change = next(changes, created, sent[0] + i, rate);
                                eventIds.add(change.eventId());
                                batch.add(new ServiceBusMessage(change.toJson())
                                        .setMessageId(change.eventId())
                                        .setContentType("application/json"));
                            }
                            sender.sendMessages(batch);
                            sent[0] += due;
                        }
                        if (now >= stop) {
                            end.set(now);
                        }
                    },
                    0,
                    TICK_MILLIS,
                    TimeUnit.MILLISECONDS);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(seconds + 60L))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> end.get() != 0);
        } finally {
            pacer.shutdownNow();
        }
        int sent = eventIds.size();
        Awaitility.await()
                .atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> messaging.outcomes(queue).getOrDefault(QueueOutcome.COMPLETED, 0) - settledBefore >= sent);
        long[] lags = lags(eventIds);
        return new Result(
                rate,
                sent,
                sent / ((end.get() - start) / 1e9),
                Stats.percentileMillis(lags, 50),
                Stats.percentileMillis(lags, 95),
                Stats.percentileMillis(lags, 99));
    }

    /** Three creates to one update of a record created at least a second ago, so an update never overtakes its create. */
    private static ChangeMessageBuilder next(
            ChangeMessages changes, List<SalesforceRecord> created, int index, int rate) {
        if (index % 4 == 3 && created.size() > rate) {
            return created.get((index * 7919) % (created.size() - rate)).update();
        }
        SalesforceRecord record = switch (index % 3) {
            case 0 -> changes.account();
            case 1 -> changes.contact();
            default -> changes.opportunity();
        };
        created.add(record);
        return record.create();
    }

    /** Enqueued time of each of this run's events minus the commit time it carries, in nanoseconds. */
    private long[] lags(Set<String> eventIds) throws Exception {
        List<Long> lags = new ArrayList<>();
        for (MessageView event : messaging.events(hub)) {
            Map<String, Object> properties = event.applicationProperties();
            Object eventId = properties == null ? null : properties.get("sfcacheEventId");
            if (eventId != null && eventIds.contains(eventId.toString())) {
                JsonNode body = json.readTree(event.body());
                Instant commit = Instant.parse(body.get("commitTime").asText());
                lags.add(Duration.between(commit, event.enqueuedTime()).toNanos());
            }
        }
        if (lags.size() < eventIds.size() * 9 / 10) {
            throw new IllegalStateException("only " + lags.size() + " events for " + eventIds.size() + " changes");
        }
        return lags.stream().mapToLong(Long::longValue).toArray();
    }
}
