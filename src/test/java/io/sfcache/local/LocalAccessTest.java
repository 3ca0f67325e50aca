package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import io.sfcache.standin.identity.TokenIssuerStandin;

/** The banner's access lines: tokens the issuer vouches for, with the right roles and lifetime, and paste-ready commands. */
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
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer.issuer()).build();

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
                .contains("curl -s http://localhost:8124/actuator/health -H \"Authorization: Bearer $SFCACHE_OPS_TOKEN\"")
                .contains("curl -s -u local-reader:" + issuer.client("local-reader").secret()
                        + " -d grant_type=client_credentials " + issuer.tokenEndpoint())
                .contains("curl -s -u local-ops:" + issuer.client("local-ops").secret()
                        + " -d grant_type=client_credentials " + issuer.tokenEndpoint());
    }

    private static String exported(String text, String variable) {
        Matcher matcher = Pattern.compile("export " + variable + "=(\\S+)").matcher(text);
        assertThat(matcher.find()).as("%s in%n%s", variable, text).isTrue();
        return matcher.group(1);
    }
}
