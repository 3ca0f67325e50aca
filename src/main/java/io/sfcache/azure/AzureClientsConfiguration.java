package io.sfcache.azure;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.core.credential.TokenCredential;
import com.azure.cosmos.ConsistencyLevel;
import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.CosmosEndToEndOperationLatencyPolicyConfigBuilder;
import com.azure.cosmos.DirectConnectionConfig;
import com.azure.cosmos.GatewayConnectionConfig;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceiverAsyncClient;
import org.apache.camel.component.azure.servicebus.CredentialType;
import org.apache.camel.component.azure.servicebus.ServiceBusComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the Azure clients from the {@code sfcache.servicebus}, {@code sfcache.eventhubs} and {@code sfcache.cosmos}
 * settings alone, so the same routes run against Azure or against the local stand-ins.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ServiceBusProperties.class, EventHubsProperties.class, CosmosProperties.class})
public class AzureClientsConfiguration {

    @Bean
    ComponentCustomizer serviceBusConnection(ServiceBusProperties serviceBus) {
        return ComponentCustomizer.forType(ServiceBusComponent.class, component -> {
            var configuration = component.getConfiguration();
            if (serviceBus.usesConnectionString()) {
                configuration.setConnectionString(serviceBus.getConnectionString());
                configuration.setCredentialType(CredentialType.CONNECTION_STRING);
            } else {
                configuration.setFullyQualifiedNamespace(serviceBus.getNamespace());
                configuration.setTokenCredential(entraId());
                configuration.setCredentialType(CredentialType.TOKEN_CREDENTIAL);
            }
        });
    }

    /** Peeks the queue (never receives): how the stall detector knows messages are waiting. */
    @Bean(destroyMethod = "close")
    ServiceBusReceiverAsyncClient queuePeek(ServiceBusProperties serviceBus) {
        ServiceBusClientBuilder builder = new ServiceBusClientBuilder();
        if (serviceBus.usesConnectionString()) {
            builder.connectionString(serviceBus.getConnectionString());
        } else {
            builder.credential(serviceBus.getNamespace(), entraId());
        }
        return builder.receiver().queueName(serviceBus.getQueue()).buildAsyncClient();
    }

    @Bean(destroyMethod = "close")
    EventHubProducerAsyncClient eventHubProducer(EventHubsProperties eventHubs) {
        EventHubClientBuilder builder = new EventHubClientBuilder()
                .retryOptions(new AmqpRetryOptions()
                        .setTryTimeout(eventHubs.getTryTimeout())
                        .setMaxRetries(eventHubs.getMaxRetries()));
        if (eventHubs.usesConnectionString()) {
            builder.connectionString(eventHubs.getConnectionString(), eventHubs.getHub());
        } else {
            builder.credential(eventHubs.getNamespace(), eventHubs.getHub(), entraId());
        }
        return builder.buildAsyncProducerClient();
    }

    @Bean(destroyMethod = "close")
    CosmosAsyncClient cosmosAsyncClient(CosmosProperties cosmos) {
        CosmosClientBuilder builder = new CosmosClientBuilder()
                .endpoint(cosmos.getEndpoint())
                .consistencyLevel(ConsistencyLevel.SESSION)
                .endpointDiscoveryEnabled(cosmos.isEndpointDiscoveryEnabled())
                .contentResponseOnWriteEnabled(true)
                // Every operation, also the Camel component's and the SDK's retries within it, ends by the deadline:
                // a store that accepts connections and never answers fails fast like one that refuses them.
                .endToEndOperationLatencyPolicyConfig(
                        new CosmosEndToEndOperationLatencyPolicyConfigBuilder(cosmos.getRequestTimeout()).build());
        if (cosmos.getKey() != null && !cosmos.getKey().isBlank()) {
            builder.key(cosmos.getKey());
        } else {
            builder.credential(entraId());
        }
        if (cosmos.getConnectionMode() == CosmosProperties.ConnectionMode.GATEWAY) {
            builder.gatewayMode(new GatewayConnectionConfig());
        } else {
            builder.directMode(DirectConnectionConfig.getDefaultConfig());
        }
        return builder.buildAsyncClient();
    }

    /**
     * Entra ID (workload identity, managed identity, az login) for a service configured without a key. Not a bean on
     * purpose: Camel would autowire a lone TokenCredential bean into every Azure component, overriding keys.
     */
    private static TokenCredential entraId() {
        return new DefaultAzureCredentialBuilder().build();
    }
}
