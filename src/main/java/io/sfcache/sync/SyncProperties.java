package io.sfcache.sync;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** {@code sfcache.sync.*}: which objects are synced and how the pipeline consumes, retries and dead-letters. */
@Validated
@ConfigurationProperties("sfcache.sync")
public class SyncProperties {

    /**
     * Monitored Salesforce objects by API name. Each needs a contract file {@code <lower-case name>.schema.json} in
     * {@link #contractsLocation} and gets its own route ({@code sync-<lower-case name>}) and Cosmos container.
     */
    @NotEmpty
    private List<
                    @Pattern(regexp = "[A-Za-z][A-Za-z0-9_]{0,79}", message = "must be a Salesforce object API name")
                    String>
            objects = new ArrayList<>(List.of("Account", "Contact", "Opportunity"));

    /** Where the data contracts are: a classpath: or file: location ending in '/', e.g. a mounted ConfigMap. */
    @NotBlank
    @Pattern(regexp = ".*/", message = "must end with '/'")
    private String contractsLocation = "classpath:contracts/objects/";

    /** Messages processed at once by one instance. */
    @Min(1)
    @Max(256)
    private int maxConcurrentCalls = 8;

    /**
     * Messages the Service Bus client fetches ahead; 0 leaves it to the SDK. At most 256: the SDK's receive link
     * buffers deliveries not yet asked for in a Reactor sink of 256 (reactor.bufferSize.small); a deeper prefetch
     * overflowed it against the stand-in (500: half the runs), the link closed and the messages it held waited out
     * their locks (docs/benchmarks.md).
     */
    @Min(0)
    @Max(value = 256, message = "must be at most 256, the Service Bus SDK's receive buffer")
    private int prefetch = 0;

    /** How long a message's lock is renewed while it is being processed or retried. */
    @NotNull
    private Duration maxLockRenewal = Duration.ofMinutes(30);

    /** Larger messages are dead-lettered as TOO_LARGE (Cosmos items are limited to 2 MB). */
    @Min(1024)
    @Max(2_000_000)
    private int maxMessageBytes = 1_048_576;

    /** Cosmos container of the dead letters. */
    @NotBlank
    private String deadLetterContainer = "dead-letters";

    /** Cosmos container of sfcache's own bookkeeping (heartbeats per object). */
    @NotBlank
    private String stateContainer = "sync-state";

    @Valid
    private final Batch batch = new Batch();

    @Valid
    private final Retry retry = new Retry();

    @Valid
    private final CircuitBreaker circuitBreaker = new CircuitBreaker();

    @Valid
    private final DependencyCheck dependencyCheck = new DependencyCheck();

    /**
     * Cosmos DB and Event Hubs are asked on their own whether they answer, so that one that hangs (connections
     * accepted, no reply) is told from one that is slow: DOWN after {@code failuresBeforeDown} checks in a row got no
     * answer within {@code timeout}, which takes at most failuresBeforeDown x (interval + timeout), 40 s by default.
     */
    public static class DependencyCheck {
        @NotNull
        private Duration interval = Duration.ofSeconds(15);
        /** How long one check waits for an answer. */
        @NotNull
        private Duration timeout = Duration.ofSeconds(5);

        @Min(1)
        private int failuresBeforeDown = 2;

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public int getFailuresBeforeDown() {
            return failuresBeforeDown;
        }

        public void setFailuresBeforeDown(int failuresBeforeDown) {
            this.failuresBeforeDown = failuresBeforeDown;
        }
    }

    @Valid
    private final Redrive redrive = new Redrive();

    /**
     * Redrive jobs: dead letters go through the sync flow again in the background, at a bounded rate shared by all
     * of this instance's jobs, so the live flow keeps its latency.
     */
    public static class Redrive {
        /** Dead letters sent through per second by this instance, all jobs together. */
        @Min(1)
        @Max(1000)
        private int ratePerSecond = 20;
        /** Jobs running at once (each a thread, mostly waiting for its turn); one more is refused. */
        @Min(1)
        @Max(16)
        private int maxRunningJobs = 4;
        /** How long a finished job's result can still be read. */
        @NotNull
        private Duration retention = Duration.ofHours(24);
        /** Most finished jobs kept; the oldest go first. */
        @Min(1)
        @Max(1000)
        private int retainedJobs = 100;
        /**
         * How often a running job's progress is written to sync-state for the other replicas (and a cancel asked of
         * another replica is seen); a job not written for three of these is reported as stopped with its replica.
         */
        @NotNull
        private Duration shareInterval = Duration.ofSeconds(5);

        public Duration getShareInterval() {
            return shareInterval;
        }

        public void setShareInterval(Duration shareInterval) {
            this.shareInterval = shareInterval;
        }

