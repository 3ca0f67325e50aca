package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.azure.CosmosProperties;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * A sync-state document that several replicas change (read, change, write back): written only if nobody changed it
 * since it was read (its ETag), or created only if absent, so two replicas never overwrite each other. Used for
 * alarms ({@link AlarmDocuments}), the CDC fallback window ({@code cdc-mode}), field labels. Documents only one replica
 * writes (a redrive job's progress, {@link RedriveJobDocuments}) are upserted.
 */
@Component
public class StateDocuments {

    /** A document as read, with the ETag to write it back with. */
    public record Versioned(ObjectNode document, String etag) {}

    private final CosmosAsyncContainer container;
    private final Duration timeout;

    public StateDocuments(CosmosAsyncClient cosmos, CosmosProperties store, SyncProperties sync) {
        this.container = cosmos.getDatabase(store.getDatabase()).getContainer(sync.getStateContainer());
        this.timeout = store.getRequestTimeout();
    }

    public Optional<Versioned> read(String id) {
        return PointRead.find(container, id, timeout)
                .map(doc -> new Versioned(doc, doc.path("_etag").asText()));
    }

    /**
     * @param document the whole document, with its {@code id}
     * @param etag     as read; null: create it (no document was there)
     * @return false when another replica changed (or created) it meanwhile: read again and re-apply
     */
    public boolean write(ObjectNode document, String etag) {
        String id = document.path("id").asText();
        try {
            if (etag == null) {
                container.createItem(document).block(timeout);
            } else {
                container
                        .replaceItem(
                                document, id, new PartitionKey(id), new CosmosItemRequestOptions().setIfMatchETag(etag))
                        .block(timeout);
            }
            return true;
        } catch (CosmosException e) {
            if (e.getStatusCode() == 409 || e.getStatusCode() == 412) {
                return false;
            }
            throw e;
        }
    }

    /** For a document only one replica writes. */
    public void upsert(ObjectNode document) {
        container.upsertItem(document).block(timeout);
    }

    /** Deletes it; one already gone is fine. */
    public void delete(String id) {
        try {
            container.deleteItem(id, new PartitionKey(id)).block(timeout);
        } catch (CosmosException e) {
            if (e.getStatusCode() != 404) {
                throw e;
            }
        }
    }

    /** Every document of this {@code kind} (a cross-partition query: for small sets of documents). */
    public List<ObjectNode> ofKind(String kind) {
        return container
                .queryItems(
                        new SqlQuerySpec("SELECT * FROM c WHERE c.kind = @kind", new SqlParameter("@kind", kind)),
                        new CosmosQueryRequestOptions(),
                        ObjectNode.class)
                .collectList()
                .block(timeout);
    }
}
