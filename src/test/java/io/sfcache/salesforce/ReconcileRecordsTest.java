package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.salesforce.SalesforceStandin;
import io.sfcache.sync.PipelineHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The {@code reconcile-records} route against the Salesforce stand-in: every page of a query result is read
 * (queryAll, then queryMore while Salesforce says there is more), each record goes through the sync flow, and the
 * counts say what was repaired.
 */
@SfcacheIntegrationTest
class ReconcileRecordsTest {

    private static final Duration ARRIVES = Duration.ofSeconds(40);

    @Autowired
    Reconciler reconciler;

    @Autowired
    PipelineHarness pipeline;

    private final SalesforceStandin salesforce = SalesforceStandin.shared();

    @AfterEach
    void defaultPages() {
        salesforce.queryBatchSize(2000);
    }

    @Test
    void everyPageIsReadAndEachRecordRepaired() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> fields = new HashMap<>();
            fields.put("Name", "Paged " + i);
            fields.put("OwnerId", salesforce.userId());
            fields.put("BillingCity", "Braga");
            ids.add(salesforce.create("Account", fields));
        }
        // Stored (by the change events), then changed with neither a message nor an event.
        ids.forEach(id -> await().atMost(ARRIVES)
                .until(() -> pipeline.record("Account", id).isPresent()));
        ids.forEach(id -> salesforce.updateSilently("Account", id, Map.of("BillingCity", "Coimbra")));
        salesforce.queryBatchSize(2);

        Reconciler.Result result = reconciler.reconcile(ReconcileQuery.ids("Account", ids));

        assertThat(result).as("three pages of two, two and one").isEqualTo(new Reconciler.Result("Account", 5, 5, 0));
        for (String id : ids) {
            JsonNode stored = pipeline.record("Account", id).orElseThrow();
            assertThat(stored.path("fields").path("BillingCity").asText()).isEqualTo("Coimbra");
            assertThat(stored.path("sync").path("source").asText()).isEqualTo("RECONCILIATION");
        }

        assertThat(reconciler.reconcile(ReconcileQuery.ids("Account", ids)))
                .as("read again: nothing missing or older")
                .isEqualTo(new Reconciler.Result("Account", 5, 0, 0));
    }

    @Test
    void withoutUsableIdsNothingIsAsked() {
        assertThat(reconciler.reconcile(ReconcileQuery.ids("Account", List.of("*", "') OR ('"))))
                .isEqualTo(new Reconciler.Result("Account", 0, 0, 0));
    }
}
