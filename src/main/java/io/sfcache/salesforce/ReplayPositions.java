package io.sfcache.salesforce;

import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Where a subscription starts: from the replay id stored after the last event sfcache handled ({@code sync-state},
 * document {@code replay-data-<Object>ChangeEvent}), or, without one (first start, or an id Salesforce rejected),
 * from the latest event, with the window before it read again from the last publisher heartbeat.
 */
@Component("replayPositions")
public class ReplayPositions {

    /**
     * @param replayId the stored replay id, or null to start from the latest event
     */
    public record Position(String channel, String replayId) {

        /** No stored position: the subscription starts from the latest event and misses what came before. */
        public boolean latest() {
            return replayId == null;
        }

        /** The {@code cdc-object} template's {@code position} parameter. */
        String endpointOptions() {
            return latest() ? "replayPreset=LATEST" : "replayPreset=CUSTOM&pubSubReplayId=RAW(" + replayId + ")";
        }

        String describe() {
            return latest() ? "the latest event" : "replay id " + replayId;
        }
    }

    private final SyncState syncState;
    private final ReconcileQueries queries;
    private final Clock clock;

    public ReplayPositions(SyncState syncState, ReconcileQueries queries, Clock clock) {
        this.syncState = syncState;
        this.queries = queries;
        this.clock = clock;
    }

    /** The change event channel of an object: /data/AccountChangeEvent, /data/Invoice__ChangeEvent. */
    public static String channel(String sobject) {
        return "/data/" + (sobject.endsWith("__c") ? sobject.substring(0, sobject.length() - 1) : sobject)
                + "ChangeEvent";
    }

    public Position position(String sobject) {
        String channel = channel(sobject);
        return new Position(channel, syncState.replayId(channel).orElse(null));
    }

    /** Salesforce rejected the stored id (expired, corrupted): the next subscription starts from the latest event. */
    public void forget(String sobject) {
        syncState.forgetReplayId(channel(sobject));
    }

    /**
     * {@code cdc-subscribe} route, after subscribing from the latest event: what to read again, from the last publisher
     * heartbeat (or now) minus the reconcile overlap.
     */
    public ReconcileQuery catchUp(String sobject) {
        Optional<Instant> lastKnown = syncState.lastHeartbeat(sobject).map(SyncState.Heartbeat::sentAt);
        return queries.around(sobject, lastKnown.orElse(clock.instant()));
    }
}
