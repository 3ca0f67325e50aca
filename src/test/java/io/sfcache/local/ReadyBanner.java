package io.sfcache.local;

import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/** Waits until sfcache reports healthy, then prints where everything is. */
class ReadyBanner implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyBanner.class);
    private static final Duration HEALTH_DEADLINE = Duration.ofSeconds(60);

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        HealthEndpoint health = event.getApplicationContext().getBean(HealthEndpoint.class);
        Thread waiter = new Thread(() -> announceWhenHealthy(env, health), "ready-banner");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void announceWhenHealthy(Environment env, HealthEndpoint health) {
        try {
            Awaitility.await()
                    .atMost(HEALTH_DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> Status.UP.equals(health.health().getStatus()));
        } catch (ConditionTimeoutException notYet) {
            // reported below
        }
        Status status = health.health().getStatus();
        Duration sinceJvmStart = Duration.ofMillis(System.currentTimeMillis()
                - ManagementFactory.getRuntimeMXBean().getStartTime());
        String base = "http://localhost:" + env.getProperty("local.server.port", "8080");
        String management = "http://localhost:"
                + env.getProperty("local.management.port", env.getProperty("local.server.port", "8080"));
        if (!Status.UP.equals(status)) {
            LOG.error(
                    "sfcache is not healthy after {} s (status {}): see {}/actuator/health (with the ops token for "
                            + "details)",
                    HEALTH_DEADLINE.toSeconds(),
                    status,
                    management);
            return;
        }
        LOG.info(
                """

                ==================================================================
                 sfcache is healthy ({} s after JVM start), on local stand-ins
                   Health      {}/actuator/health   (details with the ops token)
                   Metrics     {}/actuator/prometheus
                   Hawtio      {}/actuator/hawtio/   (sends you to the identity provider: {} / {})
                {}

                {}
                 Ctrl-C stops sfcache and every stand-in.
                ==================================================================""",
                String.format("%.1f", sinceJvmStart.toMillis() / 1000.0),
                management,
                management,
                management,
                TokenIssuerStandin.OPERATOR,
                TokenIssuerStandin.shared().user(TokenIssuerStandin.OPERATOR).password(),
                LocalAccess.describe(base, management, TokenIssuerStandin.shared()),
                LocalStandinAccess.describe(
                        AzureMessagingStandin.shared(),
                        CosmosStandin.shared(),
                        env.getProperty("sfcache.servicebus.queue"),
                        env.getProperty("sfcache.eventhubs.hub")));
    }
}
