package io.sfcache.standin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The issuer stand-in as Spring Security's own decoder and curl see it: discovery, JWKS, signatures, /token. */
class TokenIssuerStandinTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static TokenIssuerStandin issuer;
    private static JwtDecoder decoder;

    @BeforeAll
    static void start() {
        issuer = TokenIssuerStandin.start("api://sfcache-test");
        // The same discovery path and validators as sfcache's SecurityConfiguration (less its audience check).
        // withIssuerLocation alone does not check iss: the validator has to be set, as sfcache does.
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withIssuerLocation(issuer.issuer()).build();
        nimbus.setJwtValidator(JwtValidators.createDefaultWithIssuer(issuer.issuer()));
        decoder = nimbus;
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void discoveryNamesTheIssuerItsKeysAndTheTokenEndpoint() throws Exception {
        JsonNode discovery = getJson(issuer.issuer() + "/.well-known/openid-configuration");

        assertThat(discovery.path("issuer").asText()).isEqualTo(issuer.issuer()).startsWith("http://127.0.0.1:");
        assertThat(discovery.path("token_endpoint").asText()).isEqualTo(issuer.tokenEndpoint());
        JsonNode keys = getJson(discovery.path("jwks_uri").asText()).path("keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).path("kty").asText()).isEqualTo("RSA");
        assertThat(keys.get(0).has("d")).as("private exponent must never be published").isFalse();
    }

    @Test
    void springsDecoderAcceptsAMintedTokenWithItsClaims() {
        Jwt jwt = decoder.decode(issuer.mint("app-1", List.of("sfcache.reader"), Duration.ofMinutes(5)));

        assertThat(jwt.getHeaders()).containsEntry("alg", "RS256");
        assertThat(jwt.getIssuer()).hasToString(issuer.issuer());
        assertThat(jwt.getAudience()).containsExactly("api://sfcache-test");
        assertThat(jwt.getSubject()).isEqualTo("app-1");
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("sfcache.reader");
        assertThat(Duration.between(jwt.getIssuedAt(), jwt.getExpiresAt())).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void badTokensFailTheDecodersOwnChecks() {
        List<String> roles = List.of("sfcache.reader");

        assertThatThrownBy(() -> decoder.decode(issuer.expired("app-1", roles)))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("expired");
        assertThatThrownBy(() -> decoder.decode(issuer.fromIssuer("https://elsewhere.example", "app-1", roles)))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("iss");
        assertThatThrownBy(() -> decoder.decode(issuer.signedByUnknownKey("app-1", roles)))
                .isInstanceOf(BadJwtException.class);
        assertThat(decoder.decode(issuer.forAudience("api://other", "app-1", roles)).getAudience())
                .as("the audience is sfcache's own check, not the default decoder's")
                .containsExactly("api://other");
    }

    @Test
    void clientCredentialsGrantGivesEachLocalClientItsRole() throws Exception {
        LocalClient reader = issuer.client("local-reader");
        LocalClient ops = issuer.client("local-ops");

        HttpResponse<String> basic = postToken("grant_type=client_credentials", basicAuth(reader.id(), reader.secret()));
        HttpResponse<String> form = postToken("grant_type=client_credentials&client_id=" + ops.id()
                + "&client_secret=" + ops.secret(), null);

        assertThat(basic.statusCode()).isEqualTo(200);
        assertThat(basic.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode readerToken = JSON.readTree(basic.body());
        assertThat(readerToken.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(readerToken.path("expires_in").asLong()).isEqualTo(3600);
        Jwt readerJwt = decoder.decode(readerToken.path("access_token").asText());
        assertThat(readerJwt.getSubject()).isEqualTo("local-reader");
        assertThat(readerJwt.getClaimAsStringList("roles")).containsExactly("sfcache.reader");

        assertThat(form.statusCode()).isEqualTo(200);
        Jwt opsJwt = decoder.decode(JSON.readTree(form.body()).path("access_token").asText());
        assertThat(opsJwt.getClaimAsStringList("roles")).containsExactly("sfcache.ops");
    }

    @Test
    void tokenEndpointRefusesWrongSecretsUnknownClientsAndOtherGrants() throws Exception {
        LocalClient reader = issuer.client("local-reader");

        HttpResponse<String> wrongSecret = postToken("grant_type=client_credentials",
                basicAuth(reader.id(), reader.secret() + "x"));
        HttpResponse<String> unknown = postToken("grant_type=client_credentials", basicAuth("stranger", "s"));
        HttpResponse<String> noClient = postToken("grant_type=client_credentials", null);
        HttpResponse<String> password = postToken("grant_type=password&username=a&password=b",
                basicAuth(reader.id(), reader.secret()));
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(issuer.tokenEndpoint())).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(List.of(wrongSecret, unknown, noClient)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("invalid_client");
        });
        assertThat(password.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(password.body()).path("error").asText()).isEqualTo("unsupported_grant_type");
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void eachIssuerHasItsOwnKeyAndSecrets() {
        try (TokenIssuerStandin other = TokenIssuerStandin.start("api://sfcache-test")) {
            assertThat(other.client("local-reader").secret()).isNotEqualTo(issuer.client("local-reader").secret());
            String foreign = other.mint("app-1", List.of("sfcache.reader"), Duration.ofMinutes(5));
            assertThatThrownBy(() -> decoder.decode(foreign)).isInstanceOf(BadJwtException.class);
        }
    }

    private static String basicAuth(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> postToken(String form, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
