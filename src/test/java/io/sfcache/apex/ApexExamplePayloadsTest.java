package io.sfcache.apex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.fixtures.ContractValidation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example change messages the Apex tests compare their messages with
 * ({@code apex/force-app/main/default/staticresources/SfcacheExamplePayloads.json}) are valid for sfcache: the
 * envelope schema and each object's data contract accept them, they cover every object and change type, and they
 * use the formats the publisher promises.
 */
class ApexExamplePayloadsTest {

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final List<String> RECORD_CHANGES = List.of("CREATE", "UPDATE", "DELETE", "UNDELETE");

    private final List<ObjectNode> examples = ApexProject.examples();
    private final Map<String, JsonNode> contracts = ApexProject.contracts();
    private final ContractValidation validation = new ContractValidation();

    @Test
    void everyExampleValidatesAgainstTheEnvelopeAndItsObjectsContract() {
        assertThat(examples).isNotEmpty();
        for (ObjectNode example : examples) {
            ContractValidation.Result result = validation.validate(example);
            assertThat(result.problems())
                    .as(
                            "%s %s",
                            example.path("sobject").asText(),
                            example.path("changeType").asText())
                    .isEmpty();
        }
    }

    @Test
    void everyObjectHasEachChangeTypeOnceAndAHeartbeat() {
        for (String sobject : contracts.keySet()) {
            List<String> types = examples.stream()
                    .filter(e -> sobject.equals(e.path("sobject").asText()))
                    .map(e -> e.path("changeType").asText())
                    .toList();
            assertThat(types)
                    .as(sobject)
                    .containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE", "UNDELETE", "HEARTBEAT");
        }
        assertThat(examples).hasSize(contracts.size() * 5);
    }

    @Test
    void recordChangesCarryEveryContractFieldAndDeletesNone() {
        for (ObjectNode example : examples) {
            String type = example.path("changeType").asText();
            String what = example.path("sobject").asText() + " " + type;
            if (type.equals("DELETE") || type.equals("HEARTBEAT")) {
                assertThat(example.has("fields")).as(what + " has no fields").isFalse();
                continue;
            }
            TreeSet<String> sent = new TreeSet<>();
            example.get("fields").fieldNames().forEachRemaining(sent::add);
            assertThat(sent)
                    .as(what + ": the publisher sends every monitored field")
                    .isEqualTo(ApexProject.contractFields(
                            contracts.get(example.path("sobject").asText())));
        }
    }

    @Test
    void formatsAreThePublishersIdsTimestampsAndDates() {
        Set<String> eventIds = new HashSet<>();
        for (ObjectNode example : examples) {
            String what = example.path("sobject").asText() + " "
                    + example.path("changeType").asText();
            assertThat(eventIds.add(example.path("eventId").asText()))
                    .as(what + ": unique eventId")
                    .isTrue();
            assertThat(example.path("commitTime").asText()).as(what).matches(TIMESTAMP);
            if (example.path("changeType").asText().equals("HEARTBEAT")) {
                assertThat(example.has("recordId")).as(what).isFalse();
                assertThat(example.has("version")).as(what).isFalse();
                JsonNode previous = example.path("heartbeat").path("previousHeartbeatTime");
                assertThat(previous.isNull()
                                || TIMESTAMP.matcher(previous.asText()).matches())
                        .as(what)
                        .isTrue();
                continue;
            }
            assertThat(example.path("recordId").asText()).as(what).hasSize(18);
            assertThat(example.path("version").path("systemModstamp").asText())
                    .as(what)
                    .matches(TIMESTAMP);
            JsonNode contract = contracts.get(example.path("sobject").asText());
            example.path("fields").fields().forEachRemaining(field -> {
                String type = contract.path("properties")
                        .path(field.getKey())
                        .path("x-salesforce-type")
                        .asText();
                JsonNode value = field.getValue();
                if (value.isNull()) {
                    return;
                }
                switch (type) {
                    case "date" ->
                        assertThat(value.asText())
                                .as(what + " " + field.getKey())
                                .matches(DATE);
                    case "datetime" ->
                        assertThat(value.asText())
                                .as(what + " " + field.getKey())
                                .matches(TIMESTAMP);
                    case "currency", "double", "percent", "int" ->
                        assertThat(value.isNumber())
                                .as(what + " " + field.getKey() + " is a number")
                                .isTrue();
                    case "boolean" ->
                        assertThat(value.isBoolean())
                                .as(what + " " + field.getKey())
                                .isTrue();
                    default ->
                        assertThat(value.isTextual())
                                .as(what + " " + field.getKey() + " is text")
                                .isTrue();
                }
            });
        }
    }

    @Test
    void eachRecordsChangesAreInVersionOrderSoTheLifecycleApplies() {
        for (String sobject : contracts.keySet()) {
            List<ObjectNode> changes = new ArrayList<>(examples.stream()
                    .filter(e -> sobject.equals(e.path("sobject").asText()) && e.has("recordId"))
                    .toList());
            changes.sort(Comparator.comparing(
                    e -> RECORD_CHANGES.indexOf(e.path("changeType").asText())));
            assertThat(changes.stream().map(e -> e.path("recordId").asText()).distinct())
                    .as(sobject)
                    .hasSize(1);
            for (int i = 1; i < changes.size(); i++) {
                assertThat(compareVersions(changes.get(i - 1), changes.get(i)))
                        .as(
                                "%s %s is newer than %s",
                                sobject,
                                changes.get(i).path("changeType").asText(),
                                changes.get(i - 1).path("changeType").asText())
                        .isNegative();
            }
        }
    }

    @Test
    void aBrokenExampleIsCaught() {
        ObjectNode create = examples.stream()
                .filter(e -> e.path("sobject").asText().equals("Account")
                        && e.path("changeType").asText().equals("CREATE"))
                .findFirst()
                .orElseThrow()
                .deepCopy();
        ((ObjectNode) create.get("fields")).put("AnnualRevenue", "1200000");
        assertThat(validation.validate(create).valid()).isFalse();
        ObjectNode noRecord = create.deepCopy();
        noRecord.remove("recordId");
        assertThat(validation.validate(noRecord).problems())
                .anySatisfy(p -> assertThat(p.stage()).isEqualTo(io.sfcache.fixtures.Violation.Stage.ENVELOPE));
    }

    private static int compareVersions(JsonNode a, JsonNode b) {
        Instant stampA = Instant.parse(a.path("version").path("systemModstamp").asText());
        Instant stampB = Instant.parse(b.path("version").path("systemModstamp").asText());
        int byStamp = stampA.compareTo(stampB);
        return byStamp != 0
                ? byStamp
                : Long.compare(
                        a.path("version").path("sequence").asLong(),
                        b.path("version").path("sequence").asLong());
    }
}
