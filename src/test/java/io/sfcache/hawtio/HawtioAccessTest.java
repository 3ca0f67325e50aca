package io.sfcache.hawtio;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.identity.BrowserSession;
import io.sfcache.standin.identity.LocalUser;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Hawtio and Jolokia over real HTTP: nobody gets in without signing in at the identity provider (OIDC, authorization
 * code with PKCE) with the ops role, bearer tokens do not open the console, a signed-in operator reads Camel's route
 * MBeans through Jolokia as the console does, and a signed-in reader is refused.
 */
@SfcacheIntegrationTest
class HawtioAccessTest {

    private static final String READ_ROUTE = """
            {"type":"read","mbean":"org.apache.camel:context=sfcache,type=routes,name=\\"servicebus-ingest\\"",
             "attribute":"ExchangesTotal"}""";

    private static final TokenIssuerStandin ISSUER = TokenIssuerStandin.shared();

    @LocalServerPort
    private int port;

    @Autowired
    private WebTestClient http;

    private HawtioSession session() {
        return new HawtioSession("http://127.0.0.1:" + port);
    }

    @Test
    void withoutSigningInTheConsoleSendsYouToTheIdentityProvidersLoginWithPkce() {
        HttpResponse<String> console = session().get("/actuator/hawtio/");
        List<HttpResponse<String>> hops = new BrowserSession().follow("http://127.0.0.1:" + port + "/actuator/hawtio/");

        assertThat(console.statusCode()).isEqualTo(302);
        assertThat(console.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/oauth2/authorization/sfcache"));
        URI authorize = hops.get(2).uri();
        assertThat(authorize.toString()).startsWith(ISSUER.authorizationEndpoint());
        assertThat(authorize.getQuery())
                .contains(
                        "client_id=local-hawtio",
                        "code_challenge_method=S256",
                        "code_challenge=",
                        "redirect_uri=http://127.0.0.1:" + port + "/login/oauth2/code/sfcache");
        URI landed = hops.get(hops.size() - 1).uri();
        assertThat(landed.toString()).as("the provider's login form").isEqualTo(ISSUER.issuer() + "/login");
    }

    @Test
    void jolokiaIsClosedToAnonymousCallersAndToBearerTokens() {
        assertThat(session().jolokia(READ_ROUTE, false).statusCode()).isNotEqualTo(200);
        // An ops token opens the JWT-protected actuator endpoints, not the console's session-based ones.
        String ops = ISSUER.mint("ops-app", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
        http.get()
                .uri("/actuator/jolokia/version")
                .headers(h -> h.setBearerAuth(ops))
                .exchange()
                .expectStatus()
                .value(status -> assertThat(status).isNotEqualTo(200));
    }

    @Test
    void aWrongPasswordIsRefusedAtTheIdentityProvider() {
        HawtioSession session = session();

        List<HttpResponse<String>> hops = session.signIn(TokenIssuerStandin.OPERATOR, "not-the-password");

        assertThat(last(hops).uri().toString()).isEqualTo(ISSUER.issuer() + "/login?error");
        assertThat(session.get("/actuator/hawtio/").statusCode()).isEqualTo(302);
    }

    @Test
    void theOperatorSignsInAtTheIdentityProviderAndReadsRouteCountersThroughJolokia() {
        HawtioSession session = session();
        LocalUser operator = ISSUER.user(TokenIssuerStandin.OPERATOR);

        List<HttpResponse<String>> hops = session.signIn(operator.name(), operator.password());

        assertThat(BrowserSession.uris(hops))
                .as("back from the provider with a code")
                .anySatisfy(uri -> assertThat(uri.getPath()).isEqualTo("/login/oauth2/code/sfcache"));
        HttpResponse<String> console = last(hops);
        assertThat(console.uri()).hasPort(port).hasPath("/actuator/hawtio/");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("<html");

        HttpResponse<String> read = session.jolokia(READ_ROUTE, true);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).contains("\"status\":200").contains("\"value\":");
        // Without the CSRF header a write-capable POST is refused even with the session.
        assertThat(session.jolokia(READ_ROUTE, false).statusCode()).isIn(401, 403);
    }

    @Test
    void aReaderSignsInAtTheIdentityProviderButHawtioAndJolokiaRefuseThem() {
        HawtioSession session = session();
        LocalUser reader = ISSUER.user(TokenIssuerStandin.READER);

        List<HttpResponse<String>> hops = session.signIn(reader.name(), reader.password());

        assertThat(last(hops).uri()).hasPort(port).hasPath("/actuator/hawtio/");
        assertThat(last(hops).statusCode()).isEqualTo(403);
        assertThat(last(hops).body()).isEqualTo("Signed in as reader, but Hawtio is for the sfcache.ops role only.\n");
        assertThat(session.jolokia(READ_ROUTE, true).statusCode()).isEqualTo(403);
    }

    private static <T> T last(List<T> items) {
        return items.get(items.size() - 1);
    }
}
