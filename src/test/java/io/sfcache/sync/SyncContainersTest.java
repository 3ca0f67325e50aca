package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.contracts.DataContracts;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.cosmos.CosmosStandinExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * Replicas deployed together start together: each creates the database and containers that are missing, and all but
 * the first find them created meanwhile (409 Conflict from Cosmos on the create). None may fail to start for that
 * (MultiReplicaTest saw two of three replicas die at start-up on exactly this).
 */
@ExtendWith(CosmosStandinExtension.class)
class SyncContainersTest {

    private static final ObjectMapper JSON = Jackson2ObjectMapperBuilder.json().build();
    private static final SyncProperties SYNC = new SyncProperties();
    private static final DataContracts CONTRACTS =
            new DataContracts(SYNC.getObjects(), SYNC.getContractsLocation(), new DefaultResourceLoader(), JSON);

    @Test
    void replicasStartingTogetherOnAFreshAccountAllGetTheirContainers(CosmosStandin standin) throws Exception {
        CosmosProperties settings = new CosmosProperties();
        settings.setDatabase("sync-containers-" + UUID.randomUUID());
        int replicas = 6;
        List<CosmosAsyncClient> clients = new ArrayList<>();
        ExecutorService starts = Executors.newFixedThreadPool(replicas);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                CosmosAsyncClient client = standin.newClientBuilder().buildAsyncClient();
                clients.add(client);
                SyncContainers containers = new SyncContainers(client, settings, SYNC, CONTRACTS);
                started.add(starts.submit(() -> {
                    go.await();
                    containers.afterPropertiesSet();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> start : started) {
                start.get(); // throws what afterPropertiesSet threw
            }
            List<String> made = clients.get(0)
                    .getDatabase(settings.getDatabase())
                    .readAllContainers()
                    .map(CosmosContainerProperties::getId)
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(made)
                    .containsExactlyInAnyOrder(
                            "account",
                            "contact",
                            "opportunity",
                            SYNC.getDeadLetterContainer(),
                            SYNC.getStateContainer());
        } finally {
            starts.shutdownNow();
            clients.forEach(CosmosAsyncClient::close);
        }
    }
}
