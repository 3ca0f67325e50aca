package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.browser.Chromium;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * GraphiQL as a person uses it, in headless Chromium with the network cut off: the page must load everything from
 * sfcache itself, take a pasted reader token, and show a query's result.
 */
@SfcacheIntegrationTest
class GraphiqlBrowserTest {

    @LocalServerPort
    private int port;

    @Test
    void aReaderRunsAQueryInGraphiqlWithNothingFromTheInternet() {
        String token = TokenIssuerStandin.shared()
                .mint("graphiql-user", List.of(TokenIssuerStandin.READER_ROLE), Duration.ofMinutes(10));

        JsonNode result = Chromium.require()
                .script("graphiql-query.js")
                .env("BASE_URL", "http://127.0.0.1:" + port)
                .env("TOKEN", token)
                .env("QUERY", "{ __typename }")
                .env("EXPECT", "\"Query\"")
                .screenshot("GraphiqlBrowserTest")
                .run();

        assertThat(result.path("blocked"))
                .as("requests the page tried to send off this machine")
                .isEmpty();
        assertThat(result.path("resultText").asText()).contains("\"__typename\": \"Query\"");
        assertThat(result.path("tokenStatus").asText())
                .contains("graphiql-user")
                .contains("sfcache.reader");
        // Every asset came from the app; the only refusals are /graphql before the token was entered.
        assertThat(result.path("httpErrors"))
                .allSatisfy(error -> assertThat(error.path("url").asText())
                        .as("failed: %s", error)
                        .endsWith("/graphql"));
        // With the token, the schema introspection and the query were answered; without it, refused.
        assertThat(result.path("graphql"))
                .filteredOn(call -> call.path("withToken").asBoolean())
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(call -> assertThat(call.path("status").asInt())
                        .as("/graphql with the token")
                        .isEqualTo(200));
        assertThat(result.path("graphql"))
                .filteredOn(call -> !call.path("withToken").asBoolean())
                .allSatisfy(call -> assertThat(call.path("status").asInt())
                        .as("/graphql without")
                        .isEqualTo(401));
        assertThat(result.path("pageErrors")).isEmpty();
    }
}
