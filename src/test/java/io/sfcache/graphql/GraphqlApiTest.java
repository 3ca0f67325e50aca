package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.sync.PipelineHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/**
 * The read API over HTTP with real tokens, on records written by the real pipeline (Service Bus -> routes ->
 * Cosmos). Every record of this class carries a marker city, so other tests' records never interfere.
 */
@SfcacheIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphqlApiTest {

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    private final String marker = "Testville-" + UUID.randomUUID().toString().substring(0, 8);
    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    private final List<SalesforceRecord> accounts = new ArrayList<>();
    private final List<SalesforceRecord> contacts = new ArrayList<>();

    HttpGraphQlTester as(String... roles) {
        return GraphqlClients.as(port, "graphql-test", roles);
    }

    HttpGraphQlTester reader() {
        return as(TokenIssuerStandin.READER_ROLE);
    }

    @BeforeAll
    void seedThroughThePipeline() {
        List<ChangeMessageBuilder> changes = new ArrayList<>();
        String[] industries = {"Energy", "Banking", "Retail"};
        for (int i = 1; i <= 12; i++) {
            SalesforceRecord account = messages.account();
            ChangeMessageBuilder create = account.create()
                    .field("Name", String.format("Acme %02d", i))
                    .field("BillingCity", marker)
                    .field("AnnualRevenue", i * 1000.0)
                    .field("NumberOfEmployees", i)
                    .field("Industry", i == 12 ? null : industries[i % 3])
                    .field("ParentId", null);
            changes.add(create);
            accounts.add(account);
        }
        for (int i = 1; i <= 30; i++) {
            SalesforceRecord account = accounts.get(i % accounts.size());
            SalesforceRecord contact = messages.contact(account);
            changes.add(contact.create()
                    .field("MailingCity", marker)
                    .field("LastName", "Person " + i)
                    .field("AccountId", account.id()));
            contacts.add(contact);
        }
        changes.forEach(pipeline::send);
        pipeline.awaitCompleted(
                changes.stream().map(ChangeMessageBuilder::eventId).toList());
    }

    private String accountsFilter(String extra) {
        return "{billingCity: {eq: \"" + marker + "\"}" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private List<String> accountNames(String filter, String orderBy) {
        return reader().document("query { accounts(first: 100, filter: " + accountsFilter(filter)
                        + (orderBy == null ? "" : ", orderBy: " + orderBy) + ") { edges { node { name } } } }")
                .execute()
                .path("accounts.edges[*].node.name")
                .entityList(String.class)
                .get();
    }

    @Test
    void pointReadReturnsTypedFieldsAndFreshness() {
        SalesforceRecord account = accounts.get(0);
        var response = reader().document("""
                query($id: ID!) { account(id: $id) { id name billingCity annualRevenue numberOfEmployees
                  freshness { version { systemModstamp sequence } commitTime syncedAt lagSeconds currentAsOf ageSeconds
                              source isDeleted stale } } }""").variable("id", account.id()).execute();
        response.path("account.name").entity(String.class).isEqualTo("Acme 01");
        response.path("account.billingCity").entity(String.class).isEqualTo(marker);
        response.path("account.annualRevenue").entity(Double.class).isEqualTo(1000.0);
        response.path("account.freshness.source").entity(String.class).isEqualTo("QUEUE");
        response.path("account.freshness.isDeleted").entity(Boolean.class).isEqualTo(false);
        response.path("account.freshness.stale").entity(Boolean.class).isEqualTo(false);
        response.path("account.freshness.lagSeconds")
                .entity(Double.class)
                .satisfies(lag -> assertThat(lag).isBetween(0.0, 60.0));
        response.path("account.freshness.version.sequence")
                .entity(Integer.class)
                .isEqualTo(0);
        reader().document("{ account(id: \"001000000000000AAA\") { id } }")
                .execute()
                .path("account")
                .valueIsNull();
    }

    @Test
    void maxStalenessFlagsOrRejects() {
        String id = accounts.get(1).id();
        reader().document("{ account(id: \"" + id + "\", maxStaleness: 0) { freshness { stale ageSeconds } } }")
                .execute()
                .path("account.freshness.stale")
                .entity(Boolean.class)
                .isEqualTo(true);
        reader().document("{ account(id: \"" + id + "\", maxStaleness: 3600) { freshness { stale } } }")
                .execute()
                .path("account.freshness.stale")
                .entity(Boolean.class)
                .isEqualTo(false);
        reader().document("{ account(id: \"" + id + "\", maxStaleness: 0, onStale: REJECT) { id } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .singleElement()
                        .satisfies(e -> assertThat(e.getExtensions()).containsEntry("code", "STALE")))
                .path("account")
                .valueIsNull();
        reader().document("query { accounts(first: 5, filter: " + accountsFilter("") + ", maxStaleness: 0, "
                        + "onStale: REJECT) { edges { node { id } } } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("5 record(s) older than maxStaleness")))
                .path("accounts.edges")
                .entityList(Object.class)
                .hasSize(0);
    }

    @Test
    void everyFilterOperator() {
        assertThat(accountNames("name: {eq: \"Acme 03\"}", null)).containsExactly("Acme 03");
        assertThat(accountNames("name: {ne: \"Acme 03\"}", null)).hasSize(11).doesNotContain("Acme 03");
        assertThat(accountNames("name: {in: [\"Acme 01\", \"Acme 02\", \"Nobody\"]}", null))
                .containsExactlyInAnyOrder("Acme 01", "Acme 02");
        assertThat(accountNames("name: {contains: \"e 1\"}", null))
                .containsExactlyInAnyOrder("Acme 10", "Acme 11", "Acme 12");
        assertThat(accountNames("name: {startsWith: \"Acme 0\"}", null)).hasSize(9);
        assertThat(accountNames("industry: {isNull: true}", null)).containsExactly("Acme 12");
        assertThat(accountNames("industry: {isNull: false}", null)).hasSize(11);
        assertThat(accountNames("annualRevenue: {gt: 10000}", null)).containsExactlyInAnyOrder("Acme 11", "Acme 12");
        assertThat(accountNames("annualRevenue: {gte: 10000}", null)).hasSize(3);
        assertThat(accountNames("annualRevenue: {lt: 2000}", null)).containsExactly("Acme 01");
        assertThat(accountNames("annualRevenue: {lte: 2000, gte: 2000}", null)).containsExactly("Acme 02");
        assertThat(accountNames("numberOfEmployees: {in: [4, 5]}", null))
                .containsExactlyInAnyOrder("Acme 04", "Acme 05");
        assertThat(accountNames("or: [{name: {eq: \"Acme 01\"}}, {name: {eq: \"Acme 07\"}}]", null))
                .containsExactlyInAnyOrder("Acme 01", "Acme 07");
        assertThat(accountNames("and: [{industry: {eq: \"Energy\"}}, {numberOfEmployees: {gt: 6}}]", null))
                .containsExactlyInAnyOrder("Acme 09");
        assertThat(accountNames("not: {industry: {in: [\"Energy\", \"Banking\"]}}", null))
                .containsExactlyInAnyOrder("Acme 02", "Acme 05", "Acme 08", "Acme 11", "Acme 12");
        // a null industry is not Energy: not and ne keep it (Cosmos alone would compare null = "Energy" as undefined)
        assertThat(accountNames("not: {industry: {eq: \"Energy\"}}", null))
                .hasSize(9)
                .contains("Acme 12");
        assertThat(accountNames("industry: {ne: \"Energy\"}", null)).hasSize(9).contains("Acme 12");
        assertThat(accountNames("not: {annualRevenue: {gt: 2000}, industry: {eq: \"Banking\"}}", null))
                .hasSize(9)
                .contains("Acme 01", "Acme 12");
        assertThat(accountNames("or: []", null)).isEmpty(); // no alternative holds, as with in: []
        assertThat(accountNames("and: []", null)).hasSize(12);
        assertThat(accountNames("id: {eq: \"" + accounts.get(5).id() + "\"}", null))
                .containsExactly("Acme 06");
        assertThat(accountNames("syncedAt: {gt: \"2000-01-01T00:00:00Z\"}", null))
                .hasSize(12);
    }

    @Test
    void injectionAttemptsAreJustValues() {
        for (String attempt : List.of(
                "' OR 1=1 --", "\\\") OR true OR (\\\"", "Acme 01\\\" OR c.id != \\\"", "x'); DROP TABLE c; --")) {
            assertThat(accountNames("name: {eq: \"" + attempt + "\"}", null))
                    .as(attempt)
                    .isEmpty();
            assertThat(accountNames("name: {contains: \"" + attempt + "\"}", null))
                    .as(attempt)
                    .isEmpty();
        }
    }

    @Test
    void sortingBothWaysWithNullsFirstAscending() {
        assertThat(accountNames("", "{field: NAME, direction: DESC}")).first().isEqualTo("Acme 12");
        assertThat(accountNames("", "{field: ANNUAL_REVENUE, direction: ASC}"))
                .first()
                .isEqualTo("Acme 01");
        assertThat(accountNames("", "{field: INDUSTRY, direction: ASC}"))
                .first()
                .isEqualTo("Acme 12");
        assertThat(accountNames("", "{field: INDUSTRY, direction: DESC}"))
                .last()
                .isEqualTo("Acme 12");
    }

    @Test
    void pagesNeitherRepeatNorSkipEvenWhileRecordsAreWritten() {
        for (String order : List.of(
                "{field: NAME, direction: ASC}",
                "{field: INDUSTRY, direction: DESC}",
                "{field: ANNUAL_REVENUE, direction: DESC}")) {
            Set<String> seen = new HashSet<>();
            List<String> inOrder = new ArrayList<>();
            String after = null;
            int page = 0;
            while (true) {
                var response = reader().document("query($after: String) { accounts(first: 5, after: $after, filter: "
                                + accountsFilter("") + ", orderBy: " + order + ") { edges { node { id name } cursor } "
                                + "pageInfo { hasNextPage endCursor } totalCount } }")
                        .variable("after", after)
                        .execute();
                List<String> names = response.path("accounts.edges[*].node.name")
                        .entityList(String.class)
                        .get();
                names.forEach(n -> assertThat(seen.add(n))
                        .as("%s seen twice (%s)", n, order)
                        .isTrue());
                inOrder.addAll(names);
                response.path("accounts.totalCount").entity(Integer.class).isEqualTo(12 + Math.min(page, 1));
                if (page++ == 0) {
                    // A record written between pages, sorting before the cursor: must not shift what follows.
                    SalesforceRecord late = messages.account();
                    ChangeMessageBuilder create = late.create()
                            .field("Name", "Aardvark " + order.hashCode())
                            .field("BillingCity", marker)
                            .field("AnnualRevenue", 0.5)
                            .field("Industry", "Utilities");
                    pipeline.send(create);
                    pipeline.awaitCompleted(create.eventId());
                    accountsToForget.add(late.id());
                }
                if (!response.path("accounts.pageInfo.hasNextPage")
                        .entity(Boolean.class)
                        .get()) {
                    break;
                }
                after = response.path("accounts.pageInfo.endCursor")
                        .entity(String.class)
                        .get();
            }
            assertThat(seen)
                    .as(order)
                    .containsAll(accounts.stream().map(a -> nameOf(a)).toList());
            // Clean up the late record so the next ordering starts from the same twelve.
            deleteLate();
        }
    }

    private final List<String> accountsToForget = new ArrayList<>();

    private String nameOf(SalesforceRecord account) {
        return String.format("Acme %02d", accounts.indexOf(account) + 1);
    }

    private void deleteLate() {
        for (String id : accountsToForget) {
            SalesforceRecord record = messages.existing(io.sfcache.fixtures.SObjectType.ACCOUNT, id, null);
            ChangeMessageBuilder delete = record.delete();
            pipeline.send(delete);
            pipeline.awaitCompleted(delete.eventId());
        }
        accountsToForget.clear();
    }

    @Test
    void relationsAreResolvedInOneBatchedRequest() {
        double before = requests("readMany");
        double queriesBefore = requests("query");
        var response = reader().document("query { contacts(first: 30, filter: {mailingCity: {eq: \"" + marker
                        + "\"}}) { edges { node { lastName accountId account { id name } } } } }")
                .execute();
        List<Map<String, Object>> nodes = response.path("contacts.edges[*].node").entityList(Map.class).get().stream()
                .map(m -> (Map<String, Object>) m)
                .toList();
        assertThat(nodes)
                .hasSize(30)
                .allSatisfy(node ->
                        assertThat(((Map<?, ?>) node.get("account")).get("id")).isEqualTo(node.get("accountId")));
        assertThat(requests("readMany") - before)
                .as("one readMany for 30 contacts' accounts")
                .isEqualTo(1);
        assertThat(requests("query") - queriesBefore)
                .as("one query for the page")
                .isEqualTo(1);
    }

    /** Each account of a page lists its contacts and opportunities: one query per relation for the whole page. */
    @Test
    void parentsListTheirChildrenWithOneQueryPerRelation() {
        double queriesBefore = requests("query");
        var response = reader().document("query { accounts(first: 12, filter: " + accountsFilter("") + ") { edges { "
                        + "node { id contacts(first: 2, orderBy: {field: LAST_NAME}) { edges { node { lastName accountId } } "
                        + "pageInfo { hasNextPage } } opportunities(first: 5) { edges { node { id } } } } } } }")
                .execute();
        List<Map<String, Object>> nodes = response.path("accounts.edges[*].node").entityList(Map.class).get().stream()
                .map(m -> (Map<String, Object>) m)
                .toList();
        assertThat(nodes).hasSize(12);
        for (Map<String, Object> node : nodes) {
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 30; i++) {
                if (accounts.get(i % accounts.size()).id().equals(node.get("id"))) {
                    expected.add("Person " + i);
                }
            }
            expected.sort(null);
            Map<String, Object> list = (Map<String, Object>) node.get("contacts");
            List<Map<String, Object>> children = ((List<Map<String, Object>>) list.get("edges"))
                    .stream()
                            .map(edge -> (Map<String, Object>) edge.get("node"))
                            .toList();
            assertThat(children)
                    .extracting(child -> child.get("lastName"))
                    .as("contacts of %s", node.get("id"))
                    .containsExactlyElementsOf(expected.subList(0, 2));
            assertThat(children).extracting(child -> child.get("accountId")).containsOnly(node.get("id"));
            assertThat(((Map<String, Object>) list.get("pageInfo")).get("hasNextPage"))
                    .isEqualTo(expected.size() > 2);
            assertThat((Map<String, Object>) node.get("opportunities"))
                    .extracting("edges")
                    .asList()
                    .isEmpty();
        }
        assertThat(requests("query") - queriesBefore)
                .as("the accounts' page, their contacts, their opportunities")
                .isEqualTo(3);
    }

    private double requests(String operation) {
        var counter = meters.find("sfcache.graphql.cosmos.requests")
                .tag("operation", operation)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void genericRecordQueryServesAnyMonitoredObject() {
        SalesforceRecord contact = contacts.get(0);
        var response = reader().document("{ record(sobject: \"Contact\", id: \"" + contact.id()
                        + "\") { id sobject fields freshness { source } } }")
                .execute();
        response.path("record.sobject").entity(String.class).isEqualTo("Contact");
        response.path("record.fields.MailingCity").entity(String.class).isEqualTo(marker);
        response.path("record.fields.LastName").entity(String.class).isEqualTo("Person 1");
        reader().document("{ record(sobject: \"Lead\", id: \"00Q000000000000AAA\") { id } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors).singleElement().satisfies(e -> {
                    assertThat(e.getMessage()).contains("Lead is not a monitored object");
                    assertThat(e.getExtensions()).containsEntry("code", "BAD_REQUEST");
                }));
    }

    @Test
    void limitsOnPageSizeDepthAndComplexity() {
        reader().document("{ accounts(first: 101) { edges { node { id } } } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("first must be between 1 and 100")));
        reader().document("{ contacts(first: 1) { edges { node { account { parent { parent { parent { parent { "
                        + "parent { parent { parent { id } } } } } } } } } } } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .anySatisfy(e -> assertThat(e.getMessage()).contains("depth")));
        String page =
                "contacts(first: 100) { edges { node { id lastName email account { id name parent { id name } } } } }";
        reader().document("{ a: " + page + " b: " + page + " c: " + page + " d: " + page + " e: " + page + " }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .anySatisfy(e -> assertThat(e.getMessage()).contains("complexity")));
    }

    @Test
    void aCursorSfcacheDidNotIssueIsTheCallersMistake() {
        HttpGraphQlTester ops = as(TokenIssuerStandin.OPS_ROLE);
        String byId = ops.document("{ accounts(first: 1) { pageInfo { endCursor } } }")
                .execute()
                .path("accounts.pageInfo.endCursor")
                .entity(String.class)
                .get();
        Map<String, String> refused = Map.of(
                "{ accounts(first: 1, after: \"not a cursor\") { edges { node { id } } } }",
                "after: not a cursor sfcache issued",
                "{ accounts(first: 1, after: \"" + byId + "\", orderBy: {field: NAME}) { edges { node { id } } } }",
                "after: the cursor belongs to another ordering or list",
                "{ deadLetters(first: 1, after: \"" + byId + "\") { edges { node { id } } } }",
                "after: not a cursor sfcache issued");
        refused.forEach((query, message) -> ops.document(query)
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors).as(query).singleElement().satisfies(e -> {
                    assertThat(e.getMessage()).startsWith(message);
                    assertThat(e.getExtensions()).containsEntry("code", "BAD_REQUEST");
                })));
    }

    @Test
    void opsPageThroughDeadLettersAndRedriveThem() {
        List<ChangeMessageBuilder> broken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            broken.add(messages.account().create().field("BillingCity", marker).field("AnnualRevenue", "lots " + i));
        }
        broken.forEach(pipeline::send);
        pipeline.awaitCompleted(
                broken.stream().map(ChangeMessageBuilder::eventId).toList());
        HttpGraphQlTester ops = as(TokenIssuerStandin.OPS_ROLE);

        // Page one at a time through this object's contract violations until ours have all been seen.
        Set<String> seenIds = new HashSet<>();
        Map<String, String> ours = new java.util.HashMap<>();
        String after = null;
        do {
            var page = ops.document(
                            "query($after: String) { deadLetters(first: 2, after: $after, sobject: \"Account\", "
                                    + "reason: \"CONTRACT_VIOLATION\") { edges { node { id eventId description violations "
                                    + "attempts body(maxLength: 20) } } pageInfo { hasNextPage endCursor } } }")
                    .variable("after", after)
                    .execute();
            List<Map<String, Object>> nodes =
                    page.path("deadLetters.edges[*].node").entityList(Map.class).get().stream()
                            .map(m -> (Map<String, Object>) m)
                            .toList();
            for (Map<String, Object> node : nodes) {
                assertThat(seenIds.add((String) node.get("id")))
                        .as("no dead letter twice")
                        .isTrue();
                assertThat(((String) node.get("body")).length()).isLessThanOrEqualTo(20);
                broken.stream()
                        .filter(b -> b.eventId().equals(node.get("eventId")))
                        .forEach(b -> ours.put((String) node.get("id"), (String) node.get("description")));
            }
            after = page.path("deadLetters.pageInfo.hasNextPage")
                            .entity(Boolean.class)
                            .get()
                    ? page.path("deadLetters.pageInfo.endCursor")
                            .entity(String.class)
                            .get()
                    : null;
        } while (after != null && ours.size() < broken.size());
        assertThat(ours).hasSize(3);
        assertThat(ours.values()).allSatisfy(d -> assertThat(d).contains("AnnualRevenue: expected [number or null]"));

        String id = ours.keySet().iterator().next();
        // Redrive runs as a job: the mutation answers with it at once, the query follows it to the end.
        String job = ops.document("mutation($id: ID) { redrive(id: $id) { id status } }")
                .variable("id", id)
                .execute()
                .path("redrive.id")
                .entity(String.class)
                .get();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "DONE"
                        .equals(ops.document("query($job: ID!) { redriveJob(id: $job) { status } }")
                                .variable("job", job)
                                .execute()
                                .path("redriveJob.status")
                                .entity(String.class)
                                .get()));
        var redriven = ops.document(
                        "query($job: ID!) { redriveJob(id: $job) { matched succeeded failedAgain failures } }")
                .variable("job", job)
                .execute();
        redriven.path("redriveJob.matched").entity(Integer.class).isEqualTo(1);
        redriven.path("redriveJob.failedAgain").entity(Integer.class).isEqualTo(1);
        redriven.path("redriveJob.failures[0]").entity(String.class).isEqualTo(id + ": CONTRACT_VIOLATION");
        reader().document("mutation { redrive { matched } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .anySatisfy(e -> assertThat(e.getErrorType().toString()).isEqualTo("FORBIDDEN")));
    }

    @Test
    void opsQueriesNeedTheOpsRole() {
        reader().document("{ syncStatus { sobject } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .anySatisfy(e -> assertThat(e.getErrorType().toString()).isEqualTo("FORBIDDEN")));
        var status = as(TokenIssuerStandin.OPS_ROLE)
                .document("{ syncStatus { sobject lastSyncedAt lastChangeLagSeconds "
                        + "openDeadLetters deadLettersByReason { reason count } } }")
                .execute();
        status.path("syncStatus[*].sobject")
                .entityList(String.class)
                .containsExactly("Account", "Contact", "Opportunity");
        status.path("syncStatus[0].lastSyncedAt").hasValue();
    }
}
