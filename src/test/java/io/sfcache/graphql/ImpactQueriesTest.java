package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.impact.ImpactCheck;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.sync.PipelineHarness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/**
 * The ops queries the impact check asks a running sfcache ({@code dataContracts}, {@code fieldUsage}), counted in the
 * Cosmos stand-in over records stored by the real pipeline, and the impact check itself run against this instance.
 * The shared containers hold other tests' records too: counts are compared before and after this test's records.
 */
@SfcacheIntegrationTest
class ImpactQueriesTest {

    private static final Logger LOG = LoggerFactory.getLogger(ImpactQueriesTest.class);

    private static final String USAGE = """
            query($field: String!, $values: [String!], $longerThan: Int) {
              fieldUsage(sobject: "Account", field: $field, values: $values, longerThan: $longerThan) {
                sobject field records values { value count } longerCount
              }
            }""";

    @Autowired
    private PipelineHarness pipeline;

    @LocalServerPort
    private int port;

    @Test
    void fieldUsageCountsTheLiveRecordsHoldingAValueAValueOrALongerText() {
        long agricultureBefore = count("Industry", "Agriculture");
        long longNamesBefore = longer("Name", 200);
        long industriesBefore = records("Industry");

        // three accounts in Agriculture with names of 201 characters, then one of them deleted
        ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
        List<SalesforceRecord> accounts = new ArrayList<>();
        List<ChangeMessageBuilder> changes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SalesforceRecord account = messages.account();
            accounts.add(account);
            changes.add(account.create()
                    .field("Name", ("Impact " + i + " ").repeat(30).substring(0, 201))
                    .field("Industry", "Agriculture"));
        }
        changes.forEach(pipeline::send);
        pipeline.awaitCompleted(
                changes.stream().map(ChangeMessageBuilder::eventId).toList());
        ChangeMessageBuilder delete = accounts.get(2).delete();
        pipeline.send(delete);
        pipeline.awaitCompleted(delete.eventId());

