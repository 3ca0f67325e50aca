package io.sfcache.standin.identity;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * {@code POST /token}: the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) for the stand-in's fixed local
 * clients, so a person can fetch a fresh token with curl. Clients authenticate with HTTP Basic or with
 * {@code client_id}/{@code client_secret} in the form, as Entra ID allows both. Errors use the RFC's error codes.
 */
final class ClientCredentialsEndpoint implements HttpHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<LocalClient> clients;
    private final Duration ttl;
    private final Function<LocalClient, String> mint;

    ClientCredentialsEndpoint(List<LocalClient> clients, Duration ttl, Function<LocalClient, String> mint) {
        this.clients = List.copyOf(clients);
        this.ttl = ttl;
        this.mint = mint;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Map<String, String> form = parseForm(exchange.getRequestBody());
            String grantType = form.get("grant_type");
            if (grantType == null) {
                reply(exchange, 400, error("invalid_request", "grant_type is missing"));
                return;
            }
            if (!"client_credentials".equals(grantType)) {
                reply(exchange, 400, error("unsupported_grant_type", "only client_credentials is supported"));
                return;
            }
            Optional<LocalClient> client = authenticate(exchange, form);
            if (client.isEmpty()) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"sfcache-local\"");
                reply(exchange, 401, error("invalid_client", "unknown client or wrong secret; known clients: "
                        + clients.stream().map(LocalClient::id).toList()));
                return;
            }
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("access_token", mint.apply(client.get()));
            token.put("token_type", "Bearer");
            token.put("expires_in", ttl.toSeconds());
            reply(exchange, 200, token);
        }
    }

    private Optional<LocalClient> authenticate(HttpExchange exchange, Map<String, String> form) {
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            // RFC 6749 2.3.1: id and secret are form-urlencoded before they go into Basic.
            id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
            secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
        }
        if (id == null || secret == null) {
            return Optional.empty();
        }
        String clientId = id;
        byte[] given = secret.getBytes(StandardCharsets.UTF_8);
        return clients.stream()
                .filter(client -> client.id().equals(clientId))
                .filter(client -> MessageDigest.isEqual(client.secret().getBytes(StandardCharsets.UTF_8), given))
                .findFirst();
    }

    private static Map<String, String> parseForm(InputStream body) throws IOException {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = new HashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(name, value);
        }
        return form;
    }

    private static Map<String, Object> error(String code, String description) {
        return Map.of("error", code, "error_description", description);
    }

    private static void reply(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        // RFC 6749 5.1: token responses must not be cached.
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
