package io.sfcache.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.deploy.HelmChart;
import io.sfcache.standin.identity.BrowserSession;
import io.sfcache.standin.identity.LocalUser;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The actuator on a port of its own, as the Helm chart runs it (MANAGEMENT_SERVER_PORT, probes and the ServiceMonitor
 * on the {@code management} port): Prometheus is scraped there without a token, nothing of the actuator answers on the
 * apps' port, the chart's probes answer UP, the security rules still hold on the management port, and Hawtio's sign-in
 * works there.
 */
@SfcacheIntegrationTest
// Its own queue, so this context does not compete for the shared context's messages; no MBeans to collide with it.
// CDC off: the shared context is the JVM's one Change Data Capture subscriber; a second contends for its lock.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "management.server.port=0",
            "sfcache.servicebus.queue=management-port-test",
            "spring.jmx.enabled=false"
        })
class ManagementPortTest {

    @Autowired
    private WebTestClient apps;

    @LocalManagementPort
    private int managementPort;

    private WebTestClient management;

    @BeforeEach
    void managementClient() {
        management = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + managementPort)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
    }

    @Test
    void prometheusIsScrapedOnTheManagementPortWithoutATokenAndIsNotOnTheAppsPort() {
        management
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(page -> assertThat(page).contains("camel_exchanges_total", "sfcache_"));
        apps.get()
                .uri("/actuator/prometheus")
                .headers(h -> h.setBearerAuth(ops()))
                .exchange()
                .expectStatus()
                .isNotFound();
        apps.get().uri("/actuator/health").exchange().expectStatus().isNotFound();
    }

    @Test
    void theChartsProbesAnswerUpOnTheManagementPort() {
        JsonNode container = HelmChart.renderDefaults().container();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(get.path("port").asText()).as(probe).isEqualTo("management");
            management
                    .get()
                    .uri(get.path("path").asText())
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.status")
                    .isEqualTo("UP");
        }
    }

    @Test
    void onTheManagementPortDetailsAndMetricsStillNeedTheOpsRole() {
        management
                .get()
                .uri("/actuator/health")
                .exchange()
                .expectBody()
                .jsonPath("$.components")
                .doesNotExist();
        management
                .get()
                .uri("/actuator/health")
                .headers(h -> h.setBearerAuth(ops()))
                .exchange()
                .expectBody()
                .jsonPath("$.components.heartbeats")
                .exists();
        management.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
        management
                .get()
                .uri("/actuator/metrics")
                .headers(h -> h.setBearerAuth(ops()))
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void theOperatorSignsInToHawtioOnTheManagementPortAtTheBannersLocalhostUrl() {
        // The local run prints http://localhost:8081/actuator/hawtio/: the redirect URI is then on localhost, and the
        // management port's Tomcat must serve the sign-in's own paths too.
        LocalUser operator = TokenIssuerStandin.shared().user(TokenIssuerStandin.OPERATOR);

        List<HttpResponse<String>> hops = new BrowserSession()
                .signIn(
                        "http://localhost:" + managementPort + "/actuator/hawtio/",
                        operator.name(),
                        operator.password());

        assertThat(BrowserSession.uris(hops))
                .as("back from the provider with a code")
                .anySatisfy(uri -> assertThat(uri)
                        .hasHost("localhost")
                        .hasPort(managementPort)
                        .hasPath("/login/oauth2/code/sfcache"));
        HttpResponse<String> console = hops.get(hops.size() - 1);
        assertThat(console.uri()).hasPort(managementPort).hasPath("/actuator/hawtio/");
        assertThat(console.statusCode()).isEqualTo(200);
    }

    private static String ops() {
        return TokenIssuerStandin.shared()
                .mint("ops-person", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
    }
}
