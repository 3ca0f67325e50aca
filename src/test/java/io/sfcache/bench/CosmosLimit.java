package io.sfcache.bench;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.CosmosBulkOperations;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.CosmosItemOperation;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * The Cosmos side of the limit: the backlog's documents written straight through the SDK, the fastest ways it offers
 * (concurrent async upserts, bulk), into a container of their own partitioned like sfcache's (by /id).
 */
final class CosmosLimit {

    private final CosmosAsyncContainer container;
    private final ObjectMapper json = new ObjectMapper();

    CosmosLimit(CosmosAsyncClient cosmos, String database) {
        cosmos.getDatabase(database)
                .createContainerIfNotExists(new CosmosContainerProperties("bench-limit", "/id"))
                .block();
        this.container = cosmos.getDatabase(database).getContainer("bench-limit");
    }

    /** The valid change messages as documents with ids of their own (prefix: one set per run and method). */
    List<ObjectNode> documents(List<String> bodies, String prefix) {
        List<ObjectNode> documents = new ArrayList<>(bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            try {
                if (json.readTree(bodies.get(i)) instanceof ObjectNode node) {
                    node.put("id", prefix + "-" + i);
                    documents.add(node);
                }
            } catch (Exception notJson) {
                // the invalid messages that are not even JSON have no document
            }
        }
        return documents;
    }

    /** Documents per second with {@code inFlight} upserts outstanding at any time. */
    double concurrentUpserts(List<ObjectNode> documents, int inFlight) {
        long start = System.nanoTime();
        Flux.fromIterable(documents)
                .flatMap(
                        doc -> container.upsertItem(
                                doc, new PartitionKey(doc.get("id").asText()), null),
                        inFlight)
                .blockLast();
        return documents.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** Documents per second through executeBulkOperations (the SDK batches per partition key range). */
    double bulk(List<ObjectNode> documents) {
        long start = System.nanoTime();
        Flux<CosmosItemOperation> operations = Flux.fromIterable(documents)
                .map(doc -> CosmosBulkOperations.getUpsertItemOperation(
                        doc, new PartitionKey(doc.get("id").asText())));
        long failed = container
                .executeBulkOperations(operations)
                .filter(response -> response.getException() != null
                        || !response.getResponse().isSuccessStatusCode())
                .count()
                .block();
        double rate = documents.size() / ((System.nanoTime() - start) / 1e9);
        if (failed > 0) {
            throw new IllegalStateException(failed + " bulk upserts failed");
        }
        return rate;
    }
}
