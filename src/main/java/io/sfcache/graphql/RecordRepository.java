package io.sfcache.graphql;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemIdentity;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.FeedResponse;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.contracts.DataContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The read side's only Cosmos code: point reads, batched reads and queries of cached records. Every request is
 * counted in {@code sfcache.graphql.cosmos.requests{operation}}, which is how tests see that relations are batched.
 */
@Component
public class RecordRepository {

    private final CosmosAsyncDatabase database;
    private final Duration timeout;
    private final Meter.MeterProvider<Counter> requests;

    public RecordRepository(CosmosAsyncClient cosmos, CosmosProperties store, MeterRegistry meters) {
        this.database = cosmos.getDatabase(store.getDatabase());
        this.timeout = store.getRequestTimeout();
        this.requests = Counter.builder("sfcache.graphql.cosmos.requests").withRegistry(meters);
    }

    public Optional<ObjectNode> find(DataContract contract, String id) {
        count("read");
        try {
            return Optional.of(database.getContainer(contract.container())
                    .readItem(id, new PartitionKey(id), ObjectNode.class)
                    .block(timeout)
                    .getItem());
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** One request for many ids: what relation fields use instead of one read per row. */
    public Map<String, ObjectNode> findMany(DataContract contract, Collection<String> ids) {
        Map<String, ObjectNode> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        count("readMany");
        List<CosmosItemIdentity> identities = ids.stream()
                .distinct()
                .map(id -> new CosmosItemIdentity(new PartitionKey(id), id))
                .toList();
        database.getContainer(contract.container())
                .readMany(identities, ObjectNode.class)
                .block(timeout)
                .getResults()
                .forEach(doc -> found.put(doc.path("id").asText(), doc));
        return found;
    }

    public List<ObjectNode> query(
            DataContract contract, String where, List<SqlParameter> parameters, String orderBy, int limit) {
        count("query");
        SqlQuerySpec query = new SqlQuerySpec("SELECT * FROM c WHERE " + where + " " + orderBy, parameters);
        // Pages of the size wanted: with the SDK's default page (100 items), and the next one it fetches ahead, a
        // 20-row page read 200 rows from Cosmos; now 2 x 21.
        return database.getContainer(contract.container())
                .queryItems(query, new CosmosQueryRequestOptions(), ObjectNode.class)
                .byPage(limit)
                .flatMapIterable(FeedResponse::getResults)
                .take(limit)
                .collectList()
                .block(timeout);
    }

    /** The most recently stored record of an object, for the sync status. */
    public Optional<ObjectNode> latestSynced(DataContract contract) {
        return query(contract, "true", List.of(), "ORDER BY c.sync.syncedAt DESC", 1).stream()
                .findFirst();
    }

    public long count(DataContract contract, String where, List<SqlParameter> parameters) {
        count("count");
        SqlQuerySpec query = new SqlQuerySpec("SELECT VALUE COUNT(1) FROM c WHERE " + where, parameters);
        List<Long> counts = new ArrayList<>(database.getContainer(contract.container())
                .queryItems(query, new CosmosQueryRequestOptions(), Long.class)
                .collectList()
                .block(timeout));
        return counts.stream().mapToLong(Long::longValue).sum();
    }

    private void count(String operation) {
        requests.withTag("operation", operation).increment();
    }
}
