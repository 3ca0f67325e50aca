package io.sfcache.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running sfcache's operations API ({@code POST /graphql}, ops role): the contracts it enforces
 * ({@code dataContracts}) and what its cache holds in a field ({@code fieldUsage}). Any failure is an
 * {@link IllegalStateException} naming what was asked: the check then stops rather than report without the counts
 * it was told to use.
 */
final class OpsApi implements CacheCounts {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final String CONTRACTS = "{ dataContracts { sobject location schema } }";
    private static final String USAGE =
            "query($sobject: String!, $field: String!, $values: [String!], $longerThan: Int) {"
                    + " fieldUsage(sobject: $sobject, field: $field, values: $values, longerThan: $longerThan)"
                    + " { records values { value count } longerCount } }";

    private final URI endpoint;
    private final String token;
    private final ObjectMapper json;
    private final HttpClient http;

    /** @param baseUrl sfcache's URL, e.g. https://sfcache.example.com (the API is at /graphql) */
    OpsApi(String baseUrl, String token, ObjectMapper json) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/graphql");
        this.token = token;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @Override
    public Map<String, JsonNode> contracts() {
        Map<String, JsonNode> contracts = new LinkedHashMap<>();
        ask(CONTRACTS, json.createObjectNode(), "the data contracts")
                .path("dataContracts")
                .forEach(c -> contracts.put(c.path("location").asText(), c.path("schema")));
        return contracts;
    }

    @Override
    public Optional<Usage> usage(String sobject, String field, List<String> values, Integer longerThan) {
        ObjectNode variables = json.createObjectNode().put("sobject", sobject).put("field", field);
        values.forEach(variables.putArray("values")::add);
        if (longerThan != null) {
            variables.put("longerThan", longerThan);
        }
        JsonNode usage = ask(USAGE, variables, "the cached values of " + sobject + "." + field)
                .path("fieldUsage");
        Map<String, Long> counts = new LinkedHashMap<>();
        usage.path("values")
                .forEach(v ->
                        counts.put(v.path("value").asText(), v.path("count").asLong()));
        return Optional.of(new Usage(
                usage.path("records").asLong(),
                counts,
                usage.hasNonNull("longerCount") ? usage.get("longerCount").asLong() : null));
    }

    @Override
    public String source() {
        return "sfcache at " + endpoint.resolve("/");
    }

    private JsonNode ask(String query, ObjectNode variables, String what) {
        ObjectNode body = json.createObjectNode().put("query", query);
        body.set("variables", variables);
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                    .build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot ask " + endpoint + " for " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted asking " + endpoint + " for " + what, e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new IllegalStateException(endpoint + " answered " + response.statusCode() + " for " + what
                    + ": the token (SFCACHE_TOKEN or --token-file) must be valid and carry sfcache's ops role");
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(endpoint + " answered " + response.statusCode() + " for " + what);
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(endpoint + " did not answer JSON for " + what, e);
        }
        if (answer.path("errors").size() > 0) {
            JsonNode error = answer.path("errors").get(0);
            String type = error.path("extensions").path("classification").asText("");
            throw new IllegalStateException(
                    endpoint + " refused " + what + ": " + error.path("message").asText()
                            + (type.equals("FORBIDDEN") || type.equals("UNAUTHORIZED")
                                    ? " (the token needs the ops role)"
                                    : ""));
        }
        return answer.path("data");
    }
}
