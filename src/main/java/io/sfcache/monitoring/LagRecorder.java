package io.sfcache.monitoring;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeSource;
import io.sfcache.sync.SyncHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * End-to-end lag (Salesforce commit to stored) of every change written, as a histogram with SLO buckets per object
 * and source, and the newest stored change per object, which freshness and the reader's-eye probe start from.
 */
@Component("lagRecorder")
public class LagRecorder {

    /** What alerts and dashboards ask about: seconds to minutes, and the hours of an outage catch-up. */
    private static final Duration[] SLO = {
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(15),
        Duration.ofHours(1)
    };

    /** The newest change stored for an object: its record, commit time and when it was stored. */
    public record Newest(String recordId, Instant commitTime, Instant storedAt) {}

    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Newest> newest = new ConcurrentHashMap<>();
    /** One timer per object and source. */
    private final Meter.MeterProvider<Timer> lags;

    public LagRecorder(MeterRegistry meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
        this.lags = Timer.builder("sfcache.sync.lag")
                .description("Salesforce commit to stored in Cosmos, per change written")
                .serviceLevelObjectives(SLO)
                .minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofHours(24))
                // A decaying window (about 3 minutes) for the health check's recent p99.
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .distributionStatisticBufferLength(3)
                .withRegistry(meters);
    }

    /** Route step after the order guard wrote a change (CREATE or REPLACE). */
    public void stored(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        ChangeSource source = ChangeSource.of(exchange);
        Instant now = clock.instant();
        Duration lag = Duration.between(change.commitTime(), now);
        lags.withTags("sobject", change.sobject(), "source", source.name())
                .record(lag.isNegative() ? Duration.ZERO : lag);
        newest.merge(
                change.sobject(),
                new Newest(change.recordId(), change.commitTime(), now),
                (a, b) -> b.commitTime().isAfter(a.commitTime()) ? b : a);
    }

    public Optional<Newest> newest(String sobject) {
        return Optional.ofNullable(newest.get(sobject));
    }

    /** The 99th percentile of the last minutes' lags of an object (any source), if it had changes. */
    public Optional<Duration> recentP99(String sobject) {
        return meters.find("sfcache.sync.lag").tag("sobject", sobject).timers().stream()
                .flatMap(timer -> java.util.Arrays.stream(timer.takeSnapshot().percentileValues()))
                .filter(p -> p.percentile() == 0.99)
                // value() is in the timer's base unit, nanoseconds: ask for them by name.
                .map(p -> p.value(TimeUnit.NANOSECONDS))
                .filter(nanos -> nanos > 0)
                .max(Double::compare)
                .map(nanos -> Duration.ofNanos(nanos.longValue()));
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
