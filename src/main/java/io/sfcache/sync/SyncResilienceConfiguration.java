package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.azure.CosmosProperties;
import java.time.Clock;
import org.apache.camel.LoggingLevel;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/** How the sync routes ride out outages, built from the typed settings so the routes only name them. */
@Configuration(proxyBeanMethods = false)
public class SyncResilienceConfiguration {

    /**
     * Each concurrent Service Bus call blocks a thread of Reactor's bounded-elastic pool until its change is stored
     * and announced, and the Azure SDKs need threads of that pool to finish the job: with too few left, the pipeline
     * stalls (seen at 16 calls on 2 cores). Refuse to start rather than hang.
     */
    @Bean
    SmartInitializingSingleton concurrencyFitsThreadPool(SyncProperties sync) {
        return () -> {
            int calls = sync.getMaxConcurrentCalls();
            int pool = Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE;
            if (calls * 2 > pool) {
                throw new IllegalStateException("sfcache.sync.max-concurrent-calls=" + calls + " needs at least "
                        + calls * 2 + " threads in Reactor's bounded-elastic pool, which has " + pool
                        + " (10 per core): "
                        + "lower it to " + pool / 2
                        + ", or start the JVM with -Dreactor.schedulers.defaultBoundedElasticSize="
                        + calls * 2);
            }
        };
    }

    /** In-place retries of a transient failure ({@code sync-change}'s on-transient-failure clause). */
    @Bean
    RedeliveryPolicy transientRetryPolicy(SyncProperties sync) {
        SyncProperties.Retry retry = sync.getRetry();
        RedeliveryPolicy policy = new RedeliveryPolicy();
        policy.setMaximumRedeliveries(retry.getMaxAttempts());
        policy.setRedeliveryDelay(retry.getInitialDelay().toMillis());
        policy.setMaximumRedeliveryDelay(retry.getMaxDelay().toMillis());
        policy.setUseExponentialBackOff(true);
        policy.setBackOffMultiplier(retry.getMultiplier());
        policy.setRetryAttemptedLogLevel(LoggingLevel.WARN);
        policy.setRetriesExhaustedLogLevel(LoggingLevel.WARN);
        return policy;
    }

    /**
     * The circuit breaker on {@code servicebus-ingest} (Camel's ThrottlingExceptionRoutePolicy). A message that fails
     * the route has already outlasted its in-place retries (rejected changes are handled by the dead-letter channel
     * and never fail the route), so every failure here means a dependency is down. It also opens as soon as a
     * dependency check finds one DOWN, and closes only once both answer again.
     */
    @Bean
    IngestCircuitBreaker ingestCircuitBreaker(SyncProperties sync, DependencyWatch dependencies) {
        SyncProperties.CircuitBreaker settings = sync.getCircuitBreaker();
        IngestCircuitBreaker breaker = new IngestCircuitBreaker(
                settings.getFailureThreshold(),
                settings.getFailureWindow().toMillis(),
                settings.getHalfOpenAfter().toMillis());
        breaker.setHalfOpenHandler(dependencies);
        dependencies.whenDown(breaker::pause);
        return breaker;
    }

    @Bean
    DependencyWatch dependencyWatch(
            CosmosAsyncClient cosmos,
            EventHubProducerAsyncClient eventHubs,
            CosmosProperties store,
            SyncProperties sync,
            Clock clock,
            MeterRegistry meters) {
        return new DependencyWatch(cosmos, eventHubs, store.getDatabase(), sync.getDependencyCheck(), clock, meters);
    }

    /** Readiness: reads need Cosmos DB. */
    @Bean
    HealthIndicator cosmosDb(DependencyWatch dependencies) {
        return () -> dependencies.health(DependencyWatch.Dependency.COSMOS_DB);
    }

    /** Only the sync group: reads go on without Event Hubs. */
    @Bean
    HealthIndicator eventHubs(DependencyWatch dependencies) {
        return () -> dependencies.health(DependencyWatch.Dependency.EVENT_HUBS);
    }
}
