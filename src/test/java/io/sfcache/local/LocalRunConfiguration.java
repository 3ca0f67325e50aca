package io.sfcache.local;

import io.sfcache.azure.ServiceBusProperties;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Beans only the local run has: what makes it friendly to a newcomer. */
@TestConfiguration(proxyBeanMethods = false)
public class LocalRunConfiguration {

    @Bean
    ReadyBanner readyBanner() {
        return new ReadyBanner();
    }

    @Bean
    @ConfigurationProperties("sfcache.local.simulator")
    SimulatorProperties simulatorProperties() {
        return new SimulatorProperties();
    }

    /** Traffic to look at without a Salesforce org; application-local.yaml switches it on. */
    @Bean
    @ConditionalOnProperty(prefix = "sfcache.local.simulator", name = "enabled", havingValue = "true")
    SimulatedPublisher simulatedPublisher(SimulatorProperties simulator, ServiceBusProperties serviceBus) {
        // The queue exists in the namespace, as in Azure, before the publisher sends to it (over REST, a missing
        // queue is a 410).
        AzureMessagingStandin messaging = AzureMessagingStandin.shared();
        messaging.declareQueue(serviceBus.getQueue());
        return new SimulatedPublisher(
                simulator, messaging.rest().url(), serviceBus.getConnectionString(), serviceBus.getQueue());
    }
}