        var usage = ops().document(USAGE)
                .variable("field", "industry") // API names are case-insensitive, answered as the contract spells them
                .variable("values", List.of("Agriculture", "No Such Industry"))
                .execute();
        usage.path("fieldUsage.field").entity(String.class).isEqualTo("Industry");
        usage.path("fieldUsage.records").entity(Long.class).isEqualTo(industriesBefore + 2);
        usage.path("fieldUsage.values[0].value").entity(String.class).isEqualTo("Agriculture");
        usage.path("fieldUsage.values[0].count").entity(Long.class).isEqualTo(agricultureBefore + 2);
        usage.path("fieldUsage.values[1].count").entity(Long.class).isEqualTo(0L);
        usage.path("fieldUsage.longerCount").valueIsNull();
        assertThat(longer("Name", 200)).isEqualTo(longNamesBefore + 2);
        assertThat(longer("Name", 201)).isEqualTo(longer("Name", 250));
    }

    @Test
    void fieldUsageIsForTheOpsRoleAndOnlyForContractFieldsWithinItsBounds() {
        GraphqlClients.reader(port, "impact-reader")
                .document(USAGE)
                .variable("field", "Industry")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .singleElement()
                        .satisfies(e -> assertThat(e.getErrorType().toString()).isEqualTo("FORBIDDEN")));
        ops().document(USAGE)
                .variable("field", "Secret__c")
                .execute()
                .errors()
                .satisfy(
                        errors -> assertThat(errors)
                                .singleElement()
                                .satisfies(
                                        e -> assertThat(e.getMessage())
                                                .isEqualTo(
                                                        "Account.Secret__c is not in the data contract: sfcache stores no value of it")));
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= 100; i++) {
            tooMany.add("value " + i);
        }
        ops().document(USAGE)
                .variable("field", "Industry")
                .variable("values", tooMany)
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors)
                        .singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).isEqualTo("at most 100 values, got 101")));
    }

    @Test
    void dataContractsServesTheContractsAsLoaded() {
        var contracts =
                ops().document("{ dataContracts { sobject location schema } }").execute();
        contracts
                .path("dataContracts[*].sobject")
                .entityList(String.class)
                .containsExactly("Account", "Contact", "Opportunity");
        contracts
                .path("dataContracts[0].location")
                .entity(String.class)
                .isEqualTo("classpath:contracts/objects/account.schema.json");
        contracts
                .path("dataContracts[0].schema.properties.Industry.x-salesforce-type")
                .entity(String.class)
                .isEqualTo("picklist");
    }

    @Test
    void theImpactCheckTakesContractsAndCountsFromARunningSfcache() {
        ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
        ChangeMessageBuilder create = messages.account().create().field("Industry", "Agriculture");
        pipeline.send(create);
        pipeline.awaitCompleted(create.eventId());
        long agriculture = count("Industry", "Agriculture");
        assertThat(agriculture).isPositive();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ImpactCheck.run(
                new String[] {
                    "--source",
                    "src/test/resources/impact/standard-picklist",
                    "--sfcache-url",
                    "http://localhost:" + port
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("SFCACHE_TOKEN", opsToken()));

        LOG.info("The impact check against this instance:\n{}", out.toString(StandardCharsets.UTF_8));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(exit).isEqualTo(2);
        String url = "http://localhost:" + port + "/";
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("sfcache impact check\n"
                        + "  change:    src/test/resources/impact/standard-picklist (source)\n"
                        + "  contracts: sfcache at " + url + " (Account, Contact, Opportunity)\n"
                        + "  counts:    cached records in sfcache at " + url + "\n"
                        + "  compared:  the fields in the change set; fields it leaves out are taken as unchanged\n"
                        + "\nAccount (contract classpath:contracts/objects/account.schema.json)\n"
                        + "  BREAKS          Account.Industry: picklist values added [Cannabis], removed [Agriculture]\n"
                        + "                  " + agriculture + " cached record" + (agriculture == 1 ? " uses" : "s use")
                        + " Agriculture (" + agriculture + "); contract enum + [Cannabis]\n"
                        + "  SAFE            Account.Segment__c: not in the contract (sfcache ignores it)\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 1 safe\n"
                        + "Do not deploy this as it is: agree the change with the sfcache integration team first.\n");

        // a token without the ops role: the check says so and does not guess
        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        int readerExit = ImpactCheck.run(
                new String[] {"--source", "src/test/resources/impact/safe", "--sfcache-url", "http://localhost:" + port
                },
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(refused, true, StandardCharsets.UTF_8),
                Map.of(
                        "SFCACHE_TOKEN",
                        TokenIssuerStandin.shared()
                                .mint(
                                        "impact-reader",
                                        List.of(TokenIssuerStandin.READER_ROLE),
                                        Duration.ofMinutes(5))));
        assertThat(readerExit).isEqualTo(3);
        assertThat(refused.toString(StandardCharsets.UTF_8))
                .startsWith("Impact check failed: http://localhost:" + port + "/graphql refused the data contracts: ")
                .contains("(the token needs the ops role)");
    }

    private long count(String field, String value) {
        return ops().document(USAGE)
                .variable("field", field)
                .variable("values", List.of(value))
                .execute()
                .path("fieldUsage.values[0].count")
                .entity(Long.class)
                .get();
    }

    private long records(String field) {
        return ops().document(USAGE)
                .variable("field", field)
                .execute()
                .path("fieldUsage.records")
                .entity(Long.class)
                .get();
    }

    private long longer(String field, int than) {
        return ops().document(USAGE)
                .variable("field", field)
                .variable("longerThan", than)
                .execute()
                .path("fieldUsage.longerCount")
                .entity(Long.class)
                .get();
    }

    private HttpGraphQlTester ops() {
        return GraphqlClients.as(port, "impact-check", TokenIssuerStandin.OPS_ROLE);
    }

    private static String opsToken() {
        return TokenIssuerStandin.shared()
                .mint("impact-check", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
    }
}
