package io.sfcache.sync;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

/**
 * Redrive as background jobs, one per selection: a request starts a job and returns at once; a request for a
 * selection whose job is still running joins that job instead of starting a second one. Jobs run on their own few
 * threads (never a GraphQL request's or the consumer's), and all of them together send at most
 * {@code sfcache.sync.redrive.rate-per-second} dead letters per second through the sync flow, so a large redrive does
 * not take the live flow's capacity. Jobs live in this instance's memory: finished ones are kept for
 * {@code retention}, at most {@code retained-jobs} of them, and a restart forgets them all.
 */
@Component
public class RedriveJobs implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(RedriveJobs.class);
    /** One job's upper bound; start another after it for more. */
    static final int LETTERS_PER_JOB = 10_000;

    /** Another selection while {@code max-running-jobs} are running: wait, or cancel one. */
    public static class TooManyJobsException extends IllegalStateException {
        TooManyJobsException(String message) {
            super(message);
        }
    }

    private final DeadLetterStore store;
    private final ProducerTemplate producer;
    private final CamelContext camel;
    private final SyncMeters meters;
    private final Clock clock;
    private final SyncProperties.Redrive settings;
    private final RateLimiter limiter;
    /** As many threads as jobs may run; {@link #start} refuses more, so nothing waits in the queue for long. */
    private final ExecutorService threads;
    /** Running and kept jobs by id, in start order; guarded by {@code this}. */
    private final Map<String, RedriveJob> jobs = new LinkedHashMap<>();

    public RedriveJobs(DeadLetterStore store, ProducerTemplate producer, CamelContext camel, SyncMeters meters,
            Clock clock, SyncProperties sync) {
        this.store = store;
        this.producer = producer;
        this.camel = camel;
        this.meters = meters;
        this.clock = clock;
        this.settings = sync.getRedrive();
        // One permit every 1/rate seconds rather than rate permits a second: letters go out evenly, not in a burst at
        // the start of each second. The wait limit only has to outlast every running job's turn (each at most a
        // second), so a refused permit means the thread was interrupted.
        this.limiter = RateLimiter.of("redrive", RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / settings.getRatePerSecond()))
                .timeoutDuration(Duration.ofMinutes(1))
                .build());
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(settings.getMaxRunningJobs(), runnable -> {
            Thread thread = new Thread(runnable, "redrive-job-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts a job for the selection, or returns the job already running for it. */
    public synchronized RedriveJob.Snapshot start(DeadLetterStore.Filter selection) {
        prune();
        Optional<RedriveJob> running = jobs.values().stream()
                .filter(job -> job.running() && job.selection().equals(selection)).findFirst();
        if (running.isPresent()) {
            return running.get().snapshot();
        }
        if (jobs.values().stream().filter(RedriveJob::running).count() >= settings.getMaxRunningJobs()) {
            throw new TooManyJobsException(settings.getMaxRunningJobs() + " redrive jobs are running on this instance "
                    + "(sfcache.sync.redrive.max-running-jobs): wait for one to finish or cancel one");
        }
        RedriveJob job = new RedriveJob(selection, clock.instant());
        jobs.put(job.id(), job);
        threads.execute(() -> run(job));
        LOG.info("Redrive job {} started for {}", job.id(), selection);
        return job.snapshot();
    }

    public synchronized Optional<RedriveJob.Snapshot> find(String id) {
        prune();
        return Optional.ofNullable(jobs.get(id)).map(RedriveJob::snapshot);
    }

    /** Running jobs first, then the newest. */
    public synchronized List<RedriveJob.Snapshot> list() {
        prune();
        List<RedriveJob.Snapshot> all = new ArrayList<>(jobs.values().stream().map(RedriveJob::snapshot).toList());
        all.sort(Comparator.comparing((RedriveJob.Snapshot job) -> job.status() != RedriveJob.Status.RUNNING)
                .thenComparing(RedriveJob.Snapshot::startedAt, Comparator.reverseOrder()));
        return all;
    }

    /** Stops the job before its next letter; what it did stays done. Empty if there is no such job. */
    public synchronized Optional<RedriveJob.Snapshot> cancel(String id) {
        RedriveJob job = jobs.get(id);
        if (job == null) {
            return Optional.empty();
        }
        job.requestCancel();
        return Optional.of(job.snapshot());
    }

    /** Drops finished jobs past their retention, then the oldest finished ones beyond the count kept. */
    private void prune() {
        Instant expired = clock.instant().minus(settings.getRetention());
        jobs.values().removeIf(job -> !job.running() && job.finishedAt().isBefore(expired));
        long finished = jobs.values().stream().filter(job -> !job.running()).count();
        var oldestFirst = jobs.values().iterator();
        while (finished > settings.getRetainedJobs() && oldestFirst.hasNext()) {
            if (!oldestFirst.next().running()) {
                oldestFirst.remove();
                finished--;
            }
        }
    }

    /** The job's own thread. */
    private void run(RedriveJob job) {
        RedriveJob.Status end = RedriveJob.Status.DONE;
        String error = null;
        try {
            // Ids only, then each letter read when its turn comes: one body in memory at a time, and a letter that
            // an overlapping job redrove meanwhile is seen as such instead of being sent twice.
            List<String> ids = store.openIds(job.selection(), LETTERS_PER_JOB);
            job.listed(ids.size());
            for (String id : ids) {
                if (job.cancelRequested() || !limiter.acquirePermission()) {
                    end = RedriveJob.Status.CANCELLED;
                    error = job.cancelRequested() ? null : "interrupted: sfcache is stopping";
                    break;
                }
                redriveOne(job, id);
            }
        } catch (RuntimeException e) {
            end = RedriveJob.Status.FAILED;
            error = e.toString();
            LOG.warn("Redrive job {} failed", job.id(), e);
        }
        job.finish(end, error, clock.instant());
        LOG.info("Redrive {}", job.snapshot());
    }

    private void redriveOne(RedriveJob job, String id) {
        String sobject = "unknown";
        RedriveJob.Outcome outcome;
        String reason = null;
        try {
            Optional<ObjectNode> letter = store.find(id);
            sobject = letter.map(l -> l.path("sobject").asText("unknown")).orElse(sobject);
            if (letter.isEmpty() || !"OPEN".equals(letter.get().path("status").asText())) {
                outcome = RedriveJob.Outcome.SKIPPED;
            } else {
                Exchange result = producer.send("direct:sync-change?synchronous=true", toExchange(letter.get()));
                if (result.getProperty(SyncHeaders.DEAD_LETTERED) != null) {
                    outcome = RedriveJob.Outcome.FAILED_AGAIN;
                    reason = result.getProperty(SyncHeaders.DEAD_LETTERED, String.class);
                } else if (result.isFailed()) {
                    outcome = RedriveJob.Outcome.FAILED_TRANSIENTLY;
                    reason = String.valueOf(result.getException());
                } else {
                    store.markRedriven(id, clock.instant());
                    outcome = RedriveJob.Outcome.SUCCEEDED;
                }
            }
        } catch (RuntimeException e) {
            // Reading or closing the dead letter failed (Cosmos): it stays open, the job goes on with the next.
            outcome = RedriveJob.Outcome.FAILED_TRANSIENTLY;
            reason = e.toString();
        }
        job.counted(id, outcome, reason);
        meters.redriven(sobject, outcome);
    }

    /** The original message again: same body, id, content type and properties, so it is the same dead letter. */
    private Exchange toExchange(ObjectNode letter) {
        Exchange exchange = new DefaultExchange(camel);
        String body = letter.path("body").asText("");
        exchange.getMessage().setBody("base64".equals(letter.path("bodyEncoding").asText())
                ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8));
        exchange.getMessage().setHeader(DeadLetters.MESSAGE_ID, letter.path("messageId").asText(null));
        exchange.getMessage().setHeader(DeadLetters.CONTENT_TYPE, letter.path("contentType").asText(null));
        Map<String, Object> properties = new LinkedHashMap<>();
        letter.path("applicationProperties").fields()
                .forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        exchange.getMessage().setHeader(DeadLetters.APPLICATION_PROPERTIES, properties);
        JsonNode source = letter.get("source");
        exchange.setProperty(SyncHeaders.SOURCE, source == null ? ChangeSource.QUEUE
                : ChangeSource.valueOf(source.asText()));
        return exchange;
    }

    /** Running jobs end as CANCELLED at their next letter (the interrupt ends their wait for a turn). */
    @Override
    public void destroy() {
        threads.shutdownNow();
    }
}
