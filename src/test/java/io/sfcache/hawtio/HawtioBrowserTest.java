package io.sfcache.hawtio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.fasterxml.jackson.databind.JsonNode;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.browser.Chromium;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.sync.PipelineHarness;

/**
 * Hawtio as an operator uses it, in headless Chromium with the network cut off: sign in with the ops user, click to
 * the Camel routes view, and see the sync routes with counters that moved when a change went through.
 */
@SfcacheIntegrationTest
class HawtioBrowserTest {

    @LocalServerPort
    private int port;
    @Autowired
    private PipelineHarness pipeline;

    @Test
    void anOperatorSignsInAndSeesTheSyncRoutesWithTheirCounters() {
        ChangeMessageBuilder change = ChangeMessages.live(new Random(), Clock.systemUTC()).account().create();
        pipeline.send(change);
        pipeline.awaitCompleted(change.eventId());

        JsonNode result = Chromium.require().script("hawtio-routes.js")
                .env("BASE_URL", "http://127.0.0.1:" + port)
                .env("HAWTIO_USER", TokenIssuerStandin.OPERATOR)
                .env("HAWTIO_PASSWORD", TokenIssuerStandin.shared().user(TokenIssuerStandin.OPERATOR).password())
                .screenshot("HawtioBrowserTest")
                .run();

        assertThat(result.path("blocked")).as("requests the console tried to send off this machine").isEmpty();
        assertThat(result.path("loginPage").asText()).as("sent to sign in first").isEqualTo("/login");
        assertThat(result.path("url").asText()).endsWith("/actuator/hawtio/camel/routes");
        assertThat(result.path("headers").toString()).contains("Name", "State", "Completed", "Failed", "Total");
        for (String routeId : new String[] {"servicebus-ingest", "sync-change", "sync-account"}) {
            JsonNode route = route(result, routeId);
            assertThat(route.path("State").asText()).as(routeId).isEqualTo("Started");
            assertThat(Long.parseLong(route.path("Total").asText())).as("%s exchanges", routeId).isPositive();
            assertThat(route.path("Failed").asText()).as(routeId).matches("\\d+");
        }
        assertThat(result.path("jolokia")).as("Jolokia answered the signed-in console").isNotEmpty()
                .allSatisfy(status -> assertThat(status.asInt()).isEqualTo(200));
        assertThat(result.path("pageErrors")).isEmpty();
        assertThat(result.path("httpErrors")).isEmpty();
    }

    private static JsonNode route(JsonNode result, String routeId) {
        for (JsonNode route : result.path("routes")) {
            if (routeId.equals(route.path("Name").asText())) {
                return route;
            }
        }
        throw new AssertionError("the routes view does not show " + routeId + ": " + result.path("routes"));
    }
}
