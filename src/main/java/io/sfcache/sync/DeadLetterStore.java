package io.sfcache.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.sfcache.SfcacheProperties;

/** Reads and updates dead letters in Cosmos for operators (redrive, listings); the routes write them. */
@Component
public class DeadLetterStore {

    /** Which open dead letters to act on; null members match everything. */
    public record Filter(String sobject, String reason, String id) {
        public static Filter all() {
            return new Filter(null, null, null);
        }
    }

    private final CosmosAsyncContainer container;
    private final java.time.Duration timeout;

    public DeadLetterStore(CosmosAsyncClient cosmos, SfcacheProperties properties) {
        this.container = cosmos.getDatabase(properties.getCosmos().getDatabase())
                .getContainer(properties.getSync().getDeadLetterContainer());
        this.timeout = properties.getCosmos().getRequestTimeout().multipliedBy(6);
    }

    /** Open dead letters matching the filter, oldest first; parameterised, never pasted into the SQL. */
    public List<ObjectNode> findOpen(Filter filter, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM c WHERE c.status = 'OPEN'");
        List<SqlParameter> parameters = new ArrayList<>();
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
        sql.append(" ORDER BY c.firstSeen");
        return container.queryItems(new SqlQuerySpec(sql.toString(), parameters), new CosmosQueryRequestOptions(),
                        ObjectNode.class)
                .take(limit)
                .collectList()
                .block(timeout);
    }

    /** Closes a dead letter whose message went through on redrive; the document stays for the record. */
    public void markRedriven(String id, Instant at) {
        container.patchItem(id, new PartitionKey(id), CosmosPatchOperations.create()
                        .set("/status", "REDRIVEN")
                        .set("/redrivenAt", at.toString()), ObjectNode.class)
                .block(timeout);
    }
}
