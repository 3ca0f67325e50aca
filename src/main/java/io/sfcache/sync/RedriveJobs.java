package io.sfcache.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Redrive as background jobs, one per selection: a request starts a job and returns at once; a request for a
 * selection whose job is still running joins that job instead of starting a second one. Jobs run on their own few
 * threads (never a GraphQL request's or the consumer's), and all of them together send at most
 * {@code sfcache.sync.redrive.rate-per-second} dead letters per second through the sync flow, so a large redrive does
 * not take the live flow's capacity. A job runs on the replica that started it, and is shared through sync-state
 * ({@link RedriveJobDocuments}): every {@code share-interval} its progress is written there, so any replica finds,
 * lists, joins and cancels it, and a restart forgets none. Finished jobs are kept for {@code retention}, at most
 * {@code retained-jobs} of them per replica.
 */
@Component
public class RedriveJobs implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(RedriveJobs.class);
    /** Exchange property of the redrive-job route: the {@link RedriveJob}. */
    private static final String JOB = "SfcacheRedriveJob";
    /** One job's upper bound; start another after it for more. */
    static final int LETTERS_PER_JOB = 10_000;

    /** Another selection while {@code max-running-jobs} are running: wait, or cancel one. */
    public static class TooManyJobsException extends IllegalStateException {
        TooManyJobsException(String message) {
            super(message);
        }
    }

    private final DeadLetterStore store;
    private final RedriveJobDocuments shared;
    /** This JVM, as the replica running its jobs: new at each start. */
    private final String replica = UUID.randomUUID().toString();
    /** Writes the running jobs' progress and reads cancels asked of other replicas. */
    private final ScheduledExecutorService sharing;

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

    public RedriveJobs(
            DeadLetterStore store,
            RedriveJobDocuments shared,
            ProducerTemplate producer,
            CamelContext camel,
            SyncMeters meters,
            Clock clock,
            SyncProperties sync) {
        this.store = store;
        this.shared = shared;
        this.producer = producer;
        this.camel = camel;
        this.meters = meters;
        this.clock = clock;
        this.settings = sync.getRedrive();
        // One permit every 1/rate seconds rather than rate permits a second: letters go out evenly, not in a burst at
        // the start of each second. The wait limit only has to outlast every running job's turn (each at most a
        // second), so a refused permit means the thread was interrupted.
        this.limiter = RateLimiter.of(
                "redrive",
                RateLimiterConfig.custom()
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
        this.sharing = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "redrive-jobs-sharing");
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.getShareInterval().toMillis();
        sharing.scheduleWithFixedDelay(this::shareRunning, every, every, TimeUnit.MILLISECONDS);
        // A running job is an exchange of the redrive-job route: it ends as soon as Camel starts stopping, so that
        // Camel's shutdown does not wait for it.
        EventNotifierSupport onStopping = new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                stopJobs();
            }
        };
        camel.getManagementStrategy().addEventNotifier(onStopping);
        ServiceHelper.startService(onStopping);
    }

    /** Starts a job for the selection, or returns the job already running for it. */
    public synchronized RedriveJob.Snapshot start(DeadLetterStore.Filter selection) {
        prune();
        Optional<RedriveJob> running = jobs.values().stream()
                .filter(job -> job.running() && job.selection().equals(selection))
                .findFirst();
        if (running.isPresent()) {
            return running.get().snapshot();
        }
        Optional<RedriveJob.Snapshot> elsewhere = sharedJobs().stream()
                .filter(job -> job.status() == RedriveJob.Status.RUNNING
                        && job.selection().equals(selection))
                .findFirst();
        if (elsewhere.isPresent()) {
            return elsewhere.get();
        }
        if (jobs.values().stream().filter(RedriveJob::running).count() >= settings.getMaxRunningJobs()) {
            throw new TooManyJobsException(settings.getMaxRunningJobs() + " redrive jobs are running on this instance "
                    + "(sfcache.sync.redrive.max-running-jobs): wait for one to finish or cancel one");
        }
        RedriveJob job = new RedriveJob(selection, clock.instant());
        jobs.put(job.id(), job);
        share(job);
        threads.execute(() -> run(job));
        LOG.info("Redrive job {} started for {}", job.id(), selection);
        return job.snapshot();
    }

    /** This replica's job, else another replica's as last shared. */
    public synchronized Optional<RedriveJob.Snapshot> find(String id) {
        prune();
        RedriveJob local = jobs.get(id);
        if (local != null) {
            return Optional.of(local.snapshot());
        }
        Instant now = clock.instant();
        return shared.find(id).map(found -> found.asSeenAt(now, stoppedAfter())).filter(job -> !expired(job, now));
    }

    /** Every replica's jobs: running ones first, then the newest. */
    public synchronized List<RedriveJob.Snapshot> list() {
        prune();
        List<RedriveJob.Snapshot> all =
                new ArrayList<>(jobs.values().stream().map(RedriveJob::snapshot).toList());
        all.addAll(sharedJobs());
        all.sort(Comparator.comparing((RedriveJob.Snapshot job) -> job.status() != RedriveJob.Status.RUNNING)
                .thenComparing(RedriveJob.Snapshot::startedAt, Comparator.reverseOrder()));
        return all;
    }

    /** Stops the job before its next letter; what it did stays done. Empty if there is no such job. */
    public synchronized Optional<RedriveJob.Snapshot> cancel(String id) {
        RedriveJob job = jobs.get(id);
        if (job == null) {
            // Another replica's: it stops the job when it next shares its progress.
            Optional<RedriveJob.Snapshot> elsewhere = find(id);
            if (elsewhere
                    .filter(found -> found.status() == RedriveJob.Status.RUNNING)
                    .isPresent()) {
                shared.requestCancel(id);
            }
            return elsewhere;
        }
        job.requestCancel();
        return Optional.of(job.snapshot());
    }

    /**
     * Other replicas' jobs as shared (not this one's: its own are read from memory), past retention left out and
     * deleted: a replica that stopped leaves its documents behind.
     */
    private List<RedriveJob.Snapshot> sharedJobs() {
        Instant now = clock.instant();
        Set<String> local = jobs.keySet();
        List<RedriveJob.Snapshot> others = new ArrayList<>();
        try {
            for (RedriveJobDocuments.Shared found : shared.all()) {
                RedriveJob.Snapshot job = found.asSeenAt(now, stoppedAfter());
                if (local.contains(job.id())) {
                    continue;
                }
                if (expired(job, now)) {
                    shared.delete(job.id());
                } else {
                    others.add(job);
                }
            }
        } catch (RuntimeException e) {
            // Cosmos unreachable: this replica's own jobs are still worth an answer.
            LOG.warn("Other replicas' redrive jobs could not be read: {}", e.toString());
        }
        return others;
    }

    private boolean expired(RedriveJob.Snapshot job, Instant now) {
        return job.finishedAt() != null && job.finishedAt().isBefore(now.minus(settings.getRetention()));
    }

    private java.time.Duration stoppedAfter() {
        return settings.getShareInterval().multipliedBy(3);
    }

    /** Timer: each running job's progress for the other replicas, and the cancels they asked for. */
    private void shareRunning() {
        List<RedriveJob> running;
        synchronized (this) {
            running = jobs.values().stream().filter(RedriveJob::running).toList();
        }
        for (RedriveJob job : running) {
            share(job);
            try {
                if (shared.cancelRequested(job.id())) {
                    job.requestCancel();
                }
            } catch (RuntimeException e) {
                LOG.warn("Cancel requests for redrive job {} could not be read: {}", job.id(), e.toString());
            }
        }
    }

    /** Never fails the job: a write that did not land is made again at the next interval or at the end. */
    private void share(RedriveJob job) {
        try {
            shared.write(job.snapshot(), replica, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("Redrive job {} could not be shared with the other replicas: {}", job.id(), e.toString());
        }
    }

    /** Drops finished jobs past their retention, then the oldest finished ones beyond the count kept. */
    private void prune() {
        Instant expired = clock.instant().minus(settings.getRetention());
        List<RedriveJob> dropped = new ArrayList<>(jobs.values().stream()
                .filter(job -> !job.running() && job.finishedAt().isBefore(expired))
                .toList());
        long finished = jobs.values().stream().filter(job -> !job.running()).count() - dropped.size();
        for (RedriveJob job : jobs.values()) {
            if (finished <= settings.getRetainedJobs()) {
                break;
            }
            if (!job.running() && !dropped.contains(job)) {
                dropped.add(job);
                finished--;
            }
        }
        for (RedriveJob job : dropped) {
            jobs.remove(job.id());
            try {
                shared.delete(job.id());
            } catch (RuntimeException e) {
                LOG.warn("Redrive job {} could not be deleted from sync-state: {}", job.id(), e.toString());
            }
        }
    }

    /**
     * The job's own thread: the job is one exchange of the {@code redrive-job} route (redrive.camel.yaml), which
     * lists its letters and sends each through the sync flow when the rate limiter gives it a turn; this says how
     * it ended.
     */
    private void run(RedriveJob job) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(JOB, job);
        Exception failure = producer.send("direct:redrive-job", exchange).getException();
        RedriveJob.Status end = RedriveJob.Status.DONE;
        String error = null;
        if (failure != null && ObjectHelper.getException(Stopped.class, failure) != null) {
            end = RedriveJob.Status.CANCELLED;
            error = job.cancelRequested() ? null : "interrupted: sfcache is stopping";
        } else if (failure != null) {
            end = RedriveJob.Status.FAILED;
            error = failure.toString();
            LOG.warn("Redrive job {} failed", job.id(), failure);
        }
        job.finish(end, error, clock.instant());
        share(job);
        LOG.info("Redrive {}", job.snapshot());
    }

    /** Route step: the ids of the job's open dead letters, oldest first (at most {@value #LETTERS_PER_JOB}). */
    public List<String> letters(Exchange exchange) {
        RedriveJob job = exchange.getProperty(JOB, RedriveJob.class);
        // Ids only, then each letter read when its turn comes: one body in memory at a time, and a letter that an
        // overlapping job redrove meanwhile is seen as such instead of being sent twice.
        List<String> ids = store.openIds(job.selection(), LETTERS_PER_JOB);
        job.listed(ids.size());
        return ids;
    }

    /** Route step before each letter: waits for the shared rate limiter; a cancelled or interrupted job stops. */
    public void awaitTurn(Exchange exchange) {
        RedriveJob job = exchange.getProperty(JOB, RedriveJob.class);
        if (job.cancelRequested() || !limiter.acquirePermission()) {
            throw new Stopped();
        }
    }

    /** Route step: the dead letter with the body's id, read now (it may be gone or closed since it was listed). */
    public void read(Exchange exchange) {
        Letter letter = new Letter(exchange.getMessage().getBody(String.class));
        exchange.getMessage().setBody(letter);
        letter.document = store.find(letter.id).orElse(null);
        if (letter.document != null) {
            letter.sobject = letter.document.path("sobject").asText(letter.sobject);
        }
    }

    /** Route predicate: the letter is still open, so it goes through again; otherwise it is skipped. */
    public boolean isOpen(Letter letter) {
        return letter.document != null
                && "OPEN".equals(letter.document.path("status").asText());
    }

    /**
     * Route step: the letter's original message through the sync flow again, on this thread. Stored: the letter is
     * closed (REDRIVEN). Rejected again: its dead letter was updated. A dependency failed: it stays open.
     */
    public void resubmit(Letter letter) {
        Exchange result = producer.send("direct:sync-change?synchronous=true", toExchange(letter.document));
        if (result.getProperty(SyncHeaders.DEAD_LETTERED) != null) {
            letter.outcome(
                    RedriveJob.Outcome.FAILED_AGAIN, result.getProperty(SyncHeaders.DEAD_LETTERED, String.class));
        } else if (result.isFailed()) {
            letter.outcome(RedriveJob.Outcome.FAILED_TRANSIENTLY, String.valueOf(result.getException()));
        } else {
            store.markRedriven(letter.id, clock.instant());
            letter.outcome(RedriveJob.Outcome.SUCCEEDED, null);
        }
    }

    /** Route step: no longer open when its turn came (redriven meanwhile by an overlapping job or a replica). */
    public void skip(Letter letter) {
        letter.outcome(RedriveJob.Outcome.SKIPPED, null);
    }

    /** Route step when reading or closing the letter failed (Cosmos): it stays open, the job goes on. */
    public void failedTransiently(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage()
                .getBody(Letter.class)
                .outcome(RedriveJob.Outcome.FAILED_TRANSIENTLY, String.valueOf(failure));
    }

    /** Route step after each letter: counted in the job and in {@code sfcache.redrive.letters}. */
    public void counted(Exchange exchange) {
        Letter letter = exchange.getMessage().getBody(Letter.class);
        exchange.getProperty(JOB, RedriveJob.class).counted(letter.id, letter.outcome, letter.reason);
        meters.redriven(letter.sobject, letter.outcome);
    }

    /** The original message again: same body, id, content type and properties, so it is the same dead letter. */
    private Exchange toExchange(ObjectNode letter) {
        Exchange exchange = new DefaultExchange(camel);
        String body = letter.path("body").asText("");
        exchange.getMessage()
                .setBody(
                        "base64".equals(letter.path("bodyEncoding").asText())
                                ? Base64.getDecoder().decode(body)
                                : body.getBytes(StandardCharsets.UTF_8));
        exchange.getMessage()
                .setHeader(DeadLetters.MESSAGE_ID, letter.path("messageId").asText(null));
        exchange.getMessage()
                .setHeader(DeadLetters.CONTENT_TYPE, letter.path("contentType").asText(null));
        Map<String, Object> properties = new LinkedHashMap<>();
        letter.path("applicationProperties")
                .fields()
                .forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
        exchange.getMessage().setHeader(DeadLetters.APPLICATION_PROPERTIES, properties);
        JsonNode source = letter.get("source");
        exchange.setProperty(
                SyncHeaders.SOURCE, source == null ? ChangeSource.QUEUE : ChangeSource.valueOf(source.asText()));
        return exchange;
    }

    /**
     * When sfcache stops, running jobs end as CANCELLED at their next letter (the interrupt ends their wait for a
     * turn): at once when Camel starts stopping, so that its shutdown does not wait for their exchanges.
     */
    private void stopJobs() {
        sharing.shutdownNow();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void destroy() {
        stopJobs();
    }

    /** One dead letter on its way through a job (the body of the redrive-job route's split). */
    public static final class Letter {
        private final String id;
        private ObjectNode document;
        private String sobject = "unknown";
        private RedriveJob.Outcome outcome;
        private String reason;

        Letter(String id) {
            this.id = id;
        }

        void outcome(RedriveJob.Outcome what, String why) {
            outcome = what;
            reason = why;
        }

        @Override
        public String toString() {
            return "dead letter " + id + (outcome == null ? "" : " " + outcome);
        }
    }

    /** A job asked to stop, or sfcache stopping: the job's split ends before the next letter. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("redrive job stopped", null, false, false);
        }
    }
}
