package io.sfcache.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.source.JWKSource;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.identity.LocalClient;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Who may call what, over real HTTP with tokens from the identity provider stand-in, checked by the real JWT decoder
 * (discovery, JWKS, signature, issuer, audience, expiry, key rotation) and sfcache's role mapping.
 */
@SfcacheIntegrationTest
class SecurityTest {

    private static final String TYPENAME_QUERY = "{\"query\":\"{ __typename }\"}";
    private static final List<String> READER = List.of(TokenIssuerStandin.READER_ROLE);
    private static final List<String> OPS = List.of(TokenIssuerStandin.OPS_ROLE);
    private static final TokenIssuerStandin ISSUER = TokenIssuerStandin.shared();

    @Autowired
    private WebTestClient http;

    @Autowired
    private ApplicationContext context;

    @Test
    void graphqlWithoutATokenIs401AskingForABearerToken() {
        http.post()
                .uri("/graphql")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(TYPENAME_QUERY)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    static Stream<Arguments> tokensSfcacheMustNotTrust() {
        return Stream.of(
                Arguments.of("expired", ISSUER.expired("app-1", READER)),
                Arguments.of("for another audience", ISSUER.forAudience("api://some-other-api", "app-1", READER)),
                Arguments.of(
                        "from another issuer", ISSUER.fromIssuer("https://login.example.com/other", "app-1", READER)),
                Arguments.of("signed by an unknown key", ISSUER.signedByUnknownKey("app-1", READER)),
                Arguments.of("not a JWT", "not-a-jwt"));
    }

    @ParameterizedTest(name = "a reader token {0} is 401")
    @MethodSource("tokensSfcacheMustNotTrust")
    void untrustedTokensAre401(String what, String token) {
        http.post()
                .uri("/graphql")
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(TYPENAME_QUERY)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .value(
                        HttpHeaders.WWW_AUTHENTICATE,
                        header -> assertThat(header).contains("error=\"invalid_token\""));
    }

    @Test
    void aValidTokenWithoutAnSfcacheRoleIs403() {
        for (List<String> roles : List.of(List.<String>of(), List.of("some.other.app.role"))) {
            http.post()
                    .uri("/graphql")
                    .headers(h -> h.setBearerAuth(ISSUER.mint("app-2", roles, Duration.ofMinutes(5))))
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(TYPENAME_QUERY)
                    .exchange()
                    .expectStatus()
                    .isForbidden();
        }
    }

    @Test
    void readerAndOpsTokensMayQuery() {
        for (List<String> roles : List.of(READER, OPS)) {
            assertThat(typename(ISSUER.mint("app-3", roles, Duration.ofMinutes(5))))
                    .isEqualTo("Query");
        }
    }

    @Test
    void aTokenFromTheClientCredentialsEndpointMayQuery() {
        LocalClient reader = ISSUER.client("local-reader");
        JsonNode token = WebTestClient.bindToServer()
                .baseUrl(ISSUER.tokenEndpoint())
                .build()
                .post()
                .headers(h -> h.setBasicAuth(reader.id(), reader.secret()))
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("grant_type=client_credentials")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();

        assertThat(typename(token.path("access_token").asText())).isEqualTo("Query");
    }

    @Test
    void afterTheIssuerRotatesItsSigningKeyNewTokensAndEarlierOnesAreBothAccepted() {
        String before = ISSUER.mint("app-7", READER, Duration.ofMinutes(5));
        assertThat(typename(before)).isEqualTo("Query");

        String newKey = ISSUER.rotateKey();
        String after = ISSUER.mint("app-7", READER, Duration.ofMinutes(5));

        // sfcache has never seen the new key id: its decoder fetches the JWKS again, as with a real issuer.
        assertThat(typename(after)).isEqualTo("Query");
        assertThat(typename(before)).isEqualTo("Query");
        assertThat(newKey).isEqualTo(ISSUER.signingKeyId());
    }

    @Test
    void theIdentityProvidersOwnBeansStayOutOfSfcachesContext() {
        // Spring Authorization Server is on the test classpath; it runs in the provider's context only.
        assertThat(context.getBeanNamesForType(AuthorizationServerSettings.class))
                .isEmpty();
        assertThat(context.getBeanNamesForType(RegisteredClientRepository.class))
                .isEmpty();
        assertThat(context.getBeanNamesForType(JWKSource.class)).isEmpty();
        assertThat(context.getBeanNamesForType(JwtEncoder.class)).isEmpty();
    }

    @Test
    void healthIsOpenToProbesWithTheStatusOnlyAndDetailsAreForTheOpsRole() {
        http.get()
                .uri("/actuator/health/liveness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        http.get()
                .uri("/actuator/health/readiness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        // The overall status includes the sync group (other tests break things on purpose): open, whatever it says,
        // but nothing of what is inside (dead letters by reason, errors) for anonymous callers or readers.
        http.get()
                .uri("/actuator/health")
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .exists()
                .jsonPath("$.components")
                .doesNotExist();
        http.get()
                .uri("/actuator/health/sync")
                .headers(h -> h.setBearerAuth(ISSUER.mint("app-5", READER, Duration.ofMinutes(5))))
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .exists()
                .jsonPath("$.components")
                .doesNotExist();
        http.get()
                .uri("/actuator/health/sync")
                .headers(h -> h.setBearerAuth(ISSUER.mint("ops-person", OPS, Duration.ofMinutes(5))))
                .exchange()
                .expectBody()
                .jsonPath("$.components.heartbeats.details")
                .exists();
    }

    @Test
    void prometheusOnTheAppsPortNeedsTheOpsRole() {
        http.get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized();
        http.get()
                .uri("/actuator/prometheus")
                .headers(h -> h.setBearerAuth(ISSUER.mint("app-6", READER, Duration.ofMinutes(5))))
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    @Test
    void metricsNeedTheOpsRole() {
        http.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized();
        http.get()
                .uri("/actuator/metrics")
                .headers(h -> h.setBearerAuth(ISSUER.mint("app-4", READER, Duration.ofMinutes(5))))
                .exchange()
                .expectStatus()
                .isForbidden();
        http.get()
                .uri("/actuator/metrics")
                .headers(h -> h.setBearerAuth(ISSUER.mint("ops-person", OPS, Duration.ofMinutes(5))))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.names")
                .isNotEmpty();
    }

    @Test
    void graphiqlPageAndItsAssetsArePublic() {
        http.get()
                .uri("/graphiql")
                .exchange()
                .expectStatus()
                .is3xxRedirection()
                .expectHeader()
                .value(HttpHeaders.LOCATION, location -> assertThat(location).endsWith("/graphiql/"));
        http.get()
                .uri("/graphiql/")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class)
                .value(html -> assertThat(html).contains("<title>sfcache GraphiQL</title>"));
        http.get()
                .uri("/graphiql/sfcache-graphiql.js")
                .exchange()
                .expectStatus()
                .isOk();
        http.get()
                .uri("/webjars/graphiql/2.4.7/graphiql.min.js")
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void pathsNobodyOpenedAreRefusedEvenWithAToken() {
        http.get()
                .uri("/anything-else")
                .headers(h -> h.setBearerAuth(ISSUER.mint("ops-person", OPS, Duration.ofMinutes(5))))
                .exchange()
                .expectStatus()
                .isForbidden();
    }

    private String typename(String token) {
        JsonNode body = http.post()
                .uri("/graphql")
                .headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(TYPENAME_QUERY)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
        assertThat(body.path("errors").isMissingNode()).as("errors in %s", body).isTrue();
        return body.path("data").path("__typename").asText();
    }
}
