package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.deploy.HelmChart;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.InvalidChangeMessage;
import io.sfcache.fixtures.Violation;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.salesforce.SalesforceStandin;
import io.sfcache.sync.PipelineHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The Helm chart's alerts and dashboard against the running app: every metric their PromQL names must be in a real
 * scrape of {@code /actuator/prometheus} once a valid and an invalid change went through, a change came by CDC, one
 * went back to Service Bus while Cosmos DB was down, and GraphQL was called (meters appear on first use); and
 * A renamed meter then fails here instead of silencing an alert in production. (The chart's probes and its scrape port
 * are checked on a separate management port, as the chart runs it, by ManagementPortTest.)
 */
@SfcacheIntegrationTest
class MonitoringContractTest {

    @Autowired
    private PipelineHarness pipeline;

    @Autowired
    private WebTestClient http;

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry meters;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());

    @Test
    void everyMetricTheAlertsAndTheDashboardUseIsExported() throws Exception {
        ChangeMessageBuilder valid = messages.account().create();
        InvalidChangeMessage invalid = messages.invalid().of(Violation.REQUIRED_FIELD_MISSING);
        pipeline.send(valid);
        pipeline.send(invalid.body(), invalid.messageId(), "application/json");
        pipeline.awaitCompleted(valid.eventId(), invalid.messageId());
        changeArrivesByChangeDataCapture();
        messageGoesBackToServiceBusWhileCosmosIsDown();
        String ops = TokenIssuerStandin.shared()
                .mint("ops-scraper", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
        http.post()
                .uri("/graphql")
                .headers(h -> h.setBearerAuth(ops))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"query\":\"{ __typename }\"}")
                .exchange()
                .expectStatus()
                .isOk();

        String scrape = scrape(ops);
        Set<String> exported = scrape.lines()
                .filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0])
                .collect(Collectors.toCollection(TreeSet::new));

        TreeSet<String> used = new TreeSet<>();
        HelmChart.renderDefaults().promqlExpressions().forEach(expr -> used.addAll(HelmChart.metricNames(expr)));
        assertThat(used)
                .as("metric names in the PrometheusRule and the dashboard")
                .contains("sfcache_sync_changes_total", "sfcache_sync_lag_seconds_bucket", "camel_exchanges_total");
        TreeSet<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertThat(missing)
                .as("used by alerts or dashboard panels but not in the scrape of the running app")
                .isEmpty();
    }

    /** sfcache_cdc_events_total appears with the first CDC event (tests run with CDC mode BOTH). */
    private void changeArrivesByChangeDataCapture() {
        SalesforceStandin salesforce = SalesforceStandin.shared();
        await().atMost(PipelineHarness.SETTLE).until(() -> salesforce.openSubscriptions() >= 1);
        String id = salesforce.create("Account", Map.of("Name", "Monitoring contract", "OwnerId", salesforce.userId()));
        await().atMost(PipelineHarness.SETTLE)
                .until(() -> pipeline.record("Account", id).isPresent());
    }

    /** sfcache_sync_abandoned_total appears when a change is handed back after its retries (Cosmos unavailable). */
    private void messageGoesBackToServiceBusWhileCosmosIsDown() {
        ChangeMessageBuilder change = messages.account().create();
        CosmosStandin.shared().makeUnavailable();
        try {
            pipeline.send(change);
            await().atMost(PipelineHarness.SETTLE)
                    .until(() -> meters.find("sfcache.sync.abandoned").counter() != null);
        } finally {
            CosmosStandin.shared().restore();
        }
        pipeline.awaitCompleted(change.eventId());
    }

    /** The whole scrape (several hundred kB: more than WebTestClient buffers), as Prometheus fetches it. */
    private String scrape(String token) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                                .header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
