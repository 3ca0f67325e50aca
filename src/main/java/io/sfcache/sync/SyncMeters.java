package io.sfcache.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The sync flow's meters, each taken by a route step calling a method here: the changes and how each was decided,
 * the messages dead-lettered and abandoned, heartbeats, Change Data Capture events, the Event Hubs send time, the
 * events published and the letters redriven. Plain Micrometer rather than camel-micrometer endpoints, which evaluate
 * their options on every message (a dynamic endpoint and a type-converter search each time: a tenth of the consumer
 * threads' CPU in the benchmark's profile); camel-micrometer's route policy still gives the per-route series.
 */
@Component("syncMeters")
public class SyncMeters {

    private static final String PUBLISH_STARTED = "SfcachePublishStarted";

    private final Meter.MeterProvider<Counter> changes;
    private final Meter.MeterProvider<Counter> deadLetters;
    private final Meter.MeterProvider<Counter> heartbeats;
    private final Meter.MeterProvider<Counter> cdcEvents;
    private final Meter.MeterProvider<Counter> published;
    private final Meter.MeterProvider<Counter> redriven;
    private final Counter abandoned;
    private final Timer publish;

    public SyncMeters(MeterRegistry meters) {
        this.changes = Counter.builder("sfcache.sync.changes")
                .description("Changes handled, by the order guard's decision")
                .withRegistry(meters);
        this.deadLetters = Counter.builder("sfcache.sync.dead.letters")
                .description("Messages sent to the dead letters, by reason")
                .withRegistry(meters);
        this.heartbeats = Counter.builder("sfcache.heartbeats")
                .description("Publisher heartbeats received")
                .withRegistry(meters);
        this.cdcEvents = Counter.builder("sfcache.cdc.events")
                .description("Change Data Capture events handled")
                .withRegistry(meters);
        this.published = Counter.builder("sfcache.events.published")
                .description("Events published to Event Hubs")
                .withRegistry(meters);
        this.redriven = Counter.builder("sfcache.redrive.letters")
                .description("Dead letters a redrive job sent through again, by outcome")
                .withRegistry(meters);
        this.abandoned = Counter.builder("sfcache.sync.abandoned")
                .description("Messages handed back to Service Bus after their retries")
                .register(meters);
        this.publish = Timer.builder("sfcache.eventhubs.publish")
                .description("Event Hubs send of one change's event")
                .register(meters);
    }

    /** Route step at the end of an object's flow: the order guard's decision, counted per object. */
    public void changeHandled(Exchange exchange) {
        changes.withTags(
                        "sobject",
                        sobject(exchange),
                        "outcome",
                        exchange.getProperty(SyncHeaders.DECISION, String.class))
                .increment();
    }

    /** Route step once a dead letter is stored (dead-letter.camel.yaml): its reason, per object. */
    public void deadLettered(Exchange exchange) {
        deadLetters
                .withTags(
                        "sobject",
                        exchange.getProperty(DeadLetters.OBJECT_PROPERTY, String.class),
                        "reason",
                        exchange.getProperty(SyncHeaders.DEAD_LETTERED, String.class))
                .increment();
    }

    /** Route step once a heartbeat is stored (heartbeat.camel.yaml). */
    public void heartbeat(Exchange exchange) {
        heartbeats.withTags("sobject", sobject(exchange)).increment();
    }

    /** Route step once a Change Data Capture event is handled (salesforce-cdc-ingest.camel.yaml). */
    public void cdcEvent(String sobject) {
        cdcEvents.withTags("sobject", sobject).increment();
    }

    /** Route step of the transient-failure handler, when a message goes back to Service Bus (sync-change). */
    public void abandoned() {
        abandoned.increment();
    }

    /** A redrive job's letter, by what became of it ({@link RedriveJob.Outcome}). */
    public void redriven(String sobject, RedriveJob.Outcome outcome) {
        redriven.withTags("sobject", sobject, "outcome", outcome.name()).increment();
    }

    /** Route step just before the Event Hubs send. */
    public void publishing(Exchange exchange) {
        exchange.setProperty(PUBLISH_STARTED, System.nanoTime());
    }

    /** Route step just after the Event Hubs send succeeded. */
    public void published(Exchange exchange) {
        publish.record(System.nanoTime() - exchange.getProperty(PUBLISH_STARTED, Long.class), TimeUnit.NANOSECONDS);
        published.withTags("sobject", sobject(exchange)).increment();
    }

    private static String sobject(Exchange exchange) {
        return exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class).sobject();
    }
}
