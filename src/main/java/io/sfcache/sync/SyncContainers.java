package io.sfcache.sync;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CompositePath;
import com.azure.cosmos.models.CompositePathSortOrder;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.IndexingPolicy;
import com.azure.cosmos.models.ThroughputProperties;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates the Cosmos database and the sync containers (one per object, the dead letters, sync state) before any
 * route starts, when {@code sfcache.cosmos.create-if-missing} is on, with the composite indexes readers sort by.
 * All are partitioned by {@code /id}: every read and write of the pipeline is a point operation on one record.
 */
@Component
public class SyncContainers implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(SyncContainers.class);

    private final CosmosAsyncClient cosmos;
    private final CosmosProperties settings;
    private final List<CosmosContainerProperties> containers = new ArrayList<>();

    public SyncContainers(
            CosmosAsyncClient cosmos, CosmosProperties store, SyncProperties sync, DataContracts contracts) {
        this.cosmos = cosmos;
        this.settings = store;
        java.util.Set<String> monitored =
                contracts.all().stream().map(DataContract::sobject).collect(java.util.stream.Collectors.toSet());
        contracts.all().forEach(contract -> containers.add(recordContainer(contract, monitored)));
        containers.add(withIndexes(sync.getDeadLetterContainer(), List.of(List.of("/lastSeen", "/id"))));
        containers.add(withIndexes(sync.getStateContainer(), List.of()));
    }

    @Override
    public void afterPropertiesSet() {
        if (!settings.isCreateIfMissing()) {
            LOG.info(
                    "Expecting Cosmos database {} with containers {} to exist (sfcache.cosmos.create-if-missing=false)",
                    settings.getDatabase(),
                    containers);
            return;
        }
        // "IfNotExists" is a read, then a create if that found nothing: replicas starting together race, and all but
        // one get 409 Conflict on the create. What they wanted exists then: read it (MultiReplicaTest,
        // SyncContainersTest).
        var database = cosmos.getDatabase(settings.getDatabase());
        cosmos.createDatabaseIfNotExists(
                        settings.getDatabase(),
                        ThroughputProperties.createAutoscaledThroughput(settings.getAutoscaleMaxThroughput()))
                .onErrorResume(SyncContainers::isConflict, e -> database.read())
                .block(settings.getRequestTimeout().multipliedBy(3));
        // All at once: on a real account each create takes seconds.
        Flux.fromIterable(containers)
                .flatMap(wanted -> ensure(database, wanted))
                .then()
                .block(settings.getRequestTimeout().multipliedBy(6));
        LOG.info(
                "Cosmos database {} ready with containers {}",
                settings.getDatabase(),
                containers.stream().map(CosmosContainerProperties::getId).toList());
    }

    private Mono<Void> ensure(CosmosAsyncDatabase database, CosmosContainerProperties wanted) {
        var container = database.getContainer(wanted.getId());
        return database.createContainerIfNotExists(wanted)
                .onErrorResume(SyncContainers::isConflict, e -> container.read())
                .flatMap(response -> {
                    CosmosContainerProperties existing = response.getProperties();
                    if (sameComposites(existing.getIndexingPolicy(), wanted.getIndexingPolicy())) {
                        return Mono.empty();
                    }
                    // An older sfcache (or a person) made it without today's sort indexes: add them.
                    existing.setIndexingPolicy(wanted.getIndexingPolicy());
                    return container
                            .replace(existing)
                            .doOnSuccess(
                                    done -> LOG.info("Updated the indexing policy of container {}", wanted.getId()))
                            .then();
                });
    }

    private static boolean isConflict(Throwable e) {
        return e instanceof CosmosException cosmos && cosmos.getStatusCode() == 409;
    }

    /**
     * Readers sort on x-sortable fields and syncedAt, always with id as tie-breaker: Cosmos serves such ORDER BY only
     * from composite indexes, one per field and direction. A parent's list of children (read for many parents at
     * once, ordered by the lookup first) needs the same behind each lookup to a monitored object.
     */
    private static CosmosContainerProperties recordContainer(DataContract contract, java.util.Set<String> monitored) {
        List<String> sortable = new ArrayList<>(List.of("/sync/syncedAt"));
        contract.fields().values().stream()
                .filter(DataContract.Field::sortable)
                .forEach(field -> sortable.add("/fields/" + field.name()));
        List<List<String>> orders = new ArrayList<>();
        sortable.forEach(path -> orders.add(List.of(path, "/id")));
        contract.fields().values().stream()
                .filter(field -> field.references() != null && monitored.contains(field.references()))
                .map(field -> "/fields/" + field.name())
                .forEach(lookup -> {
                    orders.add(List.of(lookup, "/id"));
                    sortable.forEach(path -> orders.add(List.of(lookup, path, "/id")));
                });
        return withIndexes(contract.container(), orders);
    }

    private static CosmosContainerProperties withIndexes(String name, List<List<String>> orders) {
        CosmosContainerProperties properties = new CosmosContainerProperties(name, "/id");
        IndexingPolicy policy = new IndexingPolicy();
        List<List<CompositePath>> composites = new ArrayList<>();
        for (List<String> paths : orders) {
            for (CompositePathSortOrder order :
                    List.of(CompositePathSortOrder.ASCENDING, CompositePathSortOrder.DESCENDING)) {
                composites.add(paths.stream()
                        .map(path -> new CompositePath().setPath(path).setOrder(order))
                        .toList());
            }
        }
        policy.setCompositeIndexes(composites);
        properties.setIndexingPolicy(policy);
        return properties;
    }

    private static boolean sameComposites(IndexingPolicy existing, IndexingPolicy wanted) {
        return describe(existing).equals(describe(wanted));
    }

    private static List<String> describe(IndexingPolicy policy) {
        if (policy == null || policy.getCompositeIndexes() == null) {
            return List.of();
        }
        return policy.getCompositeIndexes().stream()
                .map(index -> index.stream()
                        .map(p -> p.getPath() + " " + p.getOrder())
                        .toList()
                        .toString())
                .sorted()
                .toList();
    }
}
