package io.sfcache.standin.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Local stand-in for an OpenID Connect issuer such as Entra ID: plain HTTP on a free 127.0.0.1 port, serving
 * discovery ({@code /.well-known/openid-configuration}), the JWKS of a per-JVM RSA key, and {@code POST /token}
 * (client credentials for {@code local-reader} and {@code local-ops}). sfcache finds it through
 * {@code sfcache.security.issuer-uri} exactly as it finds a real issuer, so the real JWT decoder, signature and
 * claim checks run.
 *
 * <p>Tests mint tokens directly: {@link #mint}, and bad ones with {@link #expired}, {@link #forAudience},
 * {@link #fromIssuer} and {@link #signedByUnknownKey}.
 *
 * <p>Left out: authorization-code and device flows, id tokens, refresh tokens, key rotation, token revocation.
 */
public final class TokenIssuerStandin implements AutoCloseable {

    public static final String DEFAULT_AUDIENCE = "api://sfcache";
    /** sfcache's default role names and roles claim (sfcache.security.*). */
    public static final String READER_ROLE = "sfcache.reader";
    public static final String OPS_ROLE = "sfcache.ops";
    public static final String ROLES_CLAIM = "roles";
    /** Lifetime of tokens from {@code /token}: Entra ID's usual hour. */
    public static final Duration CLIENT_TOKEN_TTL = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(TokenIssuerStandin.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TokenIssuerStandin shared;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String issuer;
    private final String audience;
    private final TokenMinter minter = TokenMinter.withNewKey();
    private final List<LocalClient> clients = List.of(
            LocalClient.withRandomSecret("local-reader", List.of(READER_ROLE)),
            LocalClient.withRandomSecret("local-ops", List.of(OPS_ROLE)));

    private TokenIssuerStandin(String audience) throws IOException {
        this.audience = audience;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/.well-known/openid-configuration", exchange -> serveJson(exchange, discovery()));
        server.createContext("/jwks", exchange -> serveJson(exchange, minter.publicKeys().toJSONObject()));
        server.createContext("/token", new ClientCredentialsEndpoint(clients, CLIENT_TOKEN_TTL,
                client -> mint(client.id(), client.roles(), CLIENT_TOKEN_TTL)));
        executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "token-issuer-standin");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** A private issuer for tokens of the given audience; close it when done. */
    public static TokenIssuerStandin start(String audience) {
        try {
            TokenIssuerStandin standin = new TokenIssuerStandin(audience);
            LOG.info("Token issuer stand-in: {} (audience {})", standin.issuer, audience);
            return standin;
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the token issuer stand-in's loopback port", e);
        }
    }

    /** One instance per JVM, shared by test classes and the local run, stopped at JVM exit. */
    public static synchronized TokenIssuerStandin shared() {
        if (shared == null) {
            shared = start(DEFAULT_AUDIENCE);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "token-issuer-standin-stop"));
        }
        return shared;
    }

    /** {@code http://127.0.0.1:<port>}: the value for sfcache.security.issuer-uri and every token's iss. */
    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    public String tokenEndpoint() {
        return issuer + "/token";
    }

    /** The clients {@code POST /token} accepts, with their per-JVM secrets. */
    public List<LocalClient> clients() {
        return clients;
    }

    public LocalClient client(String id) {
        return clients.stream().filter(client -> client.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no local client " + id));
    }

    /** A valid RS256 access token for this issuer and audience, with the given roles. */
    public String mint(String subject, List<String> roles, Duration ttl) {
        Instant now = now();
        return minter.sign(new TokenMinter.Claims(issuer, audience, subject, ROLES_CLAIM, roles, now, now.plus(ttl)));
    }

    /** Expired an hour ago: well past the minute of clock skew resource servers allow. */
    public String expired(String subject, List<String> roles) {
        Instant issued = now().minus(Duration.ofHours(2));
        return minter.sign(new TokenMinter.Claims(issuer, audience, subject, ROLES_CLAIM, roles, issued,
                issued.plus(Duration.ofHours(1))));
    }

    /** Valid in every way but issued for another audience (another API of the same tenant). */
    public String forAudience(String otherAudience, String subject, List<String> roles) {
        Instant now = now();
        return minter.sign(new TokenMinter.Claims(issuer, otherAudience, subject, ROLES_CLAIM, roles, now,
                now.plus(Duration.ofMinutes(10))));
    }

    /** Signed with this issuer's key but naming another issuer. */
    public String fromIssuer(String otherIssuer, String subject, List<String> roles) {
        Instant now = now();
        return minter.sign(new TokenMinter.Claims(otherIssuer, audience, subject, ROLES_CLAIM, roles, now,
                now.plus(Duration.ofMinutes(10))));
    }

    /** Every claim right, but signed by a key this issuer never published (a forged token). */
    public String signedByUnknownKey(String subject, List<String> roles) {
        Instant now = now();
        return TokenMinter.withNewKey().sign(new TokenMinter.Claims(issuer, audience, subject, ROLES_CLAIM, roles,
                now, now.plus(Duration.ofMinutes(10))));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static Instant now() {
        // JWT times are whole seconds.
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private Map<String, Object> discovery() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("jwks_uri", issuer + "/jwks");
        document.put("token_endpoint", tokenEndpoint());
        document.put("grant_types_supported", List.of("client_credentials"));
        document.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        document.put("response_types_supported", List.of("token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256"));
        return document;
    }

    private static void serveJson(HttpExchange exchange, Map<String, Object> body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = toJson(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static byte[] toJson(Map<String, Object> body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
