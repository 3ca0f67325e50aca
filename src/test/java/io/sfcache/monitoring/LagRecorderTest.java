package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeMessageReader;
import io.sfcache.sync.ContractValidator;
import io.sfcache.sync.SyncHeaders;
import io.sfcache.sync.SyncProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/** The recent p99 that the syncLag health check compares with its objective, in the unit it claims. */
class LagRecorderTest {

    @Test
    void recentP99IsTheLagRecordedNotItsNanosecondsReadAsSeconds() {
        ObjectMapper json = Jackson2ObjectMapperBuilder.json().build();
        SyncProperties sync = new SyncProperties();
        DataContracts contracts =
                new DataContracts(sync.getObjects(), sync.getContractsLocation(), new DefaultResourceLoader(), json);
        ChangeMessageReader reader = new ChangeMessageReader(
                json, new ContractValidator(contracts, ObservationRegistry.NOOP), contracts, sync);
        ChangeMessageBuilder create = ChangeMessages.seeded(3).account().create();
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(create.toJson().getBytes(StandardCharsets.UTF_8));
        ChangeMessage change = reader.read(exchange);
        exchange.setProperty(SyncHeaders.CHANGE, change);
        // Stored 2 s after its Salesforce commit.
        Clock twoSecondsLater = Clock.fixed(change.commitTime().plusSeconds(2), ZoneOffset.UTC);
        LagRecorder lag = new LagRecorder(new SimpleMeterRegistry(), twoSecondsLater);

        lag.stored(exchange);

        assertThat(lag.recentP99("Account"))
                .hasValueSatisfying(p99 -> assertThat(p99).isBetween(Duration.ofMillis(1900), Duration.ofMillis(2200)));
        assertThat(lag.recentP99("Contact")).isEmpty();
    }
}
