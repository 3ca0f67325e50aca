package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The meters the routes once took through camel-micrometer endpoints keep their names and tags (alerts and the
 * dashboard query them), now taken in Java.
 */
class SyncMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SyncMeters meters = new SyncMeters(registry);

    @Test
    void eachRouteMeterHasItsNameAndTags() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange deadLetter = new DefaultExchange(camel);
            deadLetter.setProperty(SyncHeaders.DEAD_LETTERED, "CONTRACT_VIOLATION");
            deadLetter.setProperty(DeadLetters.OBJECT_PROPERTY, "Account");
            Exchange heartbeat = new DefaultExchange(camel);
            heartbeat.setProperty(
                    SyncHeaders.CHANGE,
                    new ChangeMessage(
                            "e1", "Contact", ChangeType.HEARTBEAT, null, null, Instant.EPOCH, null, false, null));

            meters.deadLettered(deadLetter);
            meters.deadLettered(deadLetter);
            meters.heartbeat(heartbeat);
            meters.cdcEvent("Opportunity");
            meters.abandoned();
        }

        assertThat(registry.get("sfcache.sync.dead.letters")
                        .tags("sobject", "Account", "reason", "CONTRACT_VIOLATION")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("sfcache.heartbeats")
                        .tags("sobject", "Contact")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("sfcache.cdc.events")
                        .tags("sobject", "Opportunity")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("sfcache.sync.abandoned").counter().getId().getTags())
                .isEmpty();
        assertThat(registry.get("sfcache.sync.abandoned").counter().count()).isEqualTo(1);
    }
}
