package io.sfcache.salesforce;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.salesforce.InvalidReplayIdException;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jmx.export.annotation.ManagedAttribute;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.SyncState;

/**
 * Runs the Change Data Capture subscriptions (one route per object, from the {@code cdc-object} template): when,
 * from where, and what to do when the position is lost. A subscription starts from the replay id stored after the
 * last event sfcache handled; without one (first start, or a rejected id) it starts from the latest event and
 * reconciles the window it may have missed.
 */
@Component("cdcSubscriptions")
@ManagedResource(objectName = "io.sfcache:type=ChangeDataCapture",
        description = "Salesforce Change Data Capture subscriptions (fallback for the queue path)")
public class CdcSubscriptions implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(CdcSubscriptions.class);

    private final CamelContext camel;
    private final DataContracts contracts;
    private final SyncState syncState;
    private final Reconciler reconciler;
    private final ThrottlingExceptionRoutePolicy ingestBreaker;
    private final CdcProperties settings;
    private final MeterRegistry meters;
    private final Clock clock;
    /** Objects whose subscription failed to hand over an event: their later events wait for a resubscribe. */
    private final Set<String> halted = ConcurrentHashMap.newKeySet();
    private final Map<String, String> lastError = new ConcurrentHashMap<>();
    private volatile boolean operatorOn;
    private volatile Instant queueUnhealthySince;
    private volatile Instant queueHealthySince;
    /** Resubscribes and reconciliations run here, never on a consumer's own thread. */
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "cdc-subscriptions");
        thread.setDaemon(true);
        return thread;
    });

    public CdcSubscriptions(CamelContext camel, DataContracts contracts, SyncState syncState, Reconciler reconciler,
            ThrottlingExceptionRoutePolicy ingestCircuitBreaker, SalesforceProperties salesforce, MeterRegistry meters,
            Clock clock) {
        this.camel = camel;
        this.contracts = contracts;
        this.syncState = syncState;
        this.reconciler = reconciler;
        this.ingestBreaker = ingestCircuitBreaker;
        this.settings = salesforce.getCdc();
        this.meters = meters;
        this.clock = clock;
    }

    /** The change event channel of an object: /data/AccountChangeEvent, /data/Invoice__ChangeEvent. */
    public static String channel(String sobject) {
        return "/data/" + (sobject.endsWith("__c") ? sobject.substring(0, sobject.length() - 1) : sobject)
                + "ChangeEvent";
    }

    private static String routeId(DataContract contract) {
        return "cdc-" + contract.key();
    }

    // --- when to subscribe ---

    /** Called on a timer ({@code cdc-mode} route): starts or stops the subscriptions as the mode asks. */
    public void evaluate() {
        boolean wanted = switch (settings.getMode()) {
            case OFF -> false;
            case BOTH -> true;
            case FALLBACK -> operatorOn || queuePathNeedsHelp();
        };
        for (DataContract contract : contracts.all()) {
            boolean running = isRunning(contract);
            try {
                if (wanted && !running) {
                    start(contract);
                } else if (!wanted && running) {
                    stop(contract);
                }
            } catch (RuntimeException e) {
                // Recorded for health; the next check tries again.
                LOG.warn("Change Data Capture for {}: {}", contract.sobject(), e.getMessage());
            }
        }
    }

    /**
     * The queue path needs help when its consumer is paused (the circuit breaker is open) or when the publisher's
     * heartbeats stopped arriving, for longer than fallback-after; it is fine again after a quiet period.
     */
    private boolean queuePathNeedsHelp() {
        Instant now = clock.instant();
        boolean unhealthy = !"closed".equalsIgnoreCase(ingestBreaker.getStateAsString()) || heartbeatsOverdue(now);
        if (unhealthy) {
            queueHealthySince = null;
            if (queueUnhealthySince == null) {
                queueUnhealthySince = now;
            }
            return !Duration.between(queueUnhealthySince, now).minus(settings.getFallbackAfter()).isNegative();
        }
        queueUnhealthySince = null;
        if (queueHealthySince == null) {
            queueHealthySince = now;
        }
        boolean running = contracts.all().stream().anyMatch(this::isRunning);
        return running && Duration.between(queueHealthySince, now).compareTo(settings.getFallbackQuietPeriod()) < 0;
    }

    private boolean heartbeatsOverdue(Instant now) {
        return contracts.all().stream().anyMatch(contract -> syncState.lastHeartbeat(contract.sobject())
                .map(heartbeat -> heartbeat.receivedAt().isBefore(now.minus(settings.getFallbackAfter())))
                .orElse(false));
    }

    // --- operator switches (Hawtio / JMX) ---

    @ManagedOperation(description = "Subscribe now (FALLBACK mode), whatever the queue path's health")
    public void startSubscriptions() {
        operatorOn = true;
        evaluate();
    }

    @ManagedOperation(description = "Leave it to the queue path's health again (FALLBACK mode)")
    public void releaseSubscriptions() {
        operatorOn = false;
        evaluate();
    }

    @ManagedOperation(description = "Unsubscribe and subscribe again from the stored replay id, e.g. Account")
    public void resubscribe(String sobject) {
        DataContract contract = contracts.find(sobject).orElseThrow(() ->
                new IllegalArgumentException(sobject + " is not a monitored object"));
        stop(contract);
        start(contract);
    }

    @ManagedAttribute(description = "OFF, FALLBACK or BOTH")
    public String getMode() {
        return settings.getMode().name();
    }

    @ManagedAttribute(description = "Objects whose change events are being read")
    public String getActive() {
        return contracts.all().stream().filter(this::isRunning).map(DataContract::sobject).toList().toString();
    }

    @ManagedAttribute(description = "Last error per object, if any")
    public String getLastErrors() {
        return lastError.toString();
    }

    public Map<String, String> lastErrors() {
        return Map.copyOf(lastError);
    }

    public boolean isRunning(DataContract contract) {
        return camel.getRouteController().getRouteStatus(routeId(contract)) == ServiceStatus.Started;
    }

    // --- from where ---

    synchronized void start(DataContract contract) {
        String channel = channel(contract.sobject());
        Optional<String> replayId = syncState.replayId(channel);
        try {
            camel.removeRoute(routeId(contract));
            // The endpoint names it, and is resolved as the route is added.
            camel.getRegistry().bind("cdcReplayGuard-" + contract.key(), ExceptionHandler.class,
                    new ReplayGuard(contract));
            camel.addRouteFromTemplate(routeId(contract), "cdc-object", Map.of(
                    "sobject", contract.sobject(),
                    "key", contract.key(),
                    "channel", channel,
                    "position", replayId.map(id -> "replayPreset=CUSTOM&pubSubReplayId=RAW(" + id + ")")
                            .orElse("replayPreset=LATEST")));
            halted.remove(contract.sobject());
            camel.getRouteController().startRoute(routeId(contract));
        } catch (Exception e) {
            lastError.put(contract.sobject(), "could not subscribe: " + rootMessage(e));
            throw new IllegalStateException("subscribing to " + channel + " failed: " + rootMessage(e), e);
        }
        LOG.info("Subscribed to {} from {}", channel, replayId.map(id -> "replay id " + id).orElse("the latest event"));
        if (replayId.isEmpty()) {
            // Changes made before this subscription and not delivered by the queue would be missed: read them.
            reconcileSinceLastKnown(contract);
        }
    }

    synchronized void stop(DataContract contract) {
        try {
            camel.getRouteController().stopRoute(routeId(contract));
            camel.removeRoute(routeId(contract));
            LOG.info("Unsubscribed from {}", channel(contract.sobject()));
        } catch (Exception e) {
            lastError.put(contract.sobject(), "could not unsubscribe: " + e.getMessage());
        }
    }

    private void reconcileSinceLastKnown(DataContract contract) {
        Instant since = syncState.lastHeartbeat(contract.sobject()).map(SyncState.Heartbeat::sentAt)
                .orElse(clock.instant());
        background.execute(() -> {
            try {
                reconciler.reconcileAround(contract.sobject(), since);
            } catch (RuntimeException e) {
                lastError.put(contract.sobject(), "reconciliation failed: " + e.getMessage());
                LOG.warn("Reconciling {} since {} failed", contract.sobject(), since, e);
            }
        });
    }

    // --- when things go wrong ---

    /** Route step after an event was handled and its position kept: earlier problems of the object are over. */
    public void handled(String sobject) {
        lastError.remove(sobject);
    }

    /** Route step: should this event wait for a resubscribe (an earlier one of the object failed)? */
    public boolean isHalted(String sobject) {
        return halted.contains(sobject);
    }

    /**
     * Route step after an event could not be handed to the sync flow: later events of the object must not move the
     * stored position past it, so the subscription starts again from the stored replay id.
     */
    public void failed(Exchange exchange) {
        String sobject = exchange.getMessage().getHeader("SfcacheCdcObject", String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        halted.add(sobject);
        lastError.put(sobject, "event not handled, resubscribing: " + cause);
        meters.counter("sfcache.cdc.resubscribes", "sobject", sobject, "reason", "failure").increment();
        resubscribeLater(sobject);
    }

    /**
     * A subscription's exception handler: a rejected replay id (expired, corrupted) means the position is lost.
     * Resubscribe from the latest event and reconcile the window that may have been skipped.
     */
    private final class ReplayGuard implements ExceptionHandler {
        private final DataContract contract;

        ReplayGuard(DataContract contract) {
            this.contract = contract;
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
                positionLost(contract);
            } else {
                lastError.put(contract.sobject(), message + ": " + exception);
                LOG.warn("Change Data Capture for {}: {}", contract.sobject(), message, exception);
            }
        }
    }

    private void positionLost(DataContract contract) {
        String channel = channel(contract.sobject());
        LOG.warn("Salesforce rejected the stored replay id of {}: resubscribing from the latest event and "
                + "reconciling what may have been skipped", channel);
        meters.counter("sfcache.cdc.replay.lost", "sobject", contract.sobject()).increment();
        lastError.put(contract.sobject(), "replay id rejected at " + clock.instant() + "; reconciled");
        halted.add(contract.sobject());
        syncState.forgetReplayId(channel);
        resubscribeLater(contract.sobject());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    @Override
    public void destroy() {
        background.shutdownNow();
    }

    private void resubscribeLater(String sobject) {
        DataContract contract = contracts.find(sobject).orElseThrow();
        background.schedule(() -> {
            try {
                stop(contract);
                start(contract);
            } catch (RuntimeException e) {
                LOG.warn("Resubscribing {} failed; the next check tries again", sobject, e);
            }
        }, settings.getResubscribeDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
}
