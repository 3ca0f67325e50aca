package io.sfcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The default profile needs real Azure, Salesforce and identity settings and says which are missing and how to fix them. */
@ExtendWith(OutputCaptureExtension.class)
class StartupValidationTest {

    @Test
    void missingSettingsStopStartUpNamingEachPropertyAndTheFix(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(SfcacheApplication.class)
                        .web(WebApplicationType.NONE)
                        .run("--camel.main.routes-include-pattern=none"))
                .isNotNull();

        assertThat(output.getOut() + output.getErr())
                .contains("sfcache.cosmos.endpoint")
                .contains("set sfcache.cosmos.endpoint to the account URI")
                .contains("set sfcache.servicebus.connection-string (SAS), or sfcache.servicebus.namespace")
                .contains("set sfcache.eventhubs.connection-string (SAS), or sfcache.eventhubs.namespace")
                .contains("sfcache.salesforce.login-url")
                .contains("sfcache.salesforce.client-id")
                .contains("sfcache.salesforce.client-secret")
                .contains("set sfcache.security.issuer-uri to your identity provider's issuer")
                .contains("set sfcache.security.audience to the audience sfcache's tokens are issued for")
                .contains("set sfcache.monitoring.reader-probe.token-uri, client-id and client-secret");
    }

    @Test
    void aPrefetchDeeperThanTheServiceBusClientsBufferStopsStartUp(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(SfcacheApplication.class)
                        .web(WebApplicationType.NONE)
                        .run("--camel.main.routes-include-pattern=none", "--sfcache.sync.prefetch=500"))
                .isNotNull();

        assertThat(output.getOut() + output.getErr())
                .contains("sfcache.sync.prefetch")
                .contains("must be at most 256, the Service Bus SDK's receive buffer");
    }
}
