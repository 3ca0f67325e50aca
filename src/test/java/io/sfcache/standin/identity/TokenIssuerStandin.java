package io.sfcache.standin.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.servlet.context.AnnotationConfigServletWebServerApplicationContext;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;

/**
 * The local identity provider, playing Entra ID for sfcache's tests and local run: Spring Authorization Server on a
 * free 127.0.0.1 port, in a Spring context of its own ({@link IdentityProviderConfiguration}). It serves OIDC
 * discovery, the JWKS, the client-credentials grant for apps ({@code local-reader}, {@code local-ops}) and the reader's
 * eye probe ({@code local-probe}), and the authorization-code grant with PKCE for Hawtio's web client
 * ({@code local-hawtio}), whose people sign in at a login form: {@code operator} (ops role) and {@code reader}. sfcache
 * finds it through {@code sfcache.security.issuer-uri} exactly as it finds a real issuer, so the real decoder and the
 * real OIDC login run.
 *
 * <p>Tests mint tokens directly with the provider's own encoder and key: {@link #mint}, and bad ones with
 * {@link #expired}, {@link #forAudience}, {@link #fromIssuer} and {@link #signedByUnknownKey}; {@link #rotateKey()}
 * switches to a new signing key (the previous ones stay published).
 *
 * <p>Left out: refresh tokens (no client is given the grant), the device and token-exchange flows, consent pages,
 * dynamic client registration, group or directory lookups, persistence (clients, people, keys and sessions live in
 * memory for one JVM). Spring Authorization Server also serves token revocation, introspection and RP-initiated logout;
 * nothing here uses or tests them.
 */
public final class TokenIssuerStandin implements AutoCloseable {

    public static final String DEFAULT_AUDIENCE = "api://sfcache";
    /** sfcache's default role names and roles claim (sfcache.security.*). */
    public static final String READER_ROLE = "sfcache.reader";

    public static final String OPS_ROLE = "sfcache.ops";
    public static final String ROLES_CLAIM = "roles";
    /** Lifetime of tokens from the token endpoint: Entra ID's usual hour. */
    public static final Duration CLIENT_TOKEN_TTL = Duration.ofHours(1);

    public static final String READER_CLIENT = "local-reader";
    public static final String OPS_CLIENT = "local-ops";
    /** sfcache's reader's-eye probe asks its own API with this client's tokens. */
    public static final String PROBE_CLIENT = "local-probe";
    /** Hawtio's web client: authorization code with PKCE, redirect URI {@code <sfcache>/login/oauth2/code/sfcache}. */
    public static final String HAWTIO_CLIENT = "local-hawtio";

    public static final String OPERATOR = "operator";
    public static final String READER = "reader";

    private static final Logger LOG = LoggerFactory.getLogger(TokenIssuerStandin.class);
    private static final int START_ATTEMPTS = 3;
    private static TokenIssuerStandin shared;

    private final String issuer;
    private final String audience;
    private final SigningKeys keys = new SigningKeys();
    private final JwtEncoder encoder = keys.encoder();
    private final List<LocalClient> apps = List.of(
            LocalClient.withRandomSecret(READER_CLIENT, List.of(READER_ROLE)),
            LocalClient.withRandomSecret(OPS_CLIENT, List.of(OPS_ROLE)),
            LocalClient.withRandomSecret(PROBE_CLIENT, List.of(READER_ROLE)));
    private final LocalClient hawtio = LocalClient.withRandomSecret(HAWTIO_CLIENT, List.of());
    private final List<LocalUser> users = List.of(
            LocalUser.withRandomPassword(OPERATOR, List.of(OPS_ROLE)),
            LocalUser.withRandomPassword(READER, List.of(READER_ROLE)));
    private final AnnotationConfigServletWebServerApplicationContext context;

    private TokenIssuerStandin(String audience, int port) {
        this.audience = audience;
        this.issuer = "http://127.0.0.1:" + port;
        IdentityProviderConfiguration.Setup setup = new IdentityProviderConfiguration.Setup(
                issuer, port, audience, apps, hawtio, users, keys, encoder, CLIENT_TOKEN_TTL);
        context = new AnnotationConfigServletWebServerApplicationContext();
        context.setDisplayName("identity provider stand-in " + issuer);
        context.registerBean(IdentityProviderConfiguration.Setup.class, () -> setup);
        context.register(IdentityProviderConfiguration.class);
        context.refresh();
    }

