package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContract.Field;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What reconciliation asks Salesforce: the SOQL of each kind of run, hostile ids left out, and query-more paging. */
class ReconcileQueryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataContract ACCOUNT = contract(
            new Field("Name", "string", true, 255, List.of(), null, true, null, null),
            new Field("Rating", "picklist", false, null, List.of("Hot"), null, false, null, null));

    @Test
    void aWindowReadsTheContractsFieldsOldestChangeFirstDeletedOnesIncluded() {
        ReconcileQuery query = ReconcileQuery.window(
                "Account", Instant.parse("2026-11-27T01:00:00Z"), Instant.parse("2026-11-27T09:30:00.250Z"));
        assertThat(query.soql(ACCOUNT))
                .isEqualTo("SELECT Id, SystemModstamp, IsDeleted, Name, Rating FROM Account"
                        + " WHERE SystemModstamp >= 2026-11-27T01:00:00.000Z AND SystemModstamp < 2026-11-27T09:30:00.250Z"
                        + " ORDER BY SystemModstamp ASC");
    }

    @Test
    void sinceHasNoUpperBound() {
        assertThat(ReconcileQuery.since("Account", Instant.parse("2026-11-27T01:00:00.5Z"))
                        .where())
                .isEqualTo("SystemModstamp >= 2026-11-27T01:00:00.500Z");
    }

    @Test
    void onlySalesforceIdsReachTheSoql() {
        ReconcileQuery query = ReconcileQuery.ids(
                "Account", List.of("001000000000001", "001000000000002AAA", "x') OR Name != ('", "001*", ""));
        assertThat(query.where()).isEqualTo("Id IN ('001000000000001','001000000000002AAA')");
    }

    @Test
    void noUsableIdsMeansNothingToRead() {
        ReconcileQuery query = ReconcileQuery.ids("Account", List.of("*", "nope"));
        assertThat(query.where()).isNull();
        assertThat(query.soql(ACCOUNT)).isNull();
    }

    @Test
    void theNextPageIsAskedWhileSalesforceSaysThereIsMore() throws Exception {
        assertThat(
                        ReconcileQuery.nextPage(
                                JSON.readTree(
                                        "{\"done\": false, \"nextRecordsUrl\": \"/services/data/v62.0/query/01g-2000\", \"records\": []}")))
                .isEqualTo("/services/data/v62.0/query/01g-2000");
        assertThat(ReconcileQuery.nextPage(JSON.readTree("{\"done\": true, \"records\": []}")))
                .isNull();
        assertThat(ReconcileQuery.nextPage(
                        JSON.readTree("{\"done\": true, \"nextRecordsUrl\": \"/services/data/v62.0/query/01g-2000\"}")))
                .as("done wins")
                .isNull();
        assertThat(ReconcileQuery.nextPage(JSON.readTree("{\"done\": false, \"nextRecordsUrl\": null}")))
                .isNull();
        assertThat(ReconcileQuery.nextPage(JSON.readTree("{\"records\": []}"))).isNull();
    }

    static DataContract contract(Field... fields) {
        Map<String, Field> byName = new LinkedHashMap<>();
        for (Field field : fields) {
            byName.put(field.name(), field);
        }
        return new DataContract("Account", "account", "account", "test:Account", null, null, byName);
    }
}
