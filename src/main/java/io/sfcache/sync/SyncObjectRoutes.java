package io.sfcache.sync;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * One route per monitored object, from the {@code sync-object} route template (routes/sync-object.camel.yaml):
 * adding an object is a contract file plus an entry in {@code sfcache.sync.objects}, no new route.
 */
@Component
public class SyncObjectRoutes extends RouteBuilder {

    private final DataContracts contracts;

    public SyncObjectRoutes(DataContracts contracts) {
        this.contracts = contracts;
    }

    @Override
    public void configure() {
        for (DataContract contract : contracts.all()) {
            templatedRoute("sync-object")
                    .routeId("sync-" + contract.key())
                    .parameter("sobject", contract.sobject())
                    .parameter("key", contract.key());
        }
    }
}