    /** A private provider for tokens of the given audience; close it when done. */
    public static TokenIssuerStandin start(String audience) {
        for (int attempt = 1; ; attempt++) {
            try {
                TokenIssuerStandin standin = new TokenIssuerStandin(audience, freeLoopbackPort());
                LOG.info("Identity provider stand-in: {} (audience {})", standin.issuer, audience);
                return standin;
            } catch (RuntimeException e) {
                // The issuer names the port, so it is chosen before Tomcat binds it: another process may take it in
                // between. Rare, and another port fixes it.
                if (attempt == START_ATTEMPTS || !portTaken(e)) {
                    throw e;
                }
            }
        }
    }

    /** One instance per JVM, shared by test classes and the local run, stopped at JVM exit. */
    public static synchronized TokenIssuerStandin shared() {
        if (shared == null) {
            shared = start(DEFAULT_AUDIENCE);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "identity-provider-standin-stop"));
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
        return issuer + "/oauth2/token";
    }

    public String authorizationEndpoint() {
        return issuer + "/oauth2/authorize";
    }

    /** Every client with its per-JVM secret: the apps' client-credentials clients, then Hawtio's web client. */
    public List<LocalClient> clients() {
        return Stream.concat(apps.stream(), Stream.of(hawtio)).toList();
    }

    public LocalClient client(String id) {
        return clients().stream()
                .filter(client -> client.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no local client " + id));
    }

    /** The people who may sign in at the login form, with their per-JVM passwords. */
    public List<LocalUser> users() {
        return users;
    }

    public LocalUser user(String name) {
        return users.stream()
                .filter(user -> user.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no local user " + name));
    }

    /**
     * Signs every token from now on with a new key. The JWKS lists it next to the previous ones, so tokens already
     * out stay valid; a resource server finds the new key when it first sees its key id. Returns the new key id.
     */
    public String rotateKey() {
        String keyId = keys.rotate();
        LOG.info("Identity provider stand-in {}: signing key rotated to {}", issuer, keyId);
        return keyId;
    }

    /** The key id ({@code kid}) of the key tokens are signed with now. */
    public String signingKeyId() {
        return keys.currentKeyId();
    }

    /** A valid RS256 access token for this issuer and audience, with the given roles. */
    public String mint(String subject, List<String> roles, Duration ttl) {
        Instant now = now();
        return sign(encoder, issuer, audience, subject, roles, now, now.plus(ttl));
    }

    /** Expired an hour ago: well past the minute of clock skew resource servers allow. */
    public String expired(String subject, List<String> roles) {
        Instant issued = now().minus(Duration.ofHours(2));
        return sign(encoder, issuer, audience, subject, roles, issued, issued.plus(Duration.ofHours(1)));
    }

    /** Valid in every way but issued for another audience (another API of the same tenant). */
    public String forAudience(String otherAudience, String subject, List<String> roles) {
        Instant now = now();
        return sign(encoder, issuer, otherAudience, subject, roles, now, now.plus(Duration.ofMinutes(10)));
    }

    /** Signed with this issuer's key but naming another issuer. */
    public String fromIssuer(String otherIssuer, String subject, List<String> roles) {
        Instant now = now();
        return sign(encoder, otherIssuer, audience, subject, roles, now, now.plus(Duration.ofMinutes(10)));
    }

    /** Every claim right, but signed by a key this issuer never published (a forged token). */
    public String signedByUnknownKey(String subject, List<String> roles) {
        Instant now = now();
        return sign(
                SigningKeys.throwawayEncoder(),
                issuer,
                audience,
                subject,
                roles,
                now,
                now.plus(Duration.ofMinutes(10)));
    }

    @Override
    public void close() {
        context.close();
    }

    /** The claims the token endpoint puts into a client-credentials token, with one field bent for bad tokens. */
    private static String sign(
            JwtEncoder encoder,
            String issuer,
            String audience,
            String subject,
            List<String> roles,
            Instant issuedAt,
            Instant expiresAt) {
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .audience(List.of(audience))
                .subject(subject)
                .claim(ROLES_CLAIM, roles)
                .issuedAt(issuedAt)
                .notBefore(issuedAt)
                .expiresAt(expiresAt)
                .id(UUID.randomUUID().toString())
                .build();
        JwsHeader header = JwsHeader.with(SignatureAlgorithm.RS256).type("JWT").build();
        return encoder.encode(JwtEncoderParameters.from(header, claims)).getTokenValue();
    }

    private static Instant now() {
        // JWT times are whole seconds.
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for the identity provider stand-in", e);
        }
    }

    private static boolean portTaken(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PortInUseException || cause instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