        public int getRatePerSecond() {
            return ratePerSecond;
        }

        public void setRatePerSecond(int ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
        }

        public int getMaxRunningJobs() {
            return maxRunningJobs;
        }

        public void setMaxRunningJobs(int maxRunningJobs) {
            this.maxRunningJobs = maxRunningJobs;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public int getRetainedJobs() {
            return retainedJobs;
        }

        public void setRetainedJobs(int retainedJobs) {
            this.retainedJobs = retainedJobs;
        }
    }

    /**
     * When messages keep going back to Service Bus because a dependency is down, stop consuming instead of spending
     * every message's delivery count; resume once Cosmos and Event Hubs answer again.
     */
    public static class CircuitBreaker {
        /** Failed messages within the window that open the breaker. */
        @Min(1)
        private int failureThreshold = 3;

        @NotNull
        private Duration failureWindow = Duration.ofMinutes(2);
        /** How often the paused consumer checks whether the dependencies answer again. */
        @NotNull
        private Duration halfOpenAfter = Duration.ofSeconds(30);

        public int getFailureThreshold() {
            return failureThreshold;
        }

        public void setFailureThreshold(int failureThreshold) {
            this.failureThreshold = failureThreshold;
        }

        public Duration getFailureWindow() {
            return failureWindow;
        }

        public void setFailureWindow(Duration failureWindow) {
            this.failureWindow = failureWindow;
        }

        public Duration getHalfOpenAfter() {
            return halfOpenAfter;
        }

        public void setHalfOpenAfter(Duration halfOpenAfter) {
            this.halfOpenAfter = halfOpenAfter;
        }
    }

    /**
     * Changes in flight for the same object are stored together: one readMany of their current versions, one bulk
     * request of conditional writes. Nothing waits to fill a batch: a batch is what arrived while the previous ones
     * were being written, so a lone change goes at once and a backlog goes in large batches.
     */
    public static class Batch {
        /** Most changes in one batch (Cosmos bulk sends at most 100 operations per request). */
        @Min(1)
        @Max(1000)
        private int maxSize = 100;
        /**
         * Reads (and writes) of one object's batches running at once. 1: while one runs, the next batch gathers
         * everything that queued, so batches are largest and Cosmos costs least per change (the drain benchmark: 2
         * halved the batches and doubled the Cosmos client's CPU per change, 1.0 ms against 2.0).
         */
        @Min(1)
        @Max(16)
        private int maxInFlight = 1;

        public int getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(int maxSize) {
            this.maxSize = maxSize;
        }

        public int getMaxInFlight() {
            return maxInFlight;
        }

        public void setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }
    }

    /**
     * Transient failures (Cosmos or Event Hubs unreachable, throttled, timing out) are retried in place, with the
     * message lock held, then the message is abandoned so Service Bus redelivers it.
     */
    public static class Retry {
        @Min(0)
        private int maxAttempts = 10;

        @NotNull
        private Duration initialDelay = Duration.ofSeconds(1);

        @NotNull
        private Duration maxDelay = Duration.ofSeconds(30);

        @DecimalMin("1.0")
        private double multiplier = 2.0;

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }
    }

    public DependencyCheck getDependencyCheck() {
        return dependencyCheck;
    }

    public List<String> getObjects() {
        return objects;
    }

    public void setObjects(List<String> objects) {
        this.objects = objects;
    }

    public String getContractsLocation() {
        return contractsLocation;
    }

    public void setContractsLocation(String contractsLocation) {
        this.contractsLocation = contractsLocation;
    }

    public int getMaxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    public void setMaxConcurrentCalls(int maxConcurrentCalls) {
        this.maxConcurrentCalls = maxConcurrentCalls;
    }

    public int getPrefetch() {
        return prefetch;
    }

    public void setPrefetch(int prefetch) {
        this.prefetch = prefetch;
    }

    public Duration getMaxLockRenewal() {
        return maxLockRenewal;
    }

    public void setMaxLockRenewal(Duration maxLockRenewal) {
        this.maxLockRenewal = maxLockRenewal;
    }

    public int getMaxMessageBytes() {
        return maxMessageBytes;
    }

    public void setMaxMessageBytes(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    public String getDeadLetterContainer() {
        return deadLetterContainer;
    }

    public void setDeadLetterContainer(String deadLetterContainer) {
        this.deadLetterContainer = deadLetterContainer;
    }

    public String getStateContainer() {
        return stateContainer;
    }

    public void setStateContainer(String stateContainer) {
        this.stateContainer = stateContainer;
    }

    public Batch getBatch() {
        return batch;
    }

    public Retry getRetry() {
        return retry;
    }

    public CircuitBreaker getCircuitBreaker() {
        return circuitBreaker;
    }

    public Redrive getRedrive() {
        return redrive;
    }
}
