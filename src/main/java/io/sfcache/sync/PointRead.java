package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;

/** A document of a container partitioned by its own id, read by that id: empty when there is none (404). */
final class PointRead {

    private PointRead() {}

    static Optional<ObjectNode> find(CosmosAsyncContainer container, String id, Duration timeout) {
        try {
            return Optional.of(container
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
}
