package io.sfcache.impact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.InMemoryFieldLabels;
import io.sfcache.monitoring.AlarmRepairs;
import io.sfcache.monitoring.DriftFinding;
import io.sfcache.monitoring.SchemaDriftDetector;
import io.sfcache.salesforce.DescribeClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The impact check and the drift detector agree: for every case, the describe the change would leave in Salesforce is
 * answered to a running {@link SchemaDriftDetector} (as Salesforce would after the deployment), and what the detector
 * reports is exactly what the check reports as not safe, finding for finding, in the same order.
 */
class DriftAgreementTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CASES = ImpactCheckTest.CASES;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("type changed", List.of("--source", CASES + "type-changed")),
                Arguments.of("field removed", List.of("--source", CASES + "field-removed")),
                Arguments.of(
                        "field renamed",
                        List.of(
                                "--source",
                                CASES + "field-renamed",
                                "--destructive-changes",
                                CASES + "field-renamed/destructiveChanges/destructiveChanges.xml",
                                "--baseline",
                                CASES + "field-renamed-baseline")),
                Arguments.of("length shorter", List.of("--source", CASES + "length-shorter")),
                Arguments.of("length longer", List.of("--source", CASES + "length-longer")),
                Arguments.of("picklist value removed", List.of("--source", CASES + "picklist-value-removed")),
                Arguments.of("picklist value added", List.of("--source", CASES + "picklist-value-added")),
                Arguments.of("new required field", List.of("--source", CASES + "new-required-field")),
                Arguments.of("safe", List.of("--source", CASES + "safe")),
                Arguments.of("standard picklist", List.of("--source", CASES + "standard-picklist")),
                Arguments.of(
                        "sandbox describe",
                        List.of(
                                "--describe",
                                CASES + "describe/invoice__c.describe.json",
                                "--baseline",
                                CASES + "describe/invoice__c.sf-cli.json")),
                Arguments.of(
                        "sandbox describe as deployed",
                        List.of("--describe", CASES + "describe/invoice__c.sf-cli.json")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theCheckReportsAsNotSafeExactlyWhatTheDriftDetectorFinds(String name, List<String> args) throws Exception {
        ImpactCheckTest.Run run =
                ImpactCheckTest.check(new FixedCounts(), withJson(args).toArray(String[]::new));
        JsonNode report = JSON.readTree(run.out());
        assertThat(report.path("objects"))
                .as(name + ": a monitored object is in the change")
                .isNotEmpty();

        ChangeSet changes = read(args);
        DataContracts contracts = contracts();
        for (JsonNode object : report.path("objects")) {
            String sobject = object.path("sobject").asText();
            DataContract contract = contracts.find(sobject).orElseThrow();
            JsonNode afterDeployment =
                    ChangeSet.proposedDescribe(changes.objects().get(sobject), contract);

            // The detector as the running app has it, having seen the object as deployed now (its labels), then
            // the describe after the deployment.
            Map<String, String> describes = new LinkedHashMap<>();
            DescribeClient salesforce = new DescribeClient(null) {
                @Override
                public Describe describe(String asked, String ifModifiedSince) {
                    return new Describe(true, "now", describes.get(asked));
                }
            };
            SchemaDriftDetector detector = new SchemaDriftDetector(
                    contracts,
                    salesforce,
                    mock(AlarmRepairs.class),
                    new InMemoryFieldLabels(),
                    JSON,
                    new SimpleMeterRegistry(),
                    Clock.systemUTC()); // its alarm (healing) is none of this test's business
            Map<String, String> labels = changes.labels(sobject);
            if (!labels.isEmpty()) {
                describes.put(sobject, JSON.writeValueAsString(asDeployedNow(labels)));
                assertThat(detector.check(sobject).findings()).isNotNull();
            }
            describes.put(sobject, JSON.writeValueAsString(afterDeployment));
            List<String> detected = detector.check(sobject).findings().stream()
                    .map(DriftFinding::message)
                    .toList();

            List<String> reported = new ArrayList<>();
            object.path("fields").forEach(f -> {
                if (!f.path("verdict").asText().equals("SAFE")) {
                    reported.add(f.path("message").asText());
                }
            });
            assertThat(reported).as(name + ": " + sobject).containsExactlyInAnyOrderElementsOf(detected);
            assertThat(reported)
                    .as(name + ": " + sobject + " in the detector's order")
                    .isEqualTo(detected);
        }
    }

    /** A describe with only the fields the labels name: what the detector remembers labels from. */
    private static JsonNode asDeployedNow(Map<String, String> labels) {
        var describe = JSON.createObjectNode();
        var fields = describe.putArray("fields");
        labels.forEach((field, label) -> fields.addObject().put("name", field).put("label", label));
        return describe;
    }

    private static List<String> withJson(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--format", "json"));
        return all;
    }

    private static ChangeSet read(List<String> args) throws IOException {
        ChangeSet changes = new ChangeSet(JSON);
        for (int i = 0; i < args.size(); i += 2) {
            Path value = Path.of(args.get(i + 1));
            switch (args.get(i)) {
                case "--source" -> changes.readSource(value);
                case "--destructive-changes" -> changes.readDestructiveChanges(value);
                case "--describe" -> changes.readDescribe(value);
                case "--baseline" -> changes.readBaseline(value);
                default -> throw new IllegalArgumentException(args.get(i));
            }
        }
        return changes;
    }

    private static DataContracts contracts() throws IOException {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        for (String dir : List.of("src/main/resources/contracts", CASES + "contracts")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".schema.json"))
                        .sorted()
                        .toList()) {
                    JsonNode schema = JSON.readTree(file.toFile());
                    if (schema.path("x-sfcache").has("sobject")) {
                        schemas.put(file.toString(), schema);
                    }
                }
            }
        }
        return new DataContracts(schemas, JSON);
    }
}
