package io.sfcache.standin.salesforce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers for the stand-in's HTTP handlers (JDK HttpServer). */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();

    private Http() {}

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Salesforce's REST error shape: {@code [{"message": ..., "errorCode": ...}]}. */
    static void error(HttpExchange exchange, int status, String errorCode, String message) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("errorCode", errorCode);
        json(exchange, status, List.of(error));
    }

    /** A response with no body at all (no Content-Length either: 304 and friends). */
    static void empty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    /** Query string and, for form posts, the body's fields. */
    static Map<String, String> parameters(HttpExchange exchange) throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        parse(exchange.getRequestURI().getRawQuery(), parameters);
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if ("POST".equals(exchange.getRequestMethod())
                && contentType != null
                && contentType.startsWith("application/x-www-form-urlencoded")) {
            parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), parameters);
        }
        return parameters;
    }

    private static void parse(String encoded, Map<String, String> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            into.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
    }
}
