package io.sfcache.sync;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The sync flow's meters, taken once per change: how each change was decided per object
 * ({@code sfcache.sync.changes}), the Event Hubs send time, the events published and the letters redriven. Plain
 * Micrometer rather than camel-micrometer endpoints, which evaluate their options on every message (a dynamic endpoint
 * and a type-converter search each time: a tenth of the consumer threads' CPU in the benchmark's profile).
 */
@Component("syncMeters")
public class SyncMeters {

    private static final String PUBLISH_STARTED = "SfcachePublishStarted";

    private final MeterRegistry meters;
    private final Timer publish;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public SyncMeters(MeterRegistry meters) {
        this.meters = meters;
        this.publish = Timer.builder("sfcache.eventhubs.publish").description("Event Hubs send of one change's event")
                .register(meters);
    }

    /** Route step at the end of an object's flow: the order guard's decision, counted per object. */
    public void changeHandled(Exchange exchange) {
        String sobject = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class).sobject();
        String outcome = exchange.getProperty(SyncHeaders.DECISION, String.class);
        counters.computeIfAbsent("changes/" + sobject + "/" + outcome, key -> Counter.builder("sfcache.sync.changes")
                .description("Changes handled, by the order guard's decision").tag("sobject", sobject)
                .tag("outcome", outcome).register(meters)).increment();
    }

    /** A redrive job's letter, by what became of it ({@link RedriveJob.Outcome}). */
    public void redriven(String sobject, RedriveJob.Outcome outcome) {
        counters.computeIfAbsent("redrive/" + sobject + "/" + outcome, key -> Counter.builder("sfcache.redrive.letters")
                .description("Dead letters a redrive job sent through again, by outcome").tag("sobject", sobject)
                .tag("outcome", outcome.name()).register(meters)).increment();
    }

    /** Route step just before the Event Hubs send. */
    public void publishing(Exchange exchange) {
        exchange.setProperty(PUBLISH_STARTED, System.nanoTime());
    }

    /** Route step just after the Event Hubs send succeeded. */
    public void published(Exchange exchange) {
        publish.record(System.nanoTime() - exchange.getProperty(PUBLISH_STARTED, Long.class), TimeUnit.NANOSECONDS);
        String sobject = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class).sobject();
        counters.computeIfAbsent("events/" + sobject, key -> Counter.builder("sfcache.events.published")
                .description("Events published to Event Hubs").tag("sobject", sobject).register(meters)).increment();
    }
}
