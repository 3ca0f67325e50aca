package io.sfcache.azure;

import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.azure.core.credential.TokenCredential;
import com.azure.cosmos.ConsistencyLevel;
import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.DirectConnectionConfig;
import com.azure.cosmos.GatewayConnectionConfig;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;

import io.sfcache.SfcacheProperties;

/**
 * Builds the Azure clients from {@link SfcacheProperties} alone, so the same routes run against Azure or against the
 * local stand-ins.
 */
@Configuration(proxyBeanMethods = false)
public class AzureClientsConfiguration {

    /** Entra ID for whichever service has no key configured; built lazily so key-only setups never touch it. */
    @Bean
    TokenCredential azureCredential() {
        return new DefaultAzureCredentialBuilder().build();
    }

    @Bean
    ComponentCustomizer serviceBusConnection(SfcacheProperties properties, ObjectProvider<TokenCredential> credential) {
        ServiceBusProperties serviceBus = properties.getServicebus();
        return ComponentCustomizer.forType(ServiceBusComponent.class, component -> {
            var configuration = component.getConfiguration();
            if (serviceBus.usesConnectionString()) {
                configuration.setConnectionString(serviceBus.getConnectionString());
                configuration.setCredentialType(CredentialType.CONNECTION_STRING);
            } else {
                configuration.setFullyQualifiedNamespace(serviceBus.getNamespace());
                configuration.setTokenCredential(credential.getObject());
                configuration.setCredentialType(CredentialType.TOKEN_CREDENTIAL);
            }
        });
    }

    @Bean(destroyMethod = "close")
    EventHubProducerAsyncClient eventHubProducer(SfcacheProperties properties, ObjectProvider<TokenCredential> credential) {
        EventHubsProperties eventHubs = properties.getEventhubs();
        EventHubClientBuilder builder = new EventHubClientBuilder();
        if (eventHubs.usesConnectionString()) {
            builder.connectionString(eventHubs.getConnectionString(), eventHubs.getHub());
        } else {
            builder.credential(eventHubs.getNamespace(), eventHubs.getHub(), credential.getObject());
        }
        return builder.buildAsyncProducerClient();
    }

    @Bean(destroyMethod = "close")
    CosmosAsyncClient cosmosAsyncClient(SfcacheProperties properties, ObjectProvider<TokenCredential> credential) {
        CosmosProperties cosmos = properties.getCosmos();
        CosmosClientBuilder builder = new CosmosClientBuilder()
                .endpoint(cosmos.getEndpoint())
                .consistencyLevel(ConsistencyLevel.SESSION)
                .endpointDiscoveryEnabled(cosmos.isEndpointDiscoveryEnabled())
                .contentResponseOnWriteEnabled(true);
        if (cosmos.getKey() != null && !cosmos.getKey().isBlank()) {
            builder.key(cosmos.getKey());
        } else {
            builder.credential(credential.getObject());
        }
        if (cosmos.getConnectionMode() == CosmosProperties.ConnectionMode.GATEWAY) {
            builder.gatewayMode(new GatewayConnectionConfig());
        } else {
            builder.directMode(DirectConnectionConfig.getDefaultConfig());
        }
        return builder.buildAsyncClient();
    }
}
