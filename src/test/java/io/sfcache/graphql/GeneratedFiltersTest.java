package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosAsyncClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.graphql.FilterOracle.Field;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import reactor.core.publisher.Flux;

/**
 * Every kind of query the read API can generate, run through the GraphQL HTTP API against the Cosmos stand-in (as
 * apps call it: variables coerced by the schema's scalars, the API's own cursors, which the repository alone would
 * skip), each answer checked against {@link FilterOracle}'s independent evaluation of the same filter over
 * the same records, and each query bounded in time: a query not answered within {@link #BOUND} fails with its SQL.
 * The filters are derived from the data contracts: every operator of every field's filter type (and its negation),
 * and/or/not trees three deep; every sort, paged to the end with the API's cursors. Records (500 accounts, 250
 * contacts, 250 opportunities, seed {@link #SEED}) are written straight to Cosmos in sfcache's stored form, with one
 * owner id that keeps them apart from other tests' records: every filter is sent as
 * {@code {ownerId: {eq: owner}, and: [filter]}}.
 */
@SfcacheIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratedFiltersTest {

    private static final long SEED = 20_261_207L;
    /** The longest any one query may take (HTTP, GraphQL, Cosmos) over the test's 1,000 records. */
    private static final Duration BOUND = Duration.ofSeconds(1);

    private static final int PAGE = 100;
    private static final Map<String, String> QUERY_FIELDS =
            Map.of("Account", "accounts", "Contact", "contacts", "Opportunity", "opportunities");

    @Autowired
    DataContracts contracts;

    @Autowired
    CosmosAsyncClient cosmos;

    @Autowired
    CosmosProperties store;

    @LocalServerPort
    int port;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final FilterCases cases = new FilterCases(SEED);
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    private String owner;
    private String token;
    /** The operators of each filter input type, as the schema declares them. */
    private Map<String, List<String>> operators;

    private final List<Long> millis = new ArrayList<>();
    private Duration worst = Duration.ZERO;
    private String worstQuery = "";

    /** One object's records, fields and expected answers. */
    record Target(
            DataContract contract,
            String queryField,
            Map<String, Field> fields,
            FilterOracle oracle,
            List<ObjectNode> records,
            List<ObjectNode> leaves) {}

    @BeforeAll
    void seed() {
        owner = cases.id("005");
        token = TokenIssuerStandin.shared()
                .mint("generated-filters", List.of(TokenIssuerStandin.READER_ROLE), Duration.ofMinutes(30));
        operators = operatorsByFilterType();
        List<String> otherAccounts =
                Stream.generate(() -> cases.id("001")).limit(40).toList();
        List<ObjectNode> accounts = seed("Account", "001", 500, otherAccounts);
        List<String> accountIds =
                accounts.stream().map(doc -> doc.path("id").asText()).toList();
        seed("Contact", "003", 250, accountIds);
        seed("Opportunity", "006", 250, accountIds);
        // the first request of each kind warms the JVM, the JWKS cache and the stand-in's query compiler: unbounded
        targets.values()
                .forEach(target ->
                        request(target, json.createObjectNode(), null, 1, null, false, true, Duration.ofSeconds(30)));
    }

    private List<ObjectNode> seed(String sobject, String idPrefix, int count, List<String> related) {
        DataContract contract = contracts.find(sobject).orElseThrow();
        Map<String, Field> fields = new LinkedHashMap<>();
        fields.put(Field.ID.name(), Field.ID);
        contract.fields().values().forEach(field -> fields.put(ObjectApi.fieldName(field), Field.of(field)));
        fields.put(Field.SYNCED_AT.name(), Field.SYNCED_AT);

        List<ObjectNode> records = cases.records(contract, idPrefix, count, owner, related);
        var container = cosmos.getDatabase(store.getDatabase()).getContainer(contract.container());
        Flux.fromIterable(records).flatMap(container::upsertItem, 32).blockLast(Duration.ofMinutes(1));

        List<ObjectNode> leaves = fields.values().stream()
                .flatMap(field -> cases.leaves(field, operators.get(field.kind().filterType), records).stream())
                .toList();
        targets.put(
                sobject,
                new Target(contract, QUERY_FIELDS.get(sobject), fields, new FilterOracle(fields), records, leaves));
        return records;
    }

    @AfterAll
    void report() {
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf(
                Locale.ROOT,
                "GeneratedFiltersTest: %d queries over %d records in %d s; median %d ms, "
                        + "p99 %d ms, slowest %d ms: %s%n",
                sorted.size(),
                targets.values().stream().mapToInt(t -> t.records().size()).sum(),
                Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2),
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() * 99 / 100),
                worst.toMillis(),
                worstQuery);
    }

    @Test
    void schemaTypesEachContractFieldWithTheFilterOfItsKind() {
        for (Target target : targets.values()) {
            JsonNode inputs = graphql("{ __type(name: \"" + target.contract().sobject()
                            + "Filter\") { inputFields { name type { name } } } }")
                    .path("__type")
                    .path("inputFields");
            Map<String, String> actual = new LinkedHashMap<>();
            inputs.forEach(input -> actual.put(
                    input.path("name").asText(), input.path("type").path("name").asText()));
            target.fields()
                    .values()
                    .forEach(field -> assertThat(actual)
                            .as("%s.%s", target.contract().sobject(), field.name())
                            .containsEntry(field.name(), field.kind().filterType));
        }
    }

    @Test
    void everyOperatorOfEveryFieldAndItsNegation() {
        List<String> failures = new ArrayList<>();
        for (Target target : targets.values()) {
            Set<String> negated = new HashSet<>();
            for (ObjectNode leaf : target.leaves()) {
                check(failures, target, leaf, null, false);
                // each operator of each field type also negated once here (the trees negate all sorts of leaves)
                String field = leaf.fieldNames().next();
                if (negated.add(target.fields().get(field).kind() + "."
                        + leaf.path(field).fieldNames().next())) {
                    check(failures, target, json.createObjectNode().set("not", leaf), null, false);
                }
            }
        }
        assertNoFailures(failures);
    }

    @Test
    void andOrNotNestedThreeDeep() {
        List<String> failures = new ArrayList<>();
        for (Target target : targets.values()) {
            List<Field> sortable =
                    target.fields().values().stream().filter(Field::sortable).toList();
            for (int i = 0; i < 45; i++) {
                ObjectNode filter = cases.tree(i < 35 ? 3 : 2, target.leaves());
                Field sort = sortable.get(i % sortable.size());
                check(failures, target, filter, orderBy(sort, i % 2 == 1), i % 9 == 0);
            }
            check(failures, target, (ObjectNode) parse("{\"and\": []}"), null, false);
            check(failures, target, (ObjectNode) parse("{\"or\": []}"), null, false);
            check(failures, target, (ObjectNode) parse("{\"not\": {}}"), null, false);
        }
        // what an app sent that wedged the stand-in: an or of an eq and a not-isNull, plus an in
        check(failures, targets.get("Account"), (ObjectNode) parse("""
                {"or": [{"industry": {"eq": "Energy"}}, {"not": {"billingCity": {"isNull": true}}}],
                 "type": {"in": ["Prospect", "Other"]}}"""), null, false);
        assertNoFailures(failures);
    }

    @Test
    void everySortPagesToTheEndWithTheApiCursors() {
        List<String> failures = new ArrayList<>();
        for (Target target : targets.values()) {
            List<Field> sortable =
                    target.fields().values().stream().filter(Field::sortable).toList();
            for (Field field : sortable) {
                for (boolean descending : List.of(false, true)) {
                    pageToTheEnd(failures, target, json.createObjectNode(), field, descending, false);
                }
            }
            // a filter and the keyset together, tombstones included
            ObjectNode filter = cases.tree(2, target.leaves());
            pageToTheEnd(failures, target, filter, sortable.get(1), true, true);
        }
        assertNoFailures(failures);
    }

    private void pageToTheEnd(
            List<String> failures,
            Target target,
            ObjectNode filter,
            Field field,
            boolean descending,
            boolean includeDeleted) {
        JsonNode orderBy = orderBy(field, descending);
        List<String> expected = FilterOracle.ids(expected(target, filter, orderBy, includeDeleted));
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        try {
            while (true) {
                JsonNode page = request(target, filter, orderBy, PAGE, after, includeDeleted, false, BOUND);
                seen.addAll(ids(page));
                pages++;
                if (!page.path("pageInfo").path("hasNextPage").asBoolean()) {
                    break;
                }
                after = page.path("pageInfo").path("endCursor").asText();
                if (pages > expected.size() / PAGE + 2) {
                    throw new AssertionError("paging does not end: " + pages + " pages for " + expected.size()
                            + " records, " + (seen.size() - new HashSet<>(seen).size()) + " seen twice");
                }
            }
            assertSameRows("all pages", target, expected, seen, field);
        } catch (AssertionError e) {
            failures.add(describe(target, filter, orderBy) + "\n  "
                    + e.getMessage().lines().limit(12).collect(Collectors.joining("\n  ")));
        }
    }

    /**
     * One query: its first page against the oracle, and its totalCount when there is more than a page (with less,
     * the first page is the whole answer, and counting would only add a second Cosmos query).
     */
    private void check(
            List<String> failures, Target target, ObjectNode filter, JsonNode orderBy, boolean includeDeleted) {
        try {
            List<String> expected = FilterOracle.ids(expected(target, filter, orderBy, includeDeleted));
            boolean count = expected.size() > PAGE;
            JsonNode page = request(target, filter, orderBy, PAGE, null, includeDeleted, count, BOUND);
            assertSameRows(
                    "first page",
                    target,
                    expected.subList(0, Math.min(PAGE, expected.size())),
                    ids(page),
                    sortField(target, orderBy));
            if (count) {
                assertThat(page.path("totalCount").asInt()).as("totalCount").isEqualTo(expected.size());
            }
            assertThat(page.path("pageInfo").path("hasNextPage").asBoolean())
                    .as("hasNextPage")
                    .isEqualTo(expected.size() > PAGE);
        } catch (AssertionError e) {
            failures.add(describe(target, filter, orderBy) + "\n  "
                    + e.getMessage().lines().limit(12).collect(Collectors.joining("\n  ")));
        }
    }

    /** Where the rows differ, with the stored values of the rows concerned. */
    private static void assertSameRows(
            String what, Target target, List<String> expected, List<String> actual, Field sort) {
        if (expected.equals(actual)) {
            return;
        }
        Map<String, JsonNode> byId = target.records().stream()
                .collect(Collectors.toMap(doc -> doc.path("id").asText(), doc -> doc));
        java.util.function.Function<String, String> show = id -> id + " (" + sort.name() + "="
                + (!byId.containsKey(id)
                        ? "?"
                        : sort.valueIn(byId.get(id)).isMissingNode() ? "(missing)" : sort.valueIn(byId.get(id)))
                + ", fields="
                + (byId.containsKey(id) ? byId.get(id).path("fields") : "?") + ")";
        int at = 0;
        while (at < Math.min(expected.size(), actual.size()) && expected.get(at).equals(actual.get(at))) {
            at++;
        }
        Set<String> missing = new java.util.LinkedHashSet<>(expected);
        actual.forEach(missing::remove);
        Set<String> extra = new java.util.LinkedHashSet<>(actual);
        expected.forEach(extra::remove);
        long repeated = actual.size() - new HashSet<>(actual).size();
        throw new AssertionError(what + ": expected " + expected.size() + " rows, got " + actual.size()
                + " (" + missing.size() + " missing, " + extra.size() + " unexpected, " + repeated + " repeated)"
                + "; first difference at row " + at + ": expected "
                + (at < expected.size() ? show.apply(expected.get(at)) : "nothing") + ", got "
                + (at < actual.size() ? show.apply(actual.get(at)) : "nothing")
                + missing.stream()
                        .limit(2)
                        .map(show)
                        .map(m -> "\n    missing " + m)
                        .collect(Collectors.joining())
                + extra.stream()
                        .limit(2)
                        .map(show)
                        .map(m -> "\n    unexpected " + m)
                        .collect(Collectors.joining()));
    }

    private static Field sortField(Target target, JsonNode orderBy) {
        return orderBy == null
                ? Field.ID
                : target.fields().values().stream()
                        .filter(field -> ObjectFields.sortEnum(field.name())
                                .equals(orderBy.path("field").asText()))
                        .findFirst()
                        .orElseThrow();
    }

    private List<ObjectNode> expected(Target target, ObjectNode filter, JsonNode orderBy, boolean includeDeleted) {
        Field sort = sortField(target, orderBy);
        boolean descending =
                orderBy != null && orderBy.path("direction").asText().equals("DESC");
        return target.records().stream()
                .filter(doc -> includeDeleted || !doc.path("isDeleted").asBoolean())
                .filter(doc -> target.oracle().matches(scoped(filter), doc))
                .sorted(FilterOracle.order(sort, descending))
                .toList();
    }

    /** The filter as sent: limited to this test's records. */
    private ObjectNode scoped(ObjectNode filter) {
        ObjectNode scoped = json.createObjectNode();
        scoped.putObject("ownerId").put("eq", owner);
        scoped.putArray("and").add(filter);
        return scoped;
    }

    private JsonNode orderBy(Field field, boolean descending) {
        return json.createObjectNode()
                .put("field", field.name().replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT))
                .put("direction", descending ? "DESC" : "ASC");
    }

    private JsonNode request(
            Target target,
            JsonNode filter,
            JsonNode orderBy,
            int first,
            String after,
            boolean includeDeleted,
            boolean withCount,
            Duration bound) {
        String object = target.contract().sobject();
        String document = "query($filter: " + object + "Filter, $orderBy: " + object + "Order, $first: Int, "
                + "$after: String, $includeDeleted: Boolean) { " + target.queryField() + "(filter: $filter, "
                + "orderBy: $orderBy, first: $first, after: $after, includeDeleted: $includeDeleted) { "
                + (withCount ? "totalCount " : "") + "pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        ObjectNode variables = json.createObjectNode();
        variables.set("filter", scoped((ObjectNode) filter));
        variables.set("orderBy", orderBy);
        variables.put("first", first).put("after", after).put("includeDeleted", includeDeleted);
        long start = System.nanoTime();
        JsonNode data;
        try {
            data = post(document, variables, bound);
        } catch (HttpTimeoutException cutOff) {
            // Cut off at the bound. Other builds share this machine's two cores: one more try tells a pause of the
            // machine from a slow query, which is cut off again.
            long firstMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            start = System.nanoTime();
            try {
                data = post(document, variables, bound);
            } catch (HttpTimeoutException again) {
                throw new AssertionError(
                        "no answer within " + bound.toMillis() + " ms, twice (cut off after " + firstMillis + " and "
                                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms)");
            }
            System.out.printf(
                    "GeneratedFiltersTest: cut off after %d ms, answered in time when tried again: %s%n",
                    firstMillis, describe(target, filter, orderBy));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (bound == BOUND) {
            millis.add(took.toMillis());
            if (took.compareTo(worst) > 0) {
                worst = took;
                worstQuery = describe(target, filter, orderBy);
            }
        }
        return data.path(target.queryField());
    }

    private JsonNode graphql(String document) {
        try {
            return post(document, json.createObjectNode(), Duration.ofSeconds(30));
        } catch (HttpTimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode post(String document, ObjectNode variables, Duration timeout) throws HttpTimeoutException {
        ObjectNode body = json.createObjectNode().put("query", document);
        body.set("variables", variables);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = json.readTree(response.body());
            if (response.statusCode() != 200 || answer.path("errors").size() > 0) {
                throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
            }
            return answer.path("data");
        } catch (HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("edges").forEach(edge -> ids.add(edge.path("node").path("id").asText()));
        return ids;
    }

    /** The GraphQL arguments and the SQL sfcache makes of them (first page), for failure messages. */
    @SuppressWarnings("unchecked")
    private String describe(Target target, JsonNode filter, JsonNode orderBy) {
        ObjectFields fields = new ObjectFields(target.contract());
        String sql;
        try {
            RecordFilter.Condition condition =
                    RecordFilter.toCondition(fields, json.convertValue(scoped((ObjectNode) filter), Map.class));
            Ordering ordering = Ordering.of(fields, orderBy == null ? null : json.convertValue(orderBy, Map.class));
            sql = "SELECT * FROM c WHERE " + condition.sql() + " AND c.isDeleted = false " + ordering.orderBySql()
                    + " "
                    + condition.parameters().stream()
                            .map(p -> p.getName() + "=" + p.getValue(Object.class))
                            .toList();
        } catch (RuntimeException e) {
            sql = "(no SQL: " + e.getMessage() + ")";
        }
        return target.queryField() + "(filter: " + filter + (orderBy == null ? "" : ", orderBy: " + orderBy) + ")\n  "
                + sql;
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Map<String, List<String>> operatorsByFilterType() {
        Map<String, List<String>> operators = new LinkedHashMap<>();
        for (FilterOracle.Kind kind : FilterOracle.Kind.values()) {
            JsonNode inputs = graphql("{ __type(name: \"" + kind.filterType + "\") { inputFields { name } } }")
                    .path("__type")
                    .path("inputFields");
            List<String> names = new ArrayList<>();
            inputs.forEach(input -> names.add(input.path("name").asText()));
            operators.put(kind.filterType, names);
        }
        return operators;
    }

    private static void assertNoFailures(List<String> failures) {
        Set<String> shown = new java.util.LinkedHashSet<>(failures.subList(0, Math.min(15, failures.size())));
        assertThat(failures)
                .as("%d failing queries, the first:\n%s", failures.size(), String.join("\n\n", shown))
                .isEmpty();
    }
}
