package io.sfcache.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.MediaType;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * sfcache starts while its identity provider does not answer: the JWT decoder and Hawtio's sign-in read the
 * issuer's discovery on first use, not at start-up. Until the issuer answers nobody gets in.
 */
@SfcacheIntegrationTest
// Its own queue, so this context does not compete for the shared context's messages; no MBeans to collide with it.
// CDC off: the shared context is the JVM's one Change Data Capture subscriber; a second contends for its lock.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.servicebus.queue=issuer-down-test",
            "spring.jmx.enabled=false"
        })
@ContextConfiguration(initializers = {LocalStandins.class, IssuerDownAtStartTest.NoIssuer.class})
class IssuerDownAtStartTest {

    /** An issuer nothing listens at, in place of the stand-in's (whose settings come first, so after them). */
    static final class NoIssuer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource(
                            "no-issuer", Map.of("sfcache.security.issuer-uri", "http://127.0.0.1:9")));
        }
    }

    @Autowired
    private WebTestClient http;

    @Test
    void startsAndLetsNobodyInUntilTheIssuerAnswers() {
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        http.get()
                .uri("/actuator/hawtio/")
                .exchange()
                .expectStatus()
                .isFound()
                .expectHeader()
                .value("Location", location -> assertThat(location).endsWith("/oauth2/authorization/sfcache"));
        String token = TokenIssuerStandin.shared()
                .mint("app-1", List.of(TokenIssuerStandin.READER_ROLE), Duration.ofMinutes(5));
        http.post()
                .uri("/graphql")
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"query\":\"{ __typename }\"}")
                .exchange()
                .expectStatus()
                .value(status -> assertThat(status).isNotEqualTo(200));
    }
}
