package io.sfcache.salesforce;

import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.StateDocuments;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Instant;
import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;
import org.springframework.stereotype.Component;

/**
 * Whether the Change Data Capture subscriptions should run ({@code sfcache.salesforce.cdc.mode}): never (OFF), always
 * (BOTH), or in FALLBACK while an operator says so or the queue path needs help: its consumer paused (the ingest
 * circuit breaker open), a publisher's heartbeats overdue or reporting it broken, for longer than {@code fallback-after}, until it has been
 * healthy for {@code fallback-quiet-period}. Route step of {@code cdc-apply-mode}. The window and the operator's
 * switch are shared by the replicas ({@link FallbackWindow}, sync-state {@code cdc-mode}): the replica that leads the
 * subscriptions after a handover or restart counts on from where the others got to.
 */
@Component("cdcModeDecision")
public class CdcModeDecision {

    private final DataContracts contracts;
    private final SyncState syncState;
    private final ObjectAlarms alarms;
    private final ThrottlingExceptionRoutePolicy ingestBreaker;
    private final CdcRoutes routes;
    private final CdcProperties settings;
    private final Clock clock;
    private final FallbackWindow fallback;

    public CdcModeDecision(
            DataContracts contracts,
            SyncState syncState,
            ObjectAlarms alarms,
            ThrottlingExceptionRoutePolicy ingestCircuitBreaker,
            CdcRoutes routes,
            StateDocuments stateDocuments,
            SalesforceProperties salesforce,
            Clock clock) {
        this.contracts = contracts;
        this.syncState = syncState;
        this.alarms = alarms;
        this.ingestBreaker = ingestCircuitBreaker;
        this.routes = routes;
        this.settings = salesforce.getCdc();
        this.clock = clock;
        this.fallback = new FallbackWindow(
                new CdcModeDocument(stateDocuments, CdcModeDocument.ID),
                clock,
                settings.getFallbackAfter(),
                settings.getFallbackQuietPeriod(),
                settings.getCheckInterval());
    }

    public boolean subscriptionsWanted() {
        return switch (settings.getMode()) {
            case OFF -> false;
            case BOTH -> true;
            case FALLBACK -> fallback.subscriptionsWanted(queuePathUnhealthy(), routes.anyRunning());
        };
    }

    /**
     * The operator's switch (JMX): subscribe in FALLBACK mode whatever the queue path's health, or leave it to that.
     * Shared, so it reaches the replica that leads the subscriptions whichever replica the operator asked.
     */
    void operatorWantsSubscriptions(boolean on) {
        if (settings.getMode() == CdcProperties.Mode.FALLBACK) { // the switch means nothing in the others
            fallback.operatorWants(on);
        }
    }

    public CdcProperties.Mode mode() {
        return settings.getMode();
    }

    private boolean queuePathUnhealthy() {
        Instant overdueBefore = clock.instant().minus(settings.getFallbackAfter());
        // A publisher whose heartbeats say it is broken (publishing off, trigger inactive...) sends nothing either.
        return !"closed".equalsIgnoreCase(ingestBreaker.getStateAsString())
                || alarms.anyOpen(ObjectAlarms.Reason.PUBLISHER_UNHEALTHY)
                || contracts.all().stream()
                        .anyMatch(contract -> syncState
                                .lastHeartbeat(contract.sobject())
                                .map(heartbeat -> heartbeat.receivedAt().isBefore(overdueBefore))
                                .orElse(false));
    }
}
