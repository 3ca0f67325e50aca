package io.sfcache.hawtio;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@code sfcache.hawtio.enabled=false} removes the console and Jolokia, not only the console's sign-in. */
@SfcacheIntegrationTest
// Its own queue, so this context does not compete for the shared context's messages; no MBeans to collide with it.
// CDC off: the shared context is the JVM's one Change Data Capture subscriber; a second contends for its lock.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.hawtio.enabled=false",
            "sfcache.servicebus.queue=hawtio-switch-test",
            "spring.jmx.enabled=false"
        })
class HawtioSwitchTest {

    @Autowired
    private WebTestClient http;

    @Test
    void neitherTheConsoleNorJolokiaIsThereEvenForTheOpsRole() {
        String ops = TokenIssuerStandin.shared()
                .mint("ops-app", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
        for (String path : List.of(
                "/actuator/hawtio/", "/actuator/hawtio/index.html", "/actuator/jolokia/version", "/actuator/jolokia")) {
            http.get()
                    .uri(path)
                    .headers(h -> h.setBearerAuth(ops))
                    .exchange()
                    .expectStatus()
                    .value(status -> assertThat(status).as(path).isEqualTo(404));
        }
        // The other operations endpoints are still there.
        http.get()
                .uri("/actuator/metrics")
                .headers(h -> h.setBearerAuth(ops))
                .exchange()
                .expectStatus()
                .isOk();
    }
}
