package io.sfcache.impact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The impact check on the SFDX source of a realistic change set for each kind of finding, and on a sandbox's describe:
 * the exact report (text and JSON) and exit code, with counts from the cache and without them.
 */
class ImpactCheckTest {

    static final String CASES = "src/test/resources/impact/";
    /** The shipped contracts and the test's Invoice__c, as an operator's deployment has both. */
    static final List<String> CONTRACTS =
            List.of("--contracts", "src/main/resources/contracts", "--contracts", CASES + "contracts");

    private static final String CONTRACTS_LINE = "  contracts: src/main/resources/contracts, src/test/resources/impact/"
            + "contracts (Account, Contact, Opportunity, Invoice__c)\n";
    private static final String WITH_COUNTS =
            "  counts:    cached records in sfcache at https://sfcache.example.com/\n";
    private static final String WITHOUT_COUNTS =
            "  counts:    unknown (no --sfcache-url): a shorter length or a removed"
                    + " picklist value is reported as breaking\n";
    private static final String PARTIAL =
            "  compared:  the fields in the change set; fields it leaves out are taken as unchanged\n";
    private static final String INVOICE =
            "\nInvoice__c (contract src/test/resources/impact/contracts/invoice__c.schema.json)\n";
    private static final String DO_NOT_DEPLOY =
            "Do not deploy this as it is: agree the change with the sfcache integration team first.\n";
    private static final String UPDATE_FIRST =
            "Deploy after the sfcache integration team has updated the contract(s) named above.\n";

    @Test
    void aTypeChangeBreaksAndSaysHowManyCachedRecordsHoldAValue() {
        Run run = check(new FixedCounts().records("Invoice__c.Amount__c", 412), "--source", CASES + "type-changed");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/type-changed (source)", true)
                        + INVOICE
                        + "  BREAKS          Invoice__c.Amount__c: type currency -> string\n"
                        + "                  412 cached records hold a value\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 0 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(run.exitCode()).isEqualTo(2);
    }

    @Test
    void aFieldDeletedByTheDestructiveChangesBreaks() {
        Run run = check(new FixedCounts().records("Invoice__c.Due_Date__c", 380), "--source", CASES + "field-removed");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/field-removed (source)", true)
                        + INVOICE
                        + "  BREAKS          Invoice__c.Due_Date__c: removed\n"
                        + "                  380 cached records hold a value\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 0 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(run.exitCode()).isEqualTo(2);
    }

