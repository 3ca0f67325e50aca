package io.sfcache.salesforce;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.InvalidReplayIdException;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What goes wrong with the Change Data Capture subscriptions, and what follows. An event that cannot be handed to the
 * sync flow halts its object (later events wait: the stored position must not pass it) and resubscribes from the
 * stored replay id after {@code resubscribe-delay} ({@code cdc-resubscribe-later} route). A replay id Salesforce rejects
 * is forgotten, counted, and resubscribed from the latest event (which reads the skipped window again). The last
 * problem per object is kept for health ({@code changeDataCapture}) until an event is handled again.
 */
@Component("cdcFailures")
public class CdcFailures {

    private static final Logger LOG = LoggerFactory.getLogger(CdcFailures.class);
    /** The {@code cdc-resubscribe-later} route: waits {@code resubscribe-delay}, then resubscribes the object. */
    static final String RESUBSCRIBE_LATER = "seda:cdc-resubscribe-later";

    private final ReplayPositions positions;
    private final ProducerTemplate producer;
    private final MeterRegistry meters;
    private final Clock clock;
    private final long resubscribeDelayMillis;
    /** Objects whose subscription failed to hand over an event: their later events wait for a resubscribe. */
    private final Set<String> halted = ConcurrentHashMap.newKeySet();

    private final Map<String, String> lastError = new ConcurrentHashMap<>();

    public CdcFailures(
            ReplayPositions positions,
            ProducerTemplate producer,
            MeterRegistry meters,
            Clock clock,
            SalesforceProperties salesforce) {
        this.positions = positions;
        this.producer = producer;
        this.meters = meters;
        this.clock = clock;
        this.resubscribeDelayMillis = salesforce.getCdc().getResubscribeDelay().toMillis();
    }

    /** {@code cdc-object} route: should this event wait for a resubscribe (an earlier one of the object failed)? */
    public boolean isHalted(String sobject) {
        return halted.contains(sobject);
    }

    /** {@code cdc-object} route, after an event was handled and its position kept: earlier problems are over. */
    public void handled(String sobject) {
        lastError.remove(sobject);
    }

    /**
     * {@code cdc-object} route, after an event could not be handed to the sync flow: later events of the object must
     * not move the stored position past it; the route then resubscribes from the stored replay id.
     */
    public void failed(Exchange exchange) {
        String sobject = exchange.getMessage().getHeader("SfcacheCdcObject", String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        halted.add(sobject);
        lastError.put(sobject, "event not handled, resubscribing: " + cause);
        meters.counter("sfcache.cdc.resubscribes", "sobject", sobject, "reason", "failure")
                .increment();
    }

    /** {@code cdc-resubscribe-later} route: how long to wait before subscribing again after a failure. */
    public long resubscribeDelay() {
        return resubscribeDelayMillis;
    }

    /** A new subscription: its events flow again. */
    void resumed(String sobject) {
        halted.remove(sobject);
    }

    /** A problem to show in health until an event of the object is handled. */
    public void problem(String sobject, String problem) {
        lastError.put(sobject, problem);
    }

    /** {@code cdc-catch-up} route: reading the window before a subscription from the latest event failed. */
    public void catchUpFailed(String sobject, Throwable failure) {
        lastError.put(sobject, "reconciliation failed: " + failure.getMessage());
        LOG.warn("Reconciling {} before its subscription from the latest event failed", sobject, failure);
    }

    public Map<String, String> lastErrors() {
        return Map.copyOf(lastError);
    }

    /** The exception handler of the object's subscription (the {@code cdc-object} template's endpoint names it). */
    ExceptionHandler replayGuard(String sobject) {
        return new ReplayGuard(sobject);
    }

    /**
     * A subscription's exception handler: a rejected replay id (expired, corrupted) means the position is lost.
     * Resubscribe from the latest event and reconcile the window that may have been skipped.
     */
    private final class ReplayGuard implements ExceptionHandler {
        private final String sobject;

        ReplayGuard(String sobject) {
            this.sobject = sobject;
        }

        @Override
        public void handleException(Throwable exception) {
            handleException(exception.getMessage(), null, exception);
        }

        @Override
        public void handleException(String message, Throwable exception) {
            handleException(message, null, exception);
        }

        @Override
        public void handleException(String message, Exchange exchange, Throwable exception) {
            if (exception instanceof InvalidReplayIdException) {
                positionLost(sobject);
            } else {
                lastError.put(sobject, message + ": " + exception);
                LOG.warn("Change Data Capture for {}: {}", sobject, message, exception);
            }
        }
    }

    private void positionLost(String sobject) {
        LOG.warn(
                "Salesforce rejected the stored replay id of {}: resubscribing from the latest event and "
                        + "reconciling what may have been skipped",
                ReplayPositions.channel(sobject));
        meters.counter("sfcache.cdc.replay.lost", "sobject", sobject).increment();
        lastError.put(sobject, "replay id rejected at " + clock.instant() + "; reconciled");
        halted.add(sobject);
        positions.forget(sobject);
        // Called on the subscriber's own thread: the resubscribe happens on the route's.
        producer.sendBody(RESUBSCRIBE_LATER, sobject);
    }
}
