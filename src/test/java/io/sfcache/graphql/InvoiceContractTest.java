package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.fixtures.Json;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.sync.PipelineHarness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A custom object added by contract and configuration alone, as a team would: {@code Invoice__c}'s contract (a
 * lookup to Account, a picklist, a date, a currency) sits in an operator's contracts directory next to the shipped
 * ones, and {@code sfcache.sync.objects} lists it. No code: its changes go through the queue and the real pipeline,
 * and it is read with a typed API of its own, from both sides of the lookup.
 */
@SfcacheIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// Its own queue and no MBeans, so this context does not compete with the shared one; CDC off: the shared context is
// the JVM's one Change Data Capture subscriber. A small batch budget so that the bounded children read runs out.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.servicebus.queue=invoice-contract-test",
            "spring.jmx.enabled=false",
            "sfcache.sync.objects=Account,Contact,Opportunity,Invoice__c",
            "sfcache.graphql.related-rows-per-request=10",
            "sfcache.monitoring.schema-drift.enabled=false"
        })
class InvoiceContractTest {

    private static final Path CONTRACTS = contractsDirectory();

    @DynamicPropertySource
    static void contracts(DynamicPropertyRegistry registry) {
        registry.add("sfcache.sync.contracts-location", () -> CONTRACTS.toUri().toString());
    }

    /** The shipped contracts plus the team's own, in one directory (what a ConfigMap mount would hold). */
    private static Path contractsDirectory() {
        try {
            Path directory = Files.createTempDirectory("sfcache-contracts");
            var resolver = new PathMatchingResourcePatternResolver();
            List<Resource> files =
                    new ArrayList<>(List.of(resolver.getResources("classpath:contracts/objects/*.json")));
            files.add(resolver.getResource("classpath:invoice-contract/invoice__c.schema.json"));
            for (Resource file : files) {
                try (InputStream in = file.getInputStream()) {
                    Files.copy(in, directory.resolve(file.getFilename()));
                }
            }
            return directory;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    private final String marker = "Invoiceville-" + UUID.randomUUID().toString().substring(0, 8);
    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    /** Account 0 has 12 invoices, account 1 two, account 2 none. */
    private final List<SalesforceRecord> accounts = new ArrayList<>();

    private final List<Invoice> invoices = new ArrayList<>();

    record Invoice(String id, String name, String accountId, String status, LocalDate dueDate, double amount) {}

    @BeforeAll
    void syncThroughTheQueue() {
        List<ChangeMessageBuilder> changes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SalesforceRecord account = messages.account();
            changes.add(account.create()
                    .field("Name", "Customer " + i)
                    .field("BillingCity", marker)
                    .field("ParentId", null));
            accounts.add(account);
        }
        String[] statuses = {"Draft", "Sent", "Paid"};
        for (int i = 0; i < 14; i++) {
            String accountId = accounts.get(i < 12 ? 0 : 1).id();
            Invoice invoice = new Invoice(
                    messages.newRecordId("a0I"),
                    String.format("INV-%04d", i),
                    accountId,
                    statuses[i % 3],
                    LocalDate.of(2027, 1, 1).plusDays((i * 7L) % 31),
                    100.0 + i);
            invoices.add(invoice);
            changes.add(invoiceCreate(invoice));
        }
        changes.forEach(pipeline::send);
        pipeline.awaitCompleted(
                changes.stream().map(ChangeMessageBuilder::eventId).toList());
    }

    /** A create message of Invoice__c: the publisher's envelope with the custom object's fields. */
    private ChangeMessageBuilder invoiceCreate(Invoice invoice) {
        ObjectNode fields = Json.object();
        fields.put("Name", invoice.name());
        fields.put("Account__c", invoice.accountId());
        fields.put("Status__c", invoice.status());
        fields.put("Due_Date__c", invoice.dueDate().toString());
        fields.put("Amount__c", invoice.amount());
        fields.put("OwnerId", messages.userId());
        return messages.account()
                .create()
                .set("sobject", "Invoice__c")
                .set("recordId", invoice.id())
                .set("fields", fields);
    }

    private HttpGraphQlTester reader() {
        return GraphqlClients.reader(port, "invoice-test");
    }

    @Test
    void theTypeComesFromTheContract() {
        var type = reader().document("{ __type(name: \"Invoice\") { fields { name description type { kind name "
                        + "ofType { name } } } } }")
                .execute();
        type.path("__type.fields[?(@.name == 'dueDate')].type.name")
                .entityList(String.class)
                .containsExactly("Date");
        type.path("__type.fields[?(@.name == 'amount')].type.name")
                .entityList(String.class)
                .containsExactly("Float");
        type.path("__type.fields[?(@.name == 'accountId')].type.name")
                .entityList(String.class)
                .containsExactly("ID");
        type.path("__type.fields[?(@.name == 'account')].type.name")
                .entityList(String.class)
                .containsExactly("Account");
        type.path("__type.fields[?(@.name == 'status')].type.ofType.name")
                .entityList(String.class)
                .containsExactly("String");
        type.path("__type.fields[?(@.name == 'status')].description")
                .entityList(String.class)
                .satisfies(descriptions -> assertThat(descriptions.get(0)).contains("Draft, Sent, Paid, Void"));
    }

    @Test
    void listedFilteredAndSortedByItsOwnFields() {
        List<String> ids = reader().document("query($accounts: [ID!]) { invoices(first: 50, filter: {status: "
                        + "{eq: \"Sent\"}, accountId: {in: $accounts}}, orderBy: {field: DUE_DATE, direction: DESC}) "
                        + "{ edges { node { id status dueDate amount } } } }")
                .variable(
                        "accounts", accounts.stream().map(SalesforceRecord::id).toList())
                .execute()
                .path("invoices.edges[*].node.id")
                .entityList(String.class)
                .get();
        List<String> expected = invoices.stream()
                .filter(invoice -> invoice.status().equals("Sent"))
                .sorted(Comparator.comparing(Invoice::dueDate)
                        .thenComparing(Invoice::id)
                        .reversed())
                .map(Invoice::id)
                .toList();
        assertThat(ids).isNotEmpty().containsExactlyElementsOf(expected);
    }

    @Test
    void anInvoiceResolvesItsAccount() {
        Invoice invoice = invoices.get(13);
        var response = reader().document("query($id: ID!) { invoice(id: $id) { name status dueDate amount "
                        + "account { id name } freshness { source } } }")
                .variable("id", invoice.id())
                .execute();
        response.path("invoice.name").entity(String.class).isEqualTo(invoice.name());
        response.path("invoice.dueDate")
                .entity(String.class)
                .isEqualTo(invoice.dueDate().toString());
        response.path("invoice.amount").entity(Double.class).isEqualTo(invoice.amount());
        response.path("invoice.account.id")
                .entity(String.class)
                .isEqualTo(accounts.get(1).id());
        response.path("invoice.account.name").entity(String.class).isEqualTo("Customer 1");
        response.path("invoice.freshness.source").entity(String.class).isEqualTo("QUEUE");
    }

    @Test
    void anAccountListsItsInvoicesPageByPage() {
        String document = "query($id: ID!, $after: String) { account(id: $id) { invoices(first: 5, after: $after, "
                + "orderBy: {field: DUE_DATE}) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } "
                + "} } }";
        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            var page = reader().document(document)
                    .variable("id", accounts.get(0).id())
                    .variable("after", after)
                    .execute();
            page.path("account.invoices.totalCount").entity(Integer.class).isEqualTo(12);
            seen.addAll(page.path("account.invoices.edges[*].node.id")
                    .entityList(String.class)
                    .get());
            more = page.path("account.invoices.pageInfo.hasNextPage")
                    .entity(Boolean.class)
                    .get();
            after = page.path("account.invoices.pageInfo.endCursor")
                    .entity(String.class)
                    .get();
        }
        assertThat(seen)
                .containsExactlyElementsOf(invoices.stream()
                        .filter(invoice ->
                                invoice.accountId().equals(accounts.get(0).id()))
                        .sorted(Comparator.comparing(Invoice::dueDate).thenComparing(Invoice::id))
                        .map(Invoice::id)
                        .toList());
    }

