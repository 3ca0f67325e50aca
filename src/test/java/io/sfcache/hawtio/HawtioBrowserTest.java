package io.sfcache.hawtio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.browser.Chromium;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.standin.identity.LocalUser;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.sync.PipelineHarness;
import java.time.Clock;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Hawtio as people use it, in headless Chromium with the network cut off: the console sends them to the identity
 * provider's login form (OIDC, authorization code with PKCE) and back. The operator clicks to the Camel routes view and
 * sees the sync routes with counters that moved when a change went through; a reader is refused.
 */
@SfcacheIntegrationTest
class HawtioBrowserTest {

    private static final TokenIssuerStandin IDENTITY = TokenIssuerStandin.shared();

    @LocalServerPort
    private int port;

    @Autowired
    private PipelineHarness pipeline;

    @Test
    void anOperatorSignsInAtTheIdentityProviderAndSeesTheSyncRoutesWithTheirCounters() {
        ChangeMessageBuilder change =
                ChangeMessages.live(new Random(), Clock.systemUTC()).account().create();
        pipeline.send(change);
        pipeline.awaitCompleted(change.eventId());
        LocalUser operator = IDENTITY.user(TokenIssuerStandin.OPERATOR);

        JsonNode result = Chromium.require()
                .script("hawtio-routes.js")
                .env("BASE_URL", "http://127.0.0.1:" + port)
                .env("HAWTIO_USER", operator.name())
                .env("HAWTIO_PASSWORD", operator.password())
                .screenshot("HawtioBrowserTest-operator")
                .run();

        assertThat(result.path("blocked"))
                .as("requests the console tried to send off this machine")
                .isEmpty();
        assertSignedInThroughTheIdentityProvider(result);
        assertThat(result.path("landingStatus").asInt()).isEqualTo(200);
        assertThat(result.path("url").asText()).endsWith("/actuator/hawtio/camel/routes");
        assertThat(result.path("headers").toString()).contains("Name", "State", "Completed", "Failed", "Total");
        for (String routeId : new String[] {"servicebus-ingest", "sync-change", "sync-account"}) {
            JsonNode route = route(result, routeId);
            assertThat(route.path("State").asText()).as(routeId).isEqualTo("Started");
            assertThat(Long.parseLong(route.path("Total").asText()))
                    .as("%s exchanges", routeId)
                    .isPositive();
            assertThat(route.path("Failed").asText()).as(routeId).matches("\\d+");
        }
        assertThat(result.path("jolokia"))
                .as("Jolokia answered the signed-in console")
                .isNotEmpty()
                .allSatisfy(status -> assertThat(status.asInt()).isEqualTo(200));
        assertThat(result.path("pageErrors")).isEmpty();
        assertThat(result.path("httpErrors")).isEmpty();
    }

    @Test
    void aReaderSignsInAtTheIdentityProviderAndIsRefused() {
        LocalUser reader = IDENTITY.user(TokenIssuerStandin.READER);

        JsonNode result = Chromium.require()
                .script("hawtio-sign-in.js")
                .env("BASE_URL", "http://127.0.0.1:" + port)
                .env("HAWTIO_USER", reader.name())
                .env("HAWTIO_PASSWORD", reader.password())
                .screenshot("HawtioBrowserTest-reader")
                .run();

        assertThat(result.path("blocked")).isEmpty();
        assertSignedInThroughTheIdentityProvider(result);
        assertThat(result.path("landingStatus").asInt())
                .as("signed in, but not with the ops role")
                .isEqualTo(403);
        assertThat(result.path("url").asText()).contains("/actuator/hawtio/");
        assertThat(result.path("text").asText().strip())
                .as("no console for a reader, and why")
                .isEqualTo("Signed in as reader, but Hawtio is for the sfcache.ops role only.");
    }

    /** The login form was the provider's, and the way back went through sfcache's redirect URI with a code. */
    private void assertSignedInThroughTheIdentityProvider(JsonNode result) {
        assertThat(result.path("loginPage").asText()).isEqualTo(IDENTITY.issuer() + "/login");
        assertThat(result.path("navigations").findValuesAsText("url"))
                .as("%s", result.path("navigations"))
                .anySatisfy(url -> assertThat(url)
                        .startsWith(IDENTITY.authorizationEndpoint())
                        .contains("code_challenge_method=S256"))
                .anySatisfy(url ->
                        assertThat(url).startsWith("http://127.0.0.1:" + port + "/login/oauth2/code/sfcache?code="));
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
