package io.sfcache.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeSource;
import io.sfcache.sync.SyncHeaders;

/**
 * End-to-end lag (Salesforce commit to stored) of every change written, as a histogram with SLO buckets per object
 * and source, and the newest stored change per object, which freshness and the reader's-eye probe start from.
 */
@Component("lagRecorder")
public class LagRecorder {

    /** What alerts and dashboards ask about: seconds to minutes, and the hours of an outage catch-up. */
    private static final Duration[] SLO = {Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    /** The newest change stored for an object: its record, commit time and when it was stored. */
    public record Newest(String recordId, Instant commitTime, Instant storedAt) {
    }

    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Newest> newest = new ConcurrentHashMap<>();
    /** Built once per object and source: this runs for every change written. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public LagRecorder(MeterRegistry meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
    }

    /** Route step after the order guard wrote a change (CREATE or REPLACE). */
    public void stored(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        ChangeSource source = ChangeSource.of(exchange);
        Instant now = clock.instant();
        Duration lag = Duration.between(change.commitTime(), now);
        timer(change.sobject(), source).record(lag.isNegative() ? Duration.ZERO : lag);
        newest.merge(change.sobject(), new Newest(change.recordId(), change.commitTime(), now),
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

    private Timer timer(String sobject, ChangeSource source) {
        return timers.computeIfAbsent(sobject + "/" + source, key -> Timer.builder("sfcache.sync.lag")
                .description("Salesforce commit to stored in Cosmos, per change written")
                .tags("sobject", sobject, "source", source.name())
                .serviceLevelObjectives(SLO)
                .minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofHours(24))
                // A decaying window (about 3 minutes) for the health check's recent p99.
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .distributionStatisticBufferLength(3)
                .register(meters));
    }

    static double seconds(Duration duration) {
        return duration.toNanos() / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
