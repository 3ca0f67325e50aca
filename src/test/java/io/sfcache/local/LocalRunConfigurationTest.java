package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sfcache.azure.ServiceBusProperties;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The local profile's application-local.yaml switches the simulator on with its documented defaults. */
class LocalRunConfigurationTest {

    /** The local run's: the simulator sends to its REST endpoint, the queue named by the connection string. */
    private static final AzureMessagingStandin standin = AzureMessagingStandin.shared();

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ServiceBusProperties.class)
    static class Settings {}

    private ApplicationContextRunner localRun(String queue) {
        return new ApplicationContextRunner()
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withUserConfiguration(Settings.class, LocalRunConfiguration.class)
                .withPropertyValues(
                        "spring.profiles.active=local",
                        "sfcache.servicebus.connection-string=" + standin.serviceBusConnectionString(),
                        "sfcache.servicebus.queue=" + queue);
    }

    @Test
    void localProfileStartsTheSimulatorWithTheDocumentedDefaults() {
        String queue = "local-" + UUID.randomUUID();
        SimulatedPublisher[] started = new SimulatedPublisher[1];
        localRun(queue).run(context -> {
            SimulatorProperties simulator = context.getBean(SimulatorProperties.class);
            assertThat(simulator.getRatePerSecond()).isEqualTo(2);
            assertThat(simulator.getInvalidRatio()).isEqualTo(0.05);
            assertThat(simulator.getOutOfOrderRatio()).isEqualTo(0.05);
            assertThat(simulator.getHeartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(simulator.getPoolSize()).isEqualTo(20);
            assertThat(simulator.getSummaryInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(simulator.getSeed()).isNull();

            started[0] = context.getBean(SimulatedPublisher.class);
            assertThat(started[0].isRunning()).isTrue();
            // Three first heartbeats at once, then changes at 2/s, on the queue sfcache reads.
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> standin.queue(queue).active().size() >= 5);
        });
        assertThat(started[0].isRunning()).as("stopped with the context").isFalse();
    }

    @Test
    void theSwitchTurnsItOff() {
        localRun("unused")
                .withPropertyValues("sfcache.local.simulator.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SimulatedPublisher.class));
    }
}
