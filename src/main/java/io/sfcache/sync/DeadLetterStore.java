package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.azure.CosmosProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The dead letters in Cosmos, through the SDK: the dead-letter route stores them ({@link DeadLetters} says what),
 * operators list and redrive them.
 */
@Component
public class DeadLetterStore {

    /** Which open dead letters to act on; null members match everything. */
    public record Filter(String sobject, String reason, String id) {
        public static Filter all() {
            return new Filter(null, null, null);
        }

        /** As callers give it: blank values (an empty route header, an empty argument) match everything too. */
        public static Filter of(String sobject, String reason, String id) {
            return new Filter(blankToNull(sobject), blankToNull(reason), blankToNull(id));
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }

        @Override
        public String toString() {
            return sobject == null && reason == null && id == null
                    ? "all open dead letters"
                    : "open dead letters with" + (sobject == null ? "" : " sobject " + sobject)
                            + (reason == null ? "" : " reason " + reason) + (id == null ? "" : " id " + id);
        }
    }

    private final CosmosAsyncContainer container;
    private final java.time.Duration timeout;

    public DeadLetterStore(CosmosAsyncClient cosmos, CosmosProperties store, SyncProperties sync) {
        this.container = cosmos.getDatabase(store.getDatabase()).getContainer(sync.getDeadLetterContainer());
        this.timeout = store.getRequestTimeout().multipliedBy(6);
    }

    /**
     * Ids of the open dead letters matching the filter, oldest first; parameterised, never pasted into the SQL. Ids
     * only, so a redrive job over thousands of letters does not hold their bodies (up to 1 MB each) in memory.
     */
    public List<String> openIds(Filter filter, int limit) {
        StringBuilder sql = new StringBuilder("SELECT VALUE c.id FROM c WHERE c.status = 'OPEN'");
        List<SqlParameter> parameters = new ArrayList<>();
        where(filter, sql, parameters);
        sql.append(" ORDER BY c.firstSeen");
        return container
                .queryItems(new SqlQuerySpec(sql.toString(), parameters), new CosmosQueryRequestOptions(), String.class)
                .take(limit)
                .collectList()
                .block(timeout);
    }

    /** Route step (dead-letter.camel.yaml): stores a dead letter, replacing the message's earlier one. */
    public void store(ObjectNode letter) {
        container.upsertItem(letter).block(timeout);
    }

    /** The dead letter with this id, whatever its status (a point read); empty if there is none. */
    public Optional<ObjectNode> find(String id) {
        return PointRead.find(container, id, timeout);
    }

    private static void where(Filter filter, StringBuilder sql, List<SqlParameter> parameters) {
        if (filter.sobject() != null) {
            sql.append(" AND c.sobject = @sobject");
            parameters.add(new SqlParameter("@sobject", filter.sobject()));
        }
        if (filter.reason() != null) {
            sql.append(" AND c.reason = @reason");
            parameters.add(new SqlParameter("@reason", filter.reason()));
        }
        if (filter.id() != null) {
            sql.append(" AND c.id = @id");
            parameters.add(new SqlParameter("@id", filter.id()));
        }
    }

    /**
     * A page of dead letters with one status, newest first, after the given (lastSeen, id) position; parameterised.
     */
    public List<ObjectNode> page(Filter filter, String status, String afterLastSeen, String afterId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM c WHERE c.status = @status");
        List<SqlParameter> parameters = new ArrayList<>(List.of(new SqlParameter("@status", status)));
        where(filter, sql, parameters);
        if (afterId != null) {
            sql.append(" AND (c.lastSeen < @lastSeen OR (c.lastSeen = @lastSeen AND c.id < @afterId))");
            parameters.add(new SqlParameter("@lastSeen", afterLastSeen));
            parameters.add(new SqlParameter("@afterId", afterId));
        }
        sql.append(" ORDER BY c.lastSeen DESC, c.id DESC");
        return container
                .queryItems(
                        new SqlQuerySpec(sql.toString(), parameters), new CosmosQueryRequestOptions(), ObjectNode.class)
                .take(limit)
                .collectList()
                .block(timeout);
    }

    /** Open dead letters of one object by reason (counted here: few, and Cosmos GROUP BY is not everywhere). */
    public java.util.Map<String, Long> openByReason(String sobject) {
        List<SqlParameter> parameters = List.of(new SqlParameter("@sobject", sobject));
        return container
                .queryItems(
                        new SqlQuerySpec(
                                "SELECT VALUE c.reason FROM c WHERE c.status = 'OPEN' AND c.sobject = @sobject",
                                parameters),
                        new CosmosQueryRequestOptions(),
                        String.class)
                .collectList()
                .block(timeout)
                .stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        r -> r, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    /** Closes a dead letter whose message went through on redrive; the document stays for the record. */
    public void markRedriven(String id, Instant at) {
        container
                .patchItem(
                        id,
                        new PartitionKey(id),
                        CosmosPatchOperations.create()
                                .set("/status", "REDRIVEN")
                                .set("/redrivenAt", RecordDocument.timestamp(at)),
                        ObjectNode.class)
                .block(timeout);
    }
}
