package io.sfcache.hawtio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.identity.TokenIssuerStandin;

/**
 * Hawtio and Jolokia over real HTTP: nobody gets in without signing in with the ops role, bearer tokens do not open
 * the console, and a signed-in operator reads Camel's route MBeans through Jolokia as the console does.
 */
@SfcacheIntegrationTest
class HawtioAccessTest {

    private static final String READ_ROUTE = """
            {"type":"read","mbean":"org.apache.camel:context=sfcache,type=routes,name=\\"servicebus-ingest\\"",
             "attribute":"ExchangesTotal"}""";

    @LocalServerPort
    private int port;
    @Autowired
    private WebTestClient http;

    private HawtioSession session() {
        return new HawtioSession("http://127.0.0.1:" + port);
    }

    @Test
    void withoutSigningInTheConsoleSendsYouToTheLoginPage() {
        HttpResponse<String> console = session().get("/actuator/hawtio/");

        assertThat(console.statusCode()).isEqualTo(302);
        assertThat(console.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    }

    @Test
    void jolokiaIsClosedToAnonymousCallersAndToBearerTokens() {
        assertThat(session().jolokia(READ_ROUTE, false).statusCode()).isNotEqualTo(200);
        // An ops token opens the JWT-protected actuator endpoints, not the console's session-based ones.
        String ops = TokenIssuerStandin.shared().mint("ops-app", List.of(TokenIssuerStandin.OPS_ROLE),
                Duration.ofMinutes(5));
        http.get().uri("/actuator/jolokia/version").headers(h -> h.setBearerAuth(ops)).exchange()
                .expectStatus().value(status -> assertThat(status).isNotEqualTo(200));
    }

    @Test
    void aWrongPasswordIsRefused() {
        HawtioSession session = session();

        HttpResponse<String> login = session.signIn(LocalStandins.HAWTIO_USER, "not-the-password");

        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("error"));
        assertThat(session.get("/actuator/hawtio/").statusCode()).isEqualTo(302);
    }

    @Test
    void theOpsUserOpensTheConsoleAndReadsRouteCountersThroughJolokia() {
        HawtioSession session = session();

        HttpResponse<String> login = session.signIn(LocalStandins.HAWTIO_USER, LocalStandins.hawtioPassword());
        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l ->
                assertThat(l).endsWith("/actuator/hawtio/"));

        HttpResponse<String> console = session.get("/actuator/hawtio/");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("<html");

        HttpResponse<String> read = session.jolokia(READ_ROUTE, true);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(read.body()).contains("\"status\":200").contains("\"value\":");
        // Without the CSRF header a write-capable POST is refused even with the session.
        assertThat(session.jolokia(READ_ROUTE, false).statusCode()).isIn(401, 403);
    }
}
