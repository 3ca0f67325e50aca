package io.sfcache.standin.salesforce;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code /services/oauth2/token} and {@code /services/oauth2/revoke}, answering like Salesforce.
 *
 * <p>Grants: {@code client_credentials} (client id and secret, in the form or as HTTP Basic), {@code password}
 * (client id and secret, user name and password) and {@code refresh_token} (client id, the org's refresh token,
 * secret optional). A good reply carries {@code access_token}, {@code instance_url} (the stand-in), {@code id}
 * ({@code <instance>/id/<org id>/<user id>}, 18-character ids), {@code token_type}, {@code issued_at} and
 * {@code signature} (HMAC-SHA256 of id + issued_at with the client secret, base64). Errors are 400 with
 * {@code error}/{@code error_description}: {@code invalid_client} for a wrong client, {@code invalid_grant} for a
 * wrong user, refresh token, or while logins are made to fail.
 */
final class OAuthEndpoint implements HttpHandler {

    /** What the connected app and its run-as user accept. */
    record Credentials(String clientId, String clientSecret, String username, String password, String refreshToken) {}

    private final Credentials credentials;
    private final Sessions sessions;
    private final String orgId;
    private final String userId;
    private final Supplier<String> instanceUrl;

    OAuthEndpoint(
            Credentials credentials, Sessions sessions, String orgId, String userId, Supplier<String> instanceUrl) {
        this.credentials = credentials;
        this.sessions = sessions;
        this.orgId = orgId;
        this.userId = userId;
        this.instanceUrl = instanceUrl;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/services/oauth2/token")
                    && exchange.getRequestMethod().equals("POST")) {
                token(exchange);
            } else if (path.equals("/services/oauth2/revoke")) {
                revoke(exchange);
            } else {
                Http.error(exchange, 404, "NOT_FOUND", "The requested resource does not exist");
            }
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = Http.parameters(exchange);
        basicAuth(exchange).forEach(form::putIfAbsent);
        String grant = form.getOrDefault("grant_type", "");
        String clientId = form.get("client_id");
        String clientSecret = form.get("client_secret");
        String failure = switch (grant) {
            case "client_credentials" -> clientOk(clientId, clientSecret) ? null : "invalid_client";
            case "password" ->
                !clientOk(clientId, clientSecret)
                        ? "invalid_client"
                        : credentials.username().equals(form.get("username"))
                                        && credentials.password().equals(form.get("password"))
                                ? null
                                : "invalid_grant";
            case "refresh_token" ->
                !credentials.clientId().equals(clientId)
                                || (clientSecret != null
                                        && !credentials.clientSecret().equals(clientSecret))
                        ? "invalid_client"
                        : credentials.refreshToken().equals(form.get("refresh_token")) ? null : "invalid_grant";
            default -> "unsupported_grant_type";
        };
        if (failure == null && sessions.loginsFail()) {
            failure = "invalid_grant";
        }
        if (failure != null) {
            sessions.loginRejected();
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", failure);
            error.put(
                    "error_description",
                    switch (failure) {
                        case "invalid_client" -> "invalid client credentials";
                        case "unsupported_grant_type" -> "grant type not supported";
                        default -> "authentication failure";
                    });
            Http.json(exchange, 400, error);
            return;
        }
        String issuedAt = Long.toString(System.currentTimeMillis());
        String id = instanceUrl.get() + "/id/" + orgId + "/" + userId;
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("access_token", sessions.open());
        reply.put("signature", sign(id + issuedAt));
        reply.put("scope", "api");
        reply.put("instance_url", instanceUrl.get());
        reply.put("id", id);
        reply.put("token_type", "Bearer");
        reply.put("issued_at", issuedAt);
        Http.json(exchange, 200, reply);
    }

    private void revoke(HttpExchange exchange) throws IOException {
        String token = Http.parameters(exchange).get("token");
        if (token != null && sessions.revoke(token)) {
            Http.empty(exchange, 200);
        } else {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", "invalid_token");
            error.put("error_description", "invalid token");
            Http.json(exchange, 400, error);
        }
    }

    private boolean clientOk(String clientId, String clientSecret) {
        return credentials.clientId().equals(clientId)
                && credentials.clientSecret().equals(clientSecret);
    }

    private static Map<String, String> basicAuth(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        Map<String, String> fields = new LinkedHashMap<>();
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded =
                    new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                fields.put("client_id", decoded.substring(0, colon));
                fields.put("client_secret", decoded.substring(colon + 1));
            }
        }
        return fields;
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(credentials.clientSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
