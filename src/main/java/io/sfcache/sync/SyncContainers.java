package io.sfcache.sync;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.ThroughputProperties;

import io.sfcache.SfcacheProperties;
import io.sfcache.azure.CosmosProperties;

/**
 * Creates the Cosmos database and the sync containers (one per object, plus the dead letters) before any route
 * starts, when {@code sfcache.cosmos.create-if-missing} is on. All are partitioned by {@code /id}: every read and
 * write of the pipeline is a point operation on one record.
 */
@Component
public class SyncContainers implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(SyncContainers.class);

    private final CosmosAsyncClient cosmos;
    private final CosmosProperties settings;
    private final List<String> containers = new ArrayList<>();

    public SyncContainers(CosmosAsyncClient cosmos, SfcacheProperties properties, DataContracts contracts) {
        this.cosmos = cosmos;
        this.settings = properties.getCosmos();
        contracts.all().forEach(c -> containers.add(c.container()));
        containers.add(properties.getSync().getDeadLetterContainer());
        containers.add(properties.getSync().getStateContainer());
    }

    @Override
    public void afterPropertiesSet() {
        if (!settings.isCreateIfMissing()) {
            LOG.info("Expecting Cosmos database {} with containers {} to exist (sfcache.cosmos.create-if-missing=false)",
                    settings.getDatabase(), containers);
            return;
        }
        cosmos.createDatabaseIfNotExists(settings.getDatabase(),
                ThroughputProperties.createAutoscaledThroughput(settings.getAutoscaleMaxThroughput()))
                .block(settings.getRequestTimeout().multipliedBy(3));
        var database = cosmos.getDatabase(settings.getDatabase());
        for (String container : containers) {
            database.createContainerIfNotExists(new CosmosContainerProperties(container, "/id"))
                    .block(settings.getRequestTimeout().multipliedBy(3));
        }
        LOG.info("Cosmos database {} ready with containers {}", settings.getDatabase(), containers);
    }
}
