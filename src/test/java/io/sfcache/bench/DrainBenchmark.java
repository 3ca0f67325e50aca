package io.sfcache.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.QueueLoader;
import io.sfcache.standin.messaging.QueueOutcome;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.awaitility.Awaitility;

/**
 * Backlog drain, the outage catch-up case: the backlog is put on the queue while sfcache's consumer is stopped, then
 * the consumer starts and the clock runs until every message is settled. A message is completed only once its change
 * is stored and its event published (or it is safely in the dead letters), so "all settled" means all done.
 */
final class DrainBenchmark {

    static final String INGEST_ROUTE = "servicebus-ingest";

    /** @param cpu CPU used during the drain by the JVM and by the Cosmos stand-in */
    record Result(
            int messages,
            int invalid,
            int updates,
            double seconds,
            int events,
            int deadLettered,
            CpuClock cpu,
            Map<String, Double> threadCpu) {
        double perSecond() {
            return messages / seconds;
        }
    }

    private final CamelContext camel;
    private final AzureMessagingStandin messaging;
    private final String queue;
    private final String hub;
    private final MeterRegistry meters;

    DrainBenchmark(
            CamelContext camel, MeterRegistry meters, AzureMessagingStandin messaging, String queue, String hub) {
        this.camel = camel;
        this.meters = meters;
        this.messaging = messaging;
        this.queue = queue;
        this.hub = hub;
    }

    Result run(Backlog backlog) throws Exception {
        camel.getRouteController().stopRoute(INGEST_ROUTE);
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, backlog.messages());
        int count = backlog.messages().size();
        int settledBefore = settled(messaging.outcomes(queue));
        int eventsBefore = messaging.eventCount(hub);
        int deadLettersBefore = deadLetters();
        StepTimes.reset();
        CpuClock cpu = CpuClock.now();
        Map<String, Double> threads = ThreadCpu.now();
        long start = System.nanoTime();
        camel.getRouteController().startRoute(INGEST_ROUTE);
        Awaitility.await()
                .atMost(Duration.ofMinutes(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> settled(messaging.outcomes(queue)) - settledBefore >= count);
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuClock used = CpuClock.now().since(cpu);
        Map<String, Double> threadCpu = ThreadCpu.since(threads, ThreadCpu.now());
        return new Result(
                count,
                backlog.invalid(),
                backlog.updates(),
                seconds,
                messaging.eventCount(hub) - eventsBefore,
                deadLetters() - deadLettersBefore,
                used,
                threadCpu);
    }

    /** Completed (stored, skipped or in sfcache's dead letters) or dead-lettered by Service Bus itself. */
    private static int settled(Map<QueueOutcome, Integer> outcomes) {
        return outcomes.getOrDefault(QueueOutcome.COMPLETED, 0) + outcomes.getOrDefault(QueueOutcome.DEAD_LETTERED, 0);
    }

    /** sfcache's dead letters so far, from its own counter. */
    private int deadLetters() {
        return (int) meters.find("sfcache.sync.dead.letters").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
