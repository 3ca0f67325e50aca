package io.sfcache.standin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The identity provider as Spring Security's own decoder, curl and a browser see it: discovery, JWKS and key rotation,
 * the client-credentials grant, and the authorization-code grant with PKCE through the login form.
 */
class TokenIssuerStandinTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static TokenIssuerStandin issuer;
    private static JwtDecoder decoder;
    /** Where the authorization endpoint sends the browser back to: plays sfcache's redirect URI. */
    private static HttpServer callback;

    @BeforeAll
    static void start() throws IOException {
        issuer = TokenIssuerStandin.start("api://sfcache-test");
        // The same discovery path and validators as sfcache's SecurityConfiguration (less its audience check).
        // withIssuerLocation alone does not check iss: the validator has to be set, as sfcache does.
        NimbusJwtDecoder nimbus =
                NimbusJwtDecoder.withIssuerLocation(issuer.issuer()).build();
        nimbus.setJwtValidator(JwtValidators.createDefaultWithIssuer(issuer.issuer()));
        decoder = nimbus;
        callback = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        callback.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, -1);
            }
        });
        callback.start();
    }

    @AfterAll
    static void stop() {
        callback.stop(0);
        issuer.close();
    }

    @Test
    void discoveryNamesTheIssuerItsKeysAndEndpoints() throws Exception {
        JsonNode discovery = getJson(issuer.issuer() + "/.well-known/openid-configuration");

        assertThat(discovery.path("issuer").asText()).isEqualTo(issuer.issuer()).startsWith("http://127.0.0.1:");
        assertThat(discovery.path("token_endpoint").asText()).isEqualTo(issuer.tokenEndpoint());
        assertThat(discovery.path("authorization_endpoint").asText()).isEqualTo(issuer.authorizationEndpoint());
        assertThat(discovery.path("userinfo_endpoint").asText()).startsWith(issuer.issuer());
        assertThat(texts(discovery.path("grant_types_supported"))).contains("client_credentials", "authorization_code");
        assertThat(texts(discovery.path("code_challenge_methods_supported"))).contains("S256");
        JsonNode keys = getJson(discovery.path("jwks_uri").asText()).path("keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).path("kty").asText()).isEqualTo("RSA");
        assertThat(keys.get(0).path("kid").asText()).isEqualTo(issuer.signingKeyId());
        assertThat(keys.get(0).has("d"))
                .as("private exponent must never be published")
                .isFalse();
    }

    @Test
    void springsDecoderAcceptsAMintedTokenWithItsClaims() {
        Jwt jwt = decoder.decode(issuer.mint("app-1", List.of("sfcache.reader"), Duration.ofMinutes(5)));

        assertThat(jwt.getHeaders()).containsEntry("alg", "RS256").containsEntry("kid", issuer.signingKeyId());
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
                .isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
        assertThatThrownBy(() -> decoder.decode(issuer.fromIssuer("https://elsewhere.example", "app-1", roles)))
                .isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("iss");
        assertThatThrownBy(() -> decoder.decode(issuer.signedByUnknownKey("app-1", roles)))
                .isInstanceOf(BadJwtException.class);
        assertThat(decoder.decode(issuer.forAudience("api://other", "app-1", roles))
                        .getAudience())
                .as("the audience is sfcache's own check, not the default decoder's")
                .containsExactly("api://other");
    }

    @Test
    void aRotatedKeySignsNewTokensWhileTokensSignedBeforeStayValid() throws Exception {
        try (TokenIssuerStandin rotating = TokenIssuerStandin.start("api://sfcache-test")) {
            JwtDecoder rotatingDecoder =
                    NimbusJwtDecoder.withIssuerLocation(rotating.issuer()).build();
            String before = rotating.mint("app-1", List.of("sfcache.reader"), Duration.ofMinutes(5));
            String oldKey = rotating.signingKeyId();

            String newKey = rotating.rotateKey();
            String after = rotating.mint("app-1", List.of("sfcache.reader"), Duration.ofMinutes(5));
            String fromEndpoint = clientCredentialsToken(rotating, rotating.client("local-reader"));

            assertThat(newKey).isNotEqualTo(oldKey).isEqualTo(rotating.signingKeyId());
            assertThat(rotatingDecoder.decode(before).getHeaders()).containsEntry("kid", oldKey);
            assertThat(rotatingDecoder.decode(after).getHeaders()).containsEntry("kid", newKey);
            assertThat(rotatingDecoder.decode(fromEndpoint).getHeaders()).containsEntry("kid", newKey);
            assertThat(texts(getJson(rotating.issuer() + "/oauth2/jwks").path("keys"), "kid"))
                    .containsExactly(newKey, oldKey);
        }
    }

    @Test
    void clientCredentialsGrantGivesEachLocalClientItsRoleAndSfcachesAudience() throws Exception {
        LocalClient reader = issuer.client("local-reader");
        LocalClient ops = issuer.client("local-ops");
        LocalClient probe = issuer.client("local-probe");

        HttpResponse<String> basic =
                postToken("grant_type=client_credentials", basicAuth(reader.id(), reader.secret()));
        HttpResponse<String> form = postToken(
                "grant_type=client_credentials&client_id=" + ops.id() + "&client_secret=" + ops.secret(), null);

        assertThat(basic.statusCode()).as(basic.body()).isEqualTo(200);
        assertThat(basic.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        JsonNode readerToken = JSON.readTree(basic.body());
        assertThat(readerToken.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(readerToken.path("expires_in").asLong()).isBetween(3599L, 3600L);
        Jwt readerJwt = decoder.decode(readerToken.path("access_token").asText());
        assertThat(readerJwt.getSubject()).isEqualTo("local-reader");
        assertThat(readerJwt.getAudience()).containsExactly("api://sfcache-test");
        assertThat(readerJwt.getClaimAsStringList("roles")).containsExactly("sfcache.reader");

        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        Jwt opsJwt =
                decoder.decode(JSON.readTree(form.body()).path("access_token").asText());
        assertThat(opsJwt.getClaimAsStringList("roles")).containsExactly("sfcache.ops");
        assertThat(decoder.decode(clientCredentialsToken(issuer, probe)).getClaimAsStringList("roles"))
                .containsExactly("sfcache.reader");
    }

    @Test
    void tokenEndpointRefusesWrongSecretsUnknownClientsAndOtherGrants() throws Exception {
        LocalClient reader = issuer.client("local-reader");
        LocalClient hawtio = issuer.client("local-hawtio");

        HttpResponse<String> wrongSecret =
                postToken("grant_type=client_credentials", basicAuth(reader.id(), reader.secret() + "x"));
        HttpResponse<String> unknown = postToken("grant_type=client_credentials", basicAuth("stranger", "s"));
        HttpResponse<String> password =
                postToken("grant_type=password&username=a&password=b", basicAuth(reader.id(), reader.secret()));
        HttpResponse<String> webClient =
                postToken("grant_type=client_credentials", basicAuth(hawtio.id(), hawtio.secret()));

        assertThat(List.of(wrongSecret, unknown)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("invalid_client");
        });
        assertThat(password.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(password.body()).path("error").asText()).isEqualTo("unsupported_grant_type");
        assertThat(webClient.statusCode())
                .as("Hawtio's client speaks for people, never for itself")
                .isEqualTo(400);
        assertThat(JSON.readTree(webClient.body()).path("error").asText()).isEqualTo("unauthorized_client");
    }

    @Test
    void aPersonSignsInWithPkceAndTheIdTokenCarriesTheirRoles() throws Exception {
        for (String name : List.of("operator", "reader")) {
            LocalUser person = issuer.user(name);
            String verifier = codeVerifier();
            BrowserSession browser = new BrowserSession();

            List<HttpResponse<String>> hops = browser.signIn(
                    authorizeUrl(
                            redirectUri("127.0.0.1"),
                            Map.of("code_challenge", challenge(verifier), "code_challenge_method", "S256")),
                    person.name(),
                    person.password());
            JsonNode tokens = redeem(code(hops), redirectUri("127.0.0.1"), verifier);

            assertThat(BrowserSession.uris(hops))
                    .as("authorize, login form, back to authorize, to sfcache")
                    .anySatisfy(uri -> assertThat(uri.getPath()).isEqualTo("/login"));
            Jwt idToken = decoder.decode(tokens.path("id_token").asText());
            assertThat(idToken.getSubject()).isEqualTo(name);
            assertThat(idToken.getAudience()).containsExactly("local-hawtio");
            assertThat(idToken.getClaimAsStringList("roles")).containsExactlyElementsOf(person.roles());
            HttpResponse<String> userInfo = HTTP.send(
                    HttpRequest.newBuilder(URI.create(issuer.issuer() + "/userinfo"))
                            .header(
                                    "Authorization",
                                    "Bearer " + tokens.path("access_token").asText())
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(userInfo.statusCode()).as(userInfo.body()).isEqualTo(200);
            assertThat(JSON.readTree(userInfo.body()).path("sub").asText()).isEqualTo(name);
        }
    }

    @Test
    void theAuthorizationEndpointInsistsOnPkceAndOnRedirectUrisOnThisMachine() {
        String verifier = codeVerifier();
        Map<String, String> pkce = Map.of("code_challenge", challenge(verifier), "code_challenge_method", "S256");

        List<HttpResponse<String>> withoutPkce =
                new BrowserSession().follow(authorizeUrl(redirectUri("127.0.0.1"), Map.of()));
        HttpResponse<String> elsewhere =
                new BrowserSession().get(authorizeUrl("https://sfcache.example.com/login/oauth2/code/sfcache", pkce));
        List<HttpResponse<String>> localhost =
                new BrowserSession().follow(authorizeUrl(redirectUri("localhost"), pkce));

        assertThat(last(withoutPkce).uri().getQuery())
                .as("sent back to sfcache with the error")
                .contains("error=invalid_request")
                .contains("code_challenge");
        assertThat(elsewhere.statusCode())
                .as("an unregistered redirect URI is never redirected to")
                .isEqualTo(400);
        assertThat(last(localhost).uri().getPath())
                .as("localhost on any port, like Entra ID")
                .isEqualTo("/login");
    }

    @Test
    void eachIssuerHasItsOwnKeyAndSecrets() {
        try (TokenIssuerStandin other = TokenIssuerStandin.start("api://sfcache-test")) {
            assertThat(other.client("local-reader").secret())
                    .isNotEqualTo(issuer.client("local-reader").secret());
            assertThat(other.user("operator").password())
                    .isNotEqualTo(issuer.user("operator").password());
            String foreign = other.mint("app-1", List.of("sfcache.reader"), Duration.ofMinutes(5));
            assertThatThrownBy(() -> decoder.decode(foreign)).isInstanceOf(BadJwtException.class);
        }
    }

    private static String redirectUri(String host) {
        return "http://" + host + ":" + callback.getAddress().getPort() + "/login/oauth2/code/sfcache";
    }

    private static String authorizeUrl(String redirectUri, Map<String, String> extra) {
        UriComponentsBuilder url = UriComponentsBuilder.fromUriString(issuer.authorizationEndpoint())
                .queryParam("response_type", "code")
                .queryParam("client_id", "local-hawtio")
                .queryParam("scope", "openid profile")
                .queryParam("state", "state-1")
                .queryParam("redirect_uri", redirectUri);
        extra.forEach(url::queryParam);
        return url.encode().build().toUriString();
    }

    /** The code the browser brought back to the redirect URI. */
    private static String code(List<HttpResponse<String>> hops) {
        URI landed = last(hops).uri();
        assertThat(landed.getPath()).as("%s", BrowserSession.uris(hops)).isEqualTo("/login/oauth2/code/sfcache");
        return UriComponentsBuilder.fromUri(landed).build().getQueryParams().getFirst("code");
    }

    /** The token request sfcache makes with the code (client_secret_post, as sfcache's registration says). */
    private static JsonNode redeem(String code, String redirectUri, String verifier) throws Exception {
        LocalClient hawtio = issuer.client("local-hawtio");
        HttpResponse<String> response = postToken(
                "grant_type=authorization_code&code=" + encode(code)
                        + "&redirect_uri=" + encode(redirectUri) + "&code_verifier=" + verifier
                        + "&client_id=" + hawtio.id() + "&client_secret=" + hawtio.secret(),
                null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String codeVerifier() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clientCredentialsToken(TokenIssuerStandin provider, LocalClient client) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(provider.tokenEndpoint()))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", basicAuth(client.id(), client.secret()))
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("access_token").asText();
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
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> texts(JsonNode array) {
        return texts(array, null);
    }

    private static List<String> texts(JsonNode array, String field) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(node -> field == null ? node.asText() : node.path(field).asText())
                .toList();
    }

    private static <T> T last(List<T> items) {
        return items.get(items.size() - 1);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
