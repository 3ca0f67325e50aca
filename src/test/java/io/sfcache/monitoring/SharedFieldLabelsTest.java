package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.InMemoryAlarms;
import io.sfcache.fixtures.MovableClock;
import io.sfcache.salesforce.DescribeClient;
import io.sfcache.sync.RedriveJobs;
import io.sfcache.sync.StateDocuments;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The field labels the schema-drift check has seen are the replicas' (sync-state, on the Cosmos stand-in): a new
 * leader recognises a field renamed after the old leader's last describe as a rename, where a detector with no
 * history can only call it a removal; writers at the same time all keep their labels.
 */
@SfcacheIntegrationTest
class SharedFieldLabelsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    StateDocuments documents;

    private final String prefix = "field-labels-test-" + UUID.randomUUID() + "-";
    private final DataContracts contracts =
            new DataContracts(List.of("Account"), "classpath:contracts/objects/", new DefaultResourceLoader(), JSON);
    private final AtomicReference<String> describe = new AtomicReference<>();
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-07T08:00:00Z"));

    @Test
    void aNewLeaderRecognisesARenameTheOldLeaderSawTheLabelOf() throws Exception {
        describe.set(
                SchemaDriftHandoverTest.describeOf(contracts.find("Account").orElseThrow(), null));
        assertThat(replica(prefix).check("Account").findings()).isEmpty();

        // The old leader dies; AnnualRevenue is then renamed in Salesforce (same label, new API name).
        describe.set(renamed("AnnualRevenue", "Revenue__c"));

        assertThat(replica(prefix).check("Account").findings())
                .extracting(DriftFinding::kind, DriftFinding::actual)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DriftFinding.Kind.RENAMED, "Revenue__c"));
        assertThat(replica("field-labels-none-" + UUID.randomUUID() + "-")
                        .check("Account")
                        .findings())
                .as("without the labels the old leader saw, the same describe reads as a removal")
                .extracting(DriftFinding::kind)
                .containsExactly(DriftFinding.Kind.REMOVED);
    }

    @Test
    void labelsWrittenAtTheSameTimeAreAllKept() {
        SharedFieldLabels labels = new SharedFieldLabels(documents, prefix);
        List<CompletableFuture<Void>> writers = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.runAsync(() -> labels.remember("Account", Map.of("F" + i, "L" + i))))
                .toList();
        writers.forEach(CompletableFuture::join);

        assertThat(labels.known("Account")).isEqualTo(Map.of("F0", "L0", "F1", "L1", "F2", "L2", "F3", "L3"));
    }

    private SchemaDriftDetector replica(String labelsPrefix) {
        DescribeClient salesforce = new DescribeClient(null) {
            @Override
            public Describe describe(String sobject, String ifModifiedSince) {
                return new Describe(true, clock.instant().toString(), describe.get());
            }
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AlarmRepairs repairs = new AlarmRepairs(
                InMemoryAlarms.of(contracts, meters),
                contracts,
                new ReconciliationRuns(contracts, meters),
                mock(RedriveJobs.class),
                clock,
                new MonitoringProperties());
        return new SchemaDriftDetector(
                contracts, salesforce, repairs, new SharedFieldLabels(documents, labelsPrefix), JSON, meters, clock);
    }

    /** The contract's describe with {@code field} under a new API name, its label kept. */
    private String renamed(String field, String newName) throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(
                SchemaDriftHandoverTest.describeOf(contracts.find("Account").orElseThrow(), null));
        ArrayNode fields = (ArrayNode) doc.path("fields");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).path("name").asText().equals(field)) {
                ((ObjectNode) fields.get(i)).put("name", newName);
            }
        }
        return JSON.writeValueAsString(doc);
    }
}
