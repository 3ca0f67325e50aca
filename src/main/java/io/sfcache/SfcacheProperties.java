package io.sfcache;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import io.sfcache.azure.CosmosProperties;
import io.sfcache.azure.EventHubsProperties;
import io.sfcache.azure.ServiceBusProperties;
import io.sfcache.graphql.GraphqlProperties;
import io.sfcache.hawtio.HawtioAccessProperties;
import io.sfcache.monitoring.MonitoringProperties;
import io.sfcache.routes.RoutesProperties;
import io.sfcache.salesforce.SalesforceProperties;
import io.sfcache.security.SecurityProperties;
import io.sfcache.sync.SyncProperties;

import jakarta.validation.Valid;

/**
 * Every {@code sfcache.*} setting, bound and validated in one pass so that start-up reports all missing or wrong
 * settings at once. Each group lives in the feature package that uses it; application.yaml documents them.
 */
@Validated
@ConfigurationProperties("sfcache")
public class SfcacheProperties {

    @Valid
    private final ServiceBusProperties servicebus = new ServiceBusProperties();
    @Valid
    private final EventHubsProperties eventhubs = new EventHubsProperties();
    @Valid
    private final CosmosProperties cosmos = new CosmosProperties();
    @Valid
    private final SalesforceProperties salesforce = new SalesforceProperties();
    private final RoutesProperties routes = new RoutesProperties();
    @Valid
    private final SyncProperties sync = new SyncProperties();
    @Valid
    private final SecurityProperties security = new SecurityProperties();
    @Valid
    private final GraphqlProperties graphql = new GraphqlProperties();
    @Valid
    private final MonitoringProperties monitoring = new MonitoringProperties();
    private final HawtioAccessProperties hawtio = new HawtioAccessProperties();

    public ServiceBusProperties getServicebus() {
        return servicebus;
    }

    public EventHubsProperties getEventhubs() {
        return eventhubs;
    }

    public CosmosProperties getCosmos() {
        return cosmos;
    }

    public SalesforceProperties getSalesforce() {
        return salesforce;
    }

    public RoutesProperties getRoutes() {
        return routes;
    }

    public SyncProperties getSync() {
        return sync;
    }

    public SecurityProperties getSecurity() {
        return security;
    }

    public GraphqlProperties getGraphql() {
        return graphql;
    }

    public MonitoringProperties getMonitoring() {
        return monitoring;
    }

    public HawtioAccessProperties getHawtio() {
        return hawtio;
    }
}
