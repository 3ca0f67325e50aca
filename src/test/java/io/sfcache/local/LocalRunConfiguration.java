package io.sfcache.local;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import io.sfcache.SfcacheProperties;
import io.sfcache.graphql.PlaceholderSchema;

/** Beans only the local run has: what makes it friendly to a newcomer. */
@TestConfiguration(proxyBeanMethods = false)
@Import(PlaceholderSchema.class)
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
    SimulatedPublisher simulatedPublisher(SimulatorProperties simulator, SfcacheProperties sfcache) {
        return new SimulatedPublisher(simulator, sfcache.getServicebus().getConnectionString(),
                sfcache.getServicebus().getQueue());
    }
}
