package io.sfcache.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Shapes stored documents for GraphQL: typed fields in camelCase (or the raw fields for the generic {@code Record})
 * and the record's freshness.
 */
@Component
public class RecordViews {

    private final ObjectMapper json;
    private final SyncState syncState;
    private final ObjectAlarms alarms;
    private final Clock clock;

    public RecordViews(ObjectMapper json, SyncState syncState, ObjectAlarms alarms, Clock clock) {
        this.json = json;
        this.syncState = syncState;
        this.alarms = alarms;
        this.clock = clock;
    }

    Map<String, Object> typed(ObjectFields fields, ObjectNode doc, Integer maxStaleness) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", doc.path("id").asText());
        fields.fields()
                .forEach((graphqlName, field) ->
                        view.put(graphqlName, value(doc.path("fields").get(field.name()))));
        view.put("freshness", freshness(fields.contract().sobject(), doc, maxStaleness));
        return view;
    }

    Map<String, Object> generic(DataContract contract, ObjectNode doc, Integer maxStaleness) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", doc.path("id").asText());
        view.put("sobject", contract.sobject());
        view.put("fields", value(doc.path("fields")));
        view.put("freshness", freshness(contract.sobject(), doc, maxStaleness));
        return view;
    }

    static boolean isStale(Map<String, Object> view) {
        return view.get("freshness") instanceof Map<?, ?> freshness && Boolean.TRUE.equals(freshness.get("stale"));
    }

    private Map<String, Object> freshness(String sobject, ObjectNode doc, Integer maxStaleness) {
        JsonNode sync = doc.path("sync");
        Instant commitTime = Instant.parse(sync.path("commitTime").asText());
        Instant syncedAt = Instant.parse(sync.path("syncedAt").asText());
        // A quiet record is as current as the object's last heartbeat says: nothing changed until then. Not while an
        // alarm is open: then only as far as the object is known complete (before the alarm, or repaired since).
        Instant heartbeatAt = syncState
                .lastHeartbeat(sobject)
                .map(SyncState.Heartbeat::sentAt)
                .orElse(syncedAt);
        Instant claimed = alarms.knownCompleteUntil(sobject)
                .filter(complete -> complete.isBefore(heartbeatAt))
                .orElse(heartbeatAt);
        Instant currentAsOf = claimed.isAfter(syncedAt) ? claimed : syncedAt;
        double age = Duration.between(currentAsOf, clock.instant()).toMillis() / 1000.0;
        String staleReason = alarms.staleReason(sobject)
                .map(Enum::name)
                .orElse(maxStaleness != null && age > maxStaleness ? "MAX_STALENESS" : null);
        Map<String, Object> freshness = new LinkedHashMap<>();
        freshness.put("version", value(doc.path("version")));
        freshness.put("commitTime", commitTime.atOffset(java.time.ZoneOffset.UTC));
        freshness.put("syncedAt", syncedAt.atOffset(java.time.ZoneOffset.UTC));
        freshness.put("lagSeconds", Duration.between(commitTime, syncedAt).toMillis() / 1000.0);
        freshness.put("currentAsOf", currentAsOf.atOffset(java.time.ZoneOffset.UTC));
        freshness.put("ageSeconds", age);
        freshness.put("source", sync.path("source").asText());
        freshness.put("isDeleted", doc.path("isDeleted").asBoolean());
        freshness.put("stale", staleReason != null);
        freshness.put("staleReason", staleReason);
        return freshness;
    }

    private Object value(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : json.convertValue(node, Object.class);
    }
}
