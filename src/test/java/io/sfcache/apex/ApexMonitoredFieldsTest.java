package io.sfcache.apex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.apex.ApexProject.MonitoredField;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the Apex publisher and sfcache from drifting apart: the Custom Metadata that tells the publisher which fields
 * to send must list exactly the fields of sfcache's data contracts, with the types the contracts expect, and every
 * contracted object needs a trigger.
 */
class ApexMonitoredFieldsTest {

    private final Map<String, JsonNode> contracts = ApexProject.contracts();
    private final java.util.List<MonitoredField> records = ApexProject.monitoredFields();

    @Test
    void theShippedContractsAreAmongTheOnesChecked() {
        assertThat(contracts).containsKeys("Account", "Contact", "Opportunity");
    }

    @Test
    void eachObjectsActiveMonitoredFieldsAreExactlyItsContractsFields() {
        Map<String, TreeSet<String>> monitored = new TreeMap<>();
        records.stream()
                .filter(MonitoredField::active)
                .forEach(r -> monitored
                        .computeIfAbsent(r.sobject(), k -> new TreeSet<>())
                        .add(r.field()));
        assertThat(monitored.keySet()).as("objects with monitored fields").isEqualTo(new TreeSet<>(contracts.keySet()));
        contracts.forEach((sobject, contract) -> assertThat(monitored.get(sobject))
                .as(
                        "Sfcache_Monitored_Field__mdt records of %s vs contracts/objects/%s.schema.json",
                        sobject, sobject.toLowerCase(java.util.Locale.ROOT))
                .isEqualTo(ApexProject.contractFields(contract)));
    }

    @Test
    void eachMonitoredFieldExpectsTheTypeItsContractNames() {
        for (MonitoredField record : records) {
            JsonNode property =
                    contracts.get(record.sobject()).path("properties").path(record.field());
            assertThat(record.salesforceType())
                    .as("Salesforce_Type__c of %s", record.developerName())
                    .isEqualTo(property.path("x-salesforce-type").asText());
        }
    }

    @Test
    void recordNamesFollowObjectUnderscoreFieldAndAreUnique() {
        for (MonitoredField record : records) {
            assertThat(record.developerName()).isEqualTo(record.sobject() + "_" + record.field());
            assertThat(record.developerName().length())
                    .as("DeveloperName length")
                    .isLessThanOrEqualTo(40);
        }
        Set<String> pairs =
                records.stream().map(r -> r.sobject() + "." + r.field()).collect(Collectors.toSet());
        assertThat(pairs).hasSameSizeAs(records);
    }

    @Test
    void eachContractedObjectHasAThinTriggerOnEveryChangeThatCallsTheHandler() {
        for (String sobject : contracts.keySet()) {
            Path trigger = ApexProject.SOURCE.resolve("triggers/Sfcache" + sobject + "Trigger.trigger");
            assertThat(Files.isRegularFile(trigger)).as("%s exists", trigger).isTrue();
            assertThat(Files.isRegularFile(Path.of(trigger + "-meta.xml")))
                    .as("%s-meta.xml exists", trigger)
                    .isTrue();
            String code =
                    ApexProject.read(trigger).replaceAll("/\\*.*?\\*/", "").replaceAll("\\s+", "");
            assertThat(code)
                    .as("%s: one line, the handler", trigger)
                    .isEqualTo(
                            "triggerSfcache" + sobject + "Triggeron" + sobject
                                    + "(beforedelete,afterinsert,afterupdate,afterdelete,afterundelete){SfcacheTriggerHandler.handle();}");
        }
    }

    @Test
    void theSettingsRecordSendsToTheQueueSfcacheReads() {
        Map<String, String> settings = ApexProject.customMetadataValues(
                ApexProject.SOURCE.resolve("customMetadata/Sfcache_Setting.Default.md-meta.xml"));
        String applicationYaml =
                ApexProject.read(io.sfcache.standin.ProjectDir.get().resolve("src/main/resources/application.yaml"));
        assertThat(applicationYaml).contains("queue: " + settings.get("Queue__c"));
        assertThat(settings.get("Named_Credential__c")).isEqualTo("Sfcache_Service_Bus");
        assertThat(Files.isRegularFile(ApexProject.SOURCE.resolve(
                        "namedCredentials/" + settings.get("Named_Credential__c") + ".namedCredential-meta.xml")))
                .isTrue();
        assertThat(Integer.parseInt(settings.get("Max_Batch_Bytes__c")))
                .as("under Service Bus standard's 256 KB")
                .isLessThan(256 * 1024);
    }
}
