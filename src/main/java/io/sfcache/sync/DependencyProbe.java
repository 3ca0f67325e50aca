package io.sfcache.sync;

import java.time.Duration;

import org.apache.camel.throttling.ThrottlingExceptionHalfOpenHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;

import io.sfcache.SfcacheProperties;

/**
 * Decides when the ingest circuit breaker may close: when Cosmos and Event Hubs answer again. Asking them directly
 * beats trying a message, which would spend its delivery count (and Camel's half-open trial re-opens on old
 * failures still inside the window).
 */
@Component
public class DependencyProbe implements ThrottlingExceptionHalfOpenHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DependencyProbe.class);

    private final CosmosAsyncClient cosmos;
    private final EventHubProducerAsyncClient eventHubs;
    private final String database;
    private final Duration timeout;

    public DependencyProbe(CosmosAsyncClient cosmos, EventHubProducerAsyncClient eventHubs,
            SfcacheProperties properties) {
        this.cosmos = cosmos;
        this.eventHubs = eventHubs;
        this.database = properties.getCosmos().getDatabase();
        this.timeout = properties.getCosmos().getRequestTimeout();
    }

    @Override
    public boolean isReadyToBeClosed() {
        try {
            cosmos.getDatabase(database).read().block(timeout);
            eventHubs.getEventHubProperties().block(timeout);
            LOG.info("Cosmos DB and Event Hubs answer again: resuming the Service Bus consumer");
            return true;
        } catch (RuntimeException stillDown) {
            LOG.warn("Dependencies still failing, consumer stays paused: {}", stillDown.getMessage());
            return false;
        }
    }
}