    @Test
    void aDeletedFieldWhoseLabelANewFieldCarriesIsARename() {
        Run run = check(
                new FixedCounts().records("Invoice__c.Due_Date__c", 380),
                "--source",
                CASES + "field-renamed",
                "--destructive-changes",
                CASES + "field-renamed/destructiveChanges/destructiveChanges.xml",
                "--baseline",
                CASES + "field-renamed-baseline");
        assertThat(run.out())
                .isEqualTo(header(
                                "src/test/resources/impact/field-renamed (source), src/test/resources/impact/"
                                        + "field-renamed/destructiveChanges/destructiveChanges.xml (destructive changes),"
                                        + " src/test/resources/impact/field-renamed-baseline (baseline labels)",
                                true)
                        + INVOICE
                        + "  BREAKS          Invoice__c.Due_Date__c: renamed to Payment_Due__c (label Due Date)\n"
                        + "                  380 cached records hold a value\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 0 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(run.exitCode()).isEqualTo(2);
        // without the labels as deployed now, the same change is a removal and a new optional field
        Run withoutBaseline = check(
                null,
                "--source",
                CASES + "field-renamed",
                "--destructive-changes",
                CASES + "field-renamed/destructiveChanges/destructiveChanges.xml");
        assertThat(withoutBaseline.out())
                .contains("  BREAKS          Invoice__c.Due_Date__c: removed\n")
                .contains("  SAFE            Invoice__c.Payment_Due__c: not in the contract (sfcache ignores it)\n");
    }

    @Test
    void aShorterLengthBreaksOnlyWhenCachedValuesAreLonger() {
        String change = header("src/test/resources/impact/length-shorter (source)", true)
                + INVOICE
                + "  BREAKS          Invoice__c.Customer_Reference__c: length 40 -> 20\n";
        Run longer = check(
                new FixedCounts().longer("Invoice__c.Customer_Reference__c", 20, 7),
                "--source",
                CASES + "length-shorter");
        assertThat(longer.out())
                .isEqualTo(change
                        + "                  7 cached records hold values longer than 20\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 0 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(longer.exitCode()).isEqualTo(2);

        Run fits = check(new FixedCounts(), "--source", CASES + "length-shorter");
        assertThat(fits.out())
                .isEqualTo(header("src/test/resources/impact/length-shorter (source)", true)
                        + INVOICE
                        + "  CONTRACT UPDATE Invoice__c.Customer_Reference__c: length 40 -> 20\n"
                        + "                  no cached record holds a value longer than 20; contract maxLength 40 -> 20\n"
                        + "\nResult: CONTRACT UPDATE (exit code 1): 0 break(s), 1 need(s) a contract update, 0 safe\n"
                        + UPDATE_FIRST);
        assertThat(fits.exitCode()).isEqualTo(1);
    }

    @Test
    void withoutCountsAShorterLengthOrARemovedValueBreaksUnlessNoRecordUsesIt() {
        Run shorter = check(null, "--source", CASES + "length-shorter");
        assertThat(shorter.out())
                .isEqualTo(header("src/test/resources/impact/length-shorter (source)", false)
                        + INVOICE
                        + "  BREAKS          Invoice__c.Customer_Reference__c: length 40 -> 20\n"
                        + "                  unless no cached record holds a value longer than 20 (counts unknown)\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 0 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(shorter.exitCode()).isEqualTo(2);
        Run removed = check(null, "--source", CASES + "picklist-value-removed");
        assertThat(removed.out())
                .contains("  BREAKS          Invoice__c.Status__c: picklist values removed [Void]\n"
                        + "                  unless no cached record uses [Void] (counts unknown)\n");
        assertThat(removed.exitCode()).isEqualTo(2);
    }

    @Test
    void aLongerLengthNeedsAContractUpdate() {
        Run run = check(new FixedCounts(), "--source", CASES + "length-longer");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/length-longer (source)", true)
                        + INVOICE
                        + "  CONTRACT UPDATE Invoice__c.Customer_Reference__c: length 40 -> 80\n"
                        + "                  contract maxLength 40 -> 80\n"
                        + "\nResult: CONTRACT UPDATE (exit code 1): 0 break(s), 1 need(s) a contract update, 0 safe\n"
                        + UPDATE_FIRST);
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void aRemovedPicklistValueBreaksWhenCachedRecordsUseIt() {
        Run used = check(
                new FixedCounts().value("Invoice__c.Status__c", "Void", 3),
                "--source",
                CASES + "picklist-value-removed");
        assertThat(used.out())
                .isEqualTo(header("src/test/resources/impact/picklist-value-removed (source)", true)
                        + INVOICE
                        + "  BREAKS          Invoice__c.Status__c: picklist values removed [Void]\n"
                        + "                  3 cached records use Void (3)\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 0 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(used.exitCode()).isEqualTo(2);

        Run unused = check(new FixedCounts(), "--source", CASES + "picklist-value-removed");
        assertThat(unused.out())
                .contains("  CONTRACT UPDATE Invoice__c.Status__c: picklist values removed [Void]\n"
                        + "                  no cached record uses [Void]; contract enum - [Void]\n");
        assertThat(unused.exitCode()).isEqualTo(1);
    }

    @Test
    void aNewPicklistValueNeedsAContractUpdate() {
        Run run = check(new FixedCounts(), "--source", CASES + "picklist-value-added");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/picklist-value-added (source)", true)
                        + INVOICE
                        + "  CONTRACT UPDATE Invoice__c.Status__c: picklist values added [Disputed]\n"
                        + "                  contract enum + [Disputed]\n"
                        + "\nResult: CONTRACT UPDATE (exit code 1): 0 break(s), 1 need(s) a contract update, 0 safe\n"
                        + UPDATE_FIRST);
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void aNewRequiredFieldBreaksAndANewOptionalOneIsSafe() {
        Run run = check(new FixedCounts(), "--source", CASES + "new-required-field");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/new-required-field (source)", true)
                        + INVOICE
                        + "  BREAKS          Invoice__c.Billing_Entity__c: new required field\n"
                        + "                  every insert must fill it, and the publisher does not send it (not in the"
                        + " contract)\n"
                        + "  SAFE            Invoice__c.Internal_Note__c: not in the contract (sfcache ignores it)\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 1 safe\n"
                        + DO_NOT_DEPLOY);
        assertThat(run.exitCode()).isEqualTo(2);
    }

    @Test
    void aChangeThatLeavesTheContractAsItIsIsSafe() {
        Run run = check(new FixedCounts(), "--source", CASES + "safe");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/safe (source)", true)
                        + INVOICE
                        + "  SAFE            Invoice__c.Customer_Reference__c: as the contract has it\n"
                        + "  SAFE            Invoice__c.Disputed__c: not in the contract (sfcache ignores it)\n"
                        + "\nNot monitored by sfcache (not checked): Case\n"
                        + "\nResult: SAFE (exit code 0): 0 break(s), 0 need(s) a contract update, 2 safe\n");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void aStandardPicklistsValuesComeFromItsStandardValueSet() {
        Run run = check(
                new FixedCounts().value("Account.Industry", "Agriculture", 12),
                "--source",
                CASES + "standard-picklist");
        assertThat(run.out())
                .isEqualTo(header("src/test/resources/impact/standard-picklist (source)", true)
                        + "\nAccount (contract src/main/resources/contracts/objects/account.schema.json)\n"
                        + "  BREAKS          Account.Industry: picklist values added [Cannabis], removed [Agriculture]\n"
                        + "                  12 cached records use Agriculture (12); contract enum + [Cannabis]\n"
                        + "  SAFE            Account.Segment__c: not in the contract (sfcache ignores it)\n"
                        + "\nResult: BREAKS (exit code 2): 1 break(s), 0 need(s) a contract update, 1 safe\n"
                        + DO_NOT_DEPLOY);
    }

    @Test
    void aSandboxDescribeIsTheWholeObjectReportedAsJson() throws Exception {
        Run run = check(
                new FixedCounts()
                        .records("Invoice__c.Due_Date__c", 380)
                        .records("Invoice__c.Amount__c", 412)
                        .longer("Invoice__c.Customer_Reference__c", 20, 7),
                "--describe",
                CASES + "describe/invoice__c.describe.json",
                "--format",
                "json");
        assertThat(run.exitCode()).isEqualTo(2);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(run.out())).isEqualTo(json.readTree("""
                {
                  "result": "BREAKS",
                  "exitCode": 2,
                  "inputs": ["src/test/resources/impact/describe/invoice__c.describe.json (describe)"],
                  "contracts": "src/main/resources/contracts, src/test/resources/impact/contracts (Account, Contact, Opportunity, Invoice__c)",
                  "counts": "sfcache at https://sfcache.example.com/",
                  "onlyChangedFieldsCompared": false,
                  "summary": {"SAFE": 3, "NEEDS_CONTRACT_UPDATE": 1, "BREAKS": 4},
                  "objects": [{
                    "sobject": "Invoice__c",
                    "contract": "src/test/resources/impact/contracts/invoice__c.schema.json",
                    "input": "describe",
                    "fields": [
                      {"field": "Name", "verdict": "SAFE", "kind": null,
                       "message": "Invoice__c.Name: as the contract has it", "detail": null, "affectedRecords": null},
                      {"field": "Account__c", "verdict": "SAFE", "kind": null,
                       "message": "Invoice__c.Account__c: as the contract has it", "detail": null,
                       "affectedRecords": null},
                      {"field": "Status__c", "verdict": "NEEDS_CONTRACT_UPDATE", "kind": "PICKLIST_CHANGED",
                       "message": "Invoice__c.Status__c: picklist values added [Disputed]",
                       "detail": "contract enum + [Disputed]", "affectedRecords": null},
                      {"field": "Due_Date__c", "verdict": "BREAKS", "kind": "REMOVED",
                       "message": "Invoice__c.Due_Date__c: removed", "detail": "380 cached records hold a value",
                       "affectedRecords": 380},
                      {"field": "Amount__c", "verdict": "BREAKS", "kind": "TYPE_CHANGED",
                       "message": "Invoice__c.Amount__c: type currency -> string",
                       "detail": "412 cached records hold a value", "affectedRecords": 412},
                      {"field": "Customer_Reference__c", "verdict": "BREAKS", "kind": "LENGTH_CHANGED",
                       "message": "Invoice__c.Customer_Reference__c: length 40 -> 20",
                       "detail": "7 cached records hold values longer than 20", "affectedRecords": 7},
                      {"field": "OwnerId", "verdict": "SAFE", "kind": null,
                       "message": "Invoice__c.OwnerId: as the contract has it", "detail": null,
                       "affectedRecords": null},
                      {"field": "Billing_Entity__c", "verdict": "BREAKS", "kind": "NEW_REQUIRED",
                       "message": "Invoice__c.Billing_Entity__c: new required field",
                       "detail": "every insert must fill it, and the publisher does not send it (not in the contract)",
                       "affectedRecords": null}
                    ]
                  }],
                  "notMonitored": []
                }
                """));
    }

    @Test
    void aRemovedPicklistValueInJsonCarriesItsCountPerValue() throws Exception {
        Run run = check(
                new FixedCounts().value("Invoice__c.Status__c", "Void", 3),
                "--source",
                CASES + "picklist-value-removed",
                "--format",
                "json");
        JsonNode field = new ObjectMapper().readTree(run.out()).at("/objects/0/fields/0");
        assertThat(field.path("affectedRecords").asLong()).isEqualTo(3);
        assertThat(field.path("affectedByValue").path("Void").asLong()).isEqualTo(3);
        assertThat(field.path("verdict").asText()).isEqualTo("BREAKS");
    }

    @Test
    void theDescribeOfTheSalesforceCliIsReadToo() {
        // `sf sobject describe --json` wraps the describe in {"status": 0, "result": {...}}; this one is as deployed
        Run run = check(null, "--describe", CASES + "describe/invoice__c.sf-cli.json");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("0 break(s), 0 need(s) a contract update, 7 safe");
    }

    @Test
    void whatCannotBeCheckedExitsWith3AndSaysWhy() {
        Run nothing = check(null);
        assertThat(nothing.exitCode()).isEqualTo(3);
        assertThat(nothing.err()).startsWith("nothing to check: give --source, --describe or --destructive-changes\n");
        Run noToken = run(
                List.of("--source", CASES + "safe", "--sfcache-url", "https://sfcache.example.com"),
                Map.of(),
                new FixedCounts());
        assertThat(noToken.exitCode()).isEqualTo(3);
        assertThat(noToken.err())
                .isEqualTo("Impact check failed: --sfcache-url needs a token with sfcache's ops role: env"
                        + " SFCACHE_TOKEN or --token-file\n");
        Run missing = check(null, "--source", CASES + "no-such-change");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).startsWith(CASES + "no-such-change does not exist\n");
    }

    @Test
    void theContractsShippedInTheJarAreTheDefault() {
        Run run = run(List.of("--source", CASES + "standard-picklist"), Map.of(), null);
        assertThat(run.out())
                .contains("  contracts: the ones shipped in this jar (classpath:contracts/objects/) (Account, Contact,"
                        + " Opportunity)\n");
        assertThat(run.exitCode()).isEqualTo(2);
    }

    // ---- helpers ----

    record Run(int exitCode, String out, String err) {}

    private static String header(String change, boolean counts) {
        return "sfcache impact check\n  change:    " + change + "\n" + CONTRACTS_LINE
                + (counts ? WITH_COUNTS : WITHOUT_COUNTS) + PARTIAL;
    }

    /** The check with the test contracts; with counts from {@code counts} as if from a running sfcache, or none. */
    static Run check(CacheCounts counts, String... args) {
        List<String> all = new ArrayList<>(CONTRACTS);
        all.addAll(List.of(args));
        if (counts != null) {
            all.addAll(List.of("--sfcache-url", "https://sfcache.example.com"));
        }
        return run(all, Map.of("SFCACHE_TOKEN", "a-token"), counts);
    }

    static Run run(List<String> args, Map<String, String> env, CacheCounts counts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ImpactCheck.run(
                args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                (url, token, json) -> {
                    assertThat(token).isEqualTo("a-token");
                    return counts;
                });
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
