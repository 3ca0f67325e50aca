package io.sfcache.graphql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.DeadLetterStore;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.pagination.CursorStrategy;
import org.springframework.graphql.data.pagination.Subrange;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Controller;

/** What operators ask the API: how far behind each object is and what failed ({@link RedriveController} redrives). */
@Controller
@PreAuthorize("hasAuthority('ROLE_OPS')")
public class OpsController {

    /** Where a page of dead letters ended: the last one's lastSeen and id (the list is newest first). */
    record DeadLetterPosition(String lastSeen, String id) {}

    /** The dead-letter list's cursors; {@code first} and {@code after} arrive as a {@link Subrange} through them. */
    static final CursorStrategy<DeadLetterPosition> CURSORS = new JsonCursors<>(DeadLetterPosition.class);

    private final DataContracts contracts;
    private final RecordRepository records;
    private final DeadLetterStore deadLetters;
    private final SyncState syncState;
    private final ObjectMapper json;
    private final Clock clock;
    private final GraphqlProperties limits;

    public OpsController(
            DataContracts contracts,
            RecordRepository records,
            DeadLetterStore deadLetters,
            SyncState syncState,
            ObjectMapper json,
            Clock clock,
            GraphqlProperties limits) {
        this.contracts = contracts;
        this.records = records;
        this.deadLetters = deadLetters;
        this.syncState = syncState;
        this.json = json;
        this.clock = clock;
        this.limits = limits;
    }

    @QueryMapping
    public List<Map<String, Object>> syncStatus() {
        List<Map<String, Object>> status = new ArrayList<>();
        for (DataContract contract : contracts.all()) {
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("sobject", contract.sobject());
            records.latestSynced(contract).ifPresent(latest -> {
                Instant commit =
                        Instant.parse(latest.path("sync").path("commitTime").asText());
                Instant synced =
                        Instant.parse(latest.path("sync").path("syncedAt").asText());
                object.put("lastChangeCommitTime", commit.atOffset(ZoneOffset.UTC));
                object.put("lastSyncedAt", synced.atOffset(ZoneOffset.UTC));
                object.put(
                        "lastChangeLagSeconds", Duration.between(commit, synced).toMillis() / 1000.0);
            });
            syncState.lastHeartbeat(contract.sobject()).ifPresent(heartbeat -> {
                object.put("lastHeartbeatAt", heartbeat.sentAt().atOffset(ZoneOffset.UTC));
                object.put(
                        "heartbeatAgeSeconds",
                        Duration.between(heartbeat.sentAt(), clock.instant()).toMillis() / 1000.0);
            });
            Map<String, Long> byReason = deadLetters.openByReason(contract.sobject());
            object.put(
                    "openDeadLetters",
                    byReason.values().stream().mapToLong(Long::longValue).sum());
            object.put(
                    "deadLettersByReason",
                    byReason.entrySet().stream()
                            .map(e -> Map.of("reason", e.getKey(), "count", e.getValue()))
                            .toList());
            status.add(object);
        }
        return status;
    }

    @QueryMapping
    public Map<String, Object> deadLetters(
            Subrange<DeadLetterPosition> range,
            @Argument String sobject,
            @Argument String reason,
            @Argument String status) {
        int size = range.count().orElse(limits.getDefaultPageSize());
        if (size < 1 || size > limits.getMaxPageSize()) {
            throw new InvalidQueryException("first must be between 1 and " + limits.getMaxPageSize() + ", got " + size);
        }
        DeadLetterPosition after = range.position().orElse(null);
        List<ObjectNode> rows = deadLetters.page(
                new DeadLetterStore.Filter(sobject, reason, null),
                status,
                after == null ? null : after.lastSeen(),
                after == null ? null : after.id(),
                size + 1);
        boolean hasNext = rows.size() > size;
        List<ObjectNode> page = hasNext ? rows.subList(0, size) : rows;
        List<Map<String, Object>> edges = page.stream()
                .map(row -> Map.<String, Object>of("node", node(row), "cursor", cursor(row)))
                .toList();
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("hasNextPage", hasNext);
        pageInfo.put("endCursor", page.isEmpty() ? null : cursor(page.get(page.size() - 1)));
        return Map.of("edges", edges, "pageInfo", pageInfo);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> node(ObjectNode row) {
        Map<String, Object> node = json.convertValue(row, Map.class);
        // Only contract violations list violations; the schema promises a list for every dead letter.
        node.putIfAbsent("violations", List.of());
        return node;
    }

    @SchemaMapping(typeName = "DeadLetter", field = "body")
    public String body(Map<String, Object> deadLetter, @Argument int maxLength) {
        Object body = deadLetter.get("body");
        String text = body == null ? null : body.toString();
        return text == null || text.length() <= maxLength ? text : text.substring(0, Math.max(0, maxLength));
    }

    private static String cursor(ObjectNode row) {
        return CURSORS.toCursor(new DeadLetterPosition(
                row.path("lastSeen").asText(), row.path("id").asText()));
    }
}
