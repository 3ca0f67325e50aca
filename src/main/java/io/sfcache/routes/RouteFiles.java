package io.sfcache.routes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * What became of the edits in the live-reload directory: per file, applied or refused with the line and the
 * reason, until a good version replaces it. Health component {@code routeFiles} (DOWN while a file is refused),
 * gauge {@code sfcache_route_files_rejected}, counter {@code sfcache_route_reloads_total{outcome}}, and one ERROR
 * log line per refusal naming the file, the line and the reason.
 */
public class RouteFiles implements HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);

    /** One file's last edit. */
    public record Status(boolean applied, Instant at, List<RouteFileCheck.Problem> problems) {}

    private final Map<String, Status> files = new ConcurrentHashMap<>();
    private final Map<String, String> lastGood = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Counter applied;
    private final Counter rejected;

    public RouteFiles(MeterRegistry meters, Clock clock) {
        this.clock = clock;
        this.applied = Counter.builder("sfcache.route.reloads")
                .tag("outcome", "applied")
                .description("Edits of route files in the live-reload directory, by outcome")
                .register(meters);
        this.rejected = Counter.builder("sfcache.route.reloads")
                .tag("outcome", "rejected")
                .description("Edits of route files in the live-reload directory, by outcome")
                .register(meters);
        Gauge.builder("sfcache.route.files.rejected", this, RouteFiles::rejectedCount)
                .description("Route files whose last edit was refused: the running routes are the previous ones")
                .register(meters);
    }

    /** A file as it runs now (loaded at start-up or applied since): what a failed edit goes back to. */
    void running(String fileName, String text) {
        lastGood.put(fileName, text);
    }

    void applied(String fileName, String text) {
        lastGood.put(fileName, text);
        Status before = files.put(fileName, new Status(true, clock.instant(), List.of()));
        applied.increment();
        if (before != null && !before.applied()) {
            LOG.info("Route file {} applied: the earlier refusal is cleared", fileName);
        } else {
            LOG.info("Route file {} applied", fileName);
        }
    }

    void rejected(String fileName, List<RouteFileCheck.Problem> problems) {
        files.put(fileName, new Status(false, clock.instant(), List.copyOf(problems)));
        rejected.increment();
        LOG.error("Route file {} refused, the running routes stay as they were: {}", fileName, problems);
    }

    String lastGood(String fileName) {
        return lastGood.get(fileName);
    }

    public Map<String, Status> statuses() {
        return new TreeMap<>(files);
    }

    private double rejectedCount() {
        return files.values().stream().filter(status -> !status.applied()).count();
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        statuses()
                .forEach((file, status) -> details.put(
                        file,
                        status.applied()
                                ? Map.of("applied", status.at().toString())
                                : Map.of(
                                        "refusedAt",
                                        status.at().toString(),
                                        "problems",
                                        status.problems().stream()
                                                .map(RouteFileCheck.Problem::toString)
                                                .toList())));
        return (rejectedCount() > 0 ? Health.down() : Health.up())
                .withDetails(details)
                .build();
    }
}