    /**
     * Three accounts' invoices in one batched read, bounded at 10 rows (sfcache.graphql.related-rows-per-request):
     * 14 invoices do not fit, so the parents the read did not finish get a query each, and every list is still right.
     */
    @SuppressWarnings("unchecked")
    @Test
    void aPageOfAccountsReadsTheirInvoicesTogetherWithinTheRowBudget() {
        double before = queries();
        List<Map<String, Object>> nodes = reader()
                .document("query($city: String) { accounts(first: 10, filter: "
                        + "{billingCity: {eq: $city}}) { edges { node { id invoices(first: 3, orderBy: {field: "
                        + "DUE_DATE}) { edges { node { id } } pageInfo { hasNextPage } } } } } }")
                .variable("city", marker)
                .execute()
                .path("accounts.edges[*].node")
                .entityList(Map.class)
                .get()
                .stream()
                .map(node -> (Map<String, Object>) node)
                .toList();
        assertThat(nodes).hasSize(3);
        for (Map<String, Object> node : nodes) {
            List<String> expected = invoices.stream()
                    .filter(invoice -> invoice.accountId().equals(node.get("id")))
                    .sorted(Comparator.comparing(Invoice::dueDate).thenComparing(Invoice::id))
                    .map(Invoice::id)
                    .toList();
            Map<String, Object> list = (Map<String, Object>) node.get("invoices");
            List<String> ids = ((List<Map<String, Object>>) list.get("edges"))
                    .stream()
                            .map(edge -> (String) ((Map<String, Object>) edge.get("node")).get("id"))
                            .toList();
            assertThat(ids)
                    .as("invoices of %s", node.get("id"))
                    .containsExactlyElementsOf(expected.subList(0, Math.min(3, expected.size())));
            assertThat(((Map<String, Object>) list.get("pageInfo")).get("hasNextPage"))
                    .isEqualTo(expected.size() > 3);
        }
        // the accounts' page, the batched invoices read (cut at 10 rows), and one query per parent it left unfinished
        assertThat(queries() - before).isBetween(3.0, 1 + 1 + 3.0);
    }

    private double queries() {
        var counter = meters.find("sfcache.graphql.cosmos.requests")
                .tag("operation", "query")
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
