package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContract.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A record as Salesforce's query returns it, as the change message reconciliation sends through the sync flow. */
class ReconcileRowsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataContract ACCOUNT = ReconcileQueryTest.contract(
            new Field("Name", "string", true, 255, List.of(), null, true, null, null),
            new Field("LastActivity__c", "datetime", false, null, List.of(), null, false, null, null),
            new Field("Rating", "picklist", false, null, List.of("Hot"), null, false, null, null));

    @Test
    void aRecordBecomesAFullUpdateVersionedByItsModstamp() throws Exception {
        JsonNode change = ReconcileRows.change(ACCOUNT, JSON.readTree("""
                {"attributes": {"type": "Account"}, "Id": "001000000000001AAA",
                 "SystemModstamp": "2026-11-27T10:00:00.123+0000", "IsDeleted": false,
                 "Name": "Acme", "LastActivity__c": "2026-11-26T08:00:00.000+0100", "Rating": null,
                 "NotInContract": "x"}
                """));
        // compared as JSON text: the version's sequence is a long here and an int when parsed
        assertThat(change.toString()).isEqualTo(JSON.readTree("""
                {"schemaVersion": 1, "eventId": "reconcile:001000000000001AAA:1795773600123",
                 "sobject": "Account", "changeType": "UPDATE", "recordId": "001000000000001AAA",
                 "version": {"systemModstamp": "2026-11-27T10:00:00.123Z", "sequence": 0},
                 "commitTime": "2026-11-27T10:00:00.123Z",
                 "fields": {"Name": "Acme", "LastActivity__c": "2026-11-26T07:00:00.000Z", "Rating": null}}
                """).toString());
    }

    @Test
    void aFieldMissingFromTheRowIsNullNotLeftOut() throws Exception {
        JsonNode change = ReconcileRows.change(ACCOUNT, JSON.readTree("""
                {"Id": "001000000000001AAA", "SystemModstamp": "2026-11-27T10:00:00.000+0000", "Name": "Acme"}
                """));
        assertThat(change.path("fields").has("Rating")).isTrue();
        assertThat(change.path("fields").path("Rating").isNull()).isTrue();
        assertThat(change.path("changeType").asText())
                .as("no IsDeleted: not deleted")
                .isEqualTo("UPDATE");
    }

    @Test
    void aDeletedRecordFromTheRecycleBinIsADeleteWithoutFields() throws Exception {
        JsonNode change = ReconcileRows.change(ACCOUNT, JSON.readTree("""
                {"Id": "001000000000001AAA", "SystemModstamp": "2026-11-27T10:00:00.000+0000", "IsDeleted": true,
                 "Name": "Acme"}
                """));
        assertThat(change.path("changeType").asText()).isEqualTo("DELETE");
        assertThat(change.has("fields")).isFalse();
    }

    @Test
    void readingTheSameVersionAgainGivesTheSameEventId() throws Exception {
        String row = """
                {"Id": "001000000000001AAA", "SystemModstamp": "2026-11-27T10:00:00.000+0000", "Name": "Acme"}
                """;
        assertThat(ReconcileRows.change(ACCOUNT, JSON.readTree(row)).path("eventId"))
                .isEqualTo(ReconcileRows.change(ACCOUNT, JSON.readTree(row.replace("Acme", "Other")))
                        .path("eventId"));
    }
}
