package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The banner's access lines: tokens the identity provider vouches for, with the right roles and lifetime, paste-ready
 * commands that work, and who may sign in.
 */
class LocalAccessTest {

    private static TokenIssuerStandin issuer;

    @BeforeAll
    static void start() {
        issuer = TokenIssuerStandin.start(TokenIssuerStandin.DEFAULT_AUDIENCE);
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void printsGraphiqlTokensForBothRolesAndHowToGetFreshOnes() {
        String text = LocalAccess.describe("http://localhost:8123", "http://localhost:8124", issuer);
        NimbusJwtDecoder decoder =
                NimbusJwtDecoder.withIssuerLocation(issuer.issuer()).build();

        assertThat(text).contains("http://localhost:8123/graphiql");
        Jwt reader = decoder.decode(exported(text, "SFCACHE_READER_TOKEN"));
        Jwt ops = decoder.decode(exported(text, "SFCACHE_OPS_TOKEN"));
        assertThat(reader.getClaimAsStringList("roles")).containsExactly(TokenIssuerStandin.READER_ROLE);
        assertThat(ops.getClaimAsStringList("roles")).containsExactly(TokenIssuerStandin.OPS_ROLE);
        assertThat(Duration.between(Instant.now(), reader.getExpiresAt()))
                .isBetween(Duration.ofHours(12).minusMinutes(1), Duration.ofHours(12));
        assertThat(text)
                .contains("curl -s http://localhost:8123/graphql -H \"Authorization: Bearer $SFCACHE_READER_TOKEN\""
                        + " -H 'Content-Type: application/json' -d '{\"query\":\"{ __typename }\"}'")
                .contains(
                        "curl -s http://localhost:8124/actuator/health -H \"Authorization: Bearer $SFCACHE_OPS_TOKEN\"")
                .contains("curl -s -u local-reader:"
                        + issuer.client("local-reader").secret() + " -d grant_type=client_credentials "
                        + issuer.tokenEndpoint())
                .contains("curl -s -u local-ops:" + issuer.client("local-ops").secret()
                        + " -d grant_type=client_credentials " + issuer.tokenEndpoint())
                .contains("Identity provider " + issuer.issuer())
                .contains("reader / " + issuer.user(TokenIssuerStandin.READER).password());
    }

    @Test
    void thePrintedTokenCommandGetsAToken() throws Exception {
        String text = LocalAccess.describe("http://localhost:8123", "http://localhost:8124", issuer);
        Matcher command = Pattern.compile("curl -s -u (\\S+):(\\S+) -d grant_type=client_credentials (\\S+)")
                .matcher(text);
        assertThat(command.find()).as(text).isTrue();

        // What that curl sends: HTTP Basic and the form.
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(command.group(3)))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString((command.group(1) + ":" + command.group(2))
                                                                .getBytes(StandardCharsets.UTF_8)))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String token = new ObjectMapper()
                .readTree(response.body())
                .path("access_token")
                .asText();
        assertThat(NimbusJwtDecoder.withIssuerLocation(issuer.issuer())
                        .build()
                        .decode(token)
                        .getClaimAsStringList("roles"))
                .containsExactly(TokenIssuerStandin.READER_ROLE);
    }

    private static String exported(String text, String variable) {
        Matcher matcher = Pattern.compile("export " + variable + "=(\\S+)").matcher(text);
        assertThat(matcher.find()).as("%s in%n%s", variable, text).isTrue();
        return matcher.group(1);
    }
}
