package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.InMemoryAlarms;
import io.sfcache.fixtures.InMemoryFieldLabels;
import io.sfcache.fixtures.MovableClock;
import io.sfcache.salesforce.DescribeClient;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.RedriveJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The schema-drift check runs on the leader; the drift it found is the replicas' (the shared SCHEMA_DRIFT alarm), so
 * a new leader (or a restarted one) that first sees the object matching its contract again still owes the drift's
 * window its reconciliation, from when the drift was first known, not from its own start.
 */
class SchemaDriftHandoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-12-07T08:00:00Z");

    private final MovableClock clock = new MovableClock(START);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DataContracts contracts =
            new DataContracts(List.of("Account"), "classpath:contracts/objects/", new DefaultResourceLoader(), JSON);
    private final ObjectAlarms shared = InMemoryAlarms.of(contracts, meters);
    private final AtomicReference<String> describe = new AtomicReference<>();
    private final FieldLabels labels = new InMemoryFieldLabels();

    private SchemaDriftDetector replica() {
        DescribeClient salesforce = new DescribeClient(null) {
            @Override
            public Describe describe(String sobject, String ifModifiedSince) {
                return new Describe(true, clock.instant().toString(), describe.get());
            }
        };
        AlarmRepairs repairs = new AlarmRepairs(
                shared,
                contracts,
                new ReconciliationRuns(contracts, meters),
                mock(RedriveJobs.class),
                clock,
                new MonitoringProperties());
        return new SchemaDriftDetector(contracts, salesforce, repairs, labels, JSON, new SimpleMeterRegistry(), clock);
    }

    @Test
    void aNewLeaderReconcilesTheWindowOfADriftTheOldOneFound() throws Exception {
        SchemaDriftDetector oldLeader = replica();
        describe.set(describeOf(contracts.find("Account").orElseThrow(), null));
        oldLeader.check("Account");
        clock.advance(Duration.ofMinutes(4));
        describe.set(describeOf(contracts.find("Account").orElseThrow(), "AnnualRevenue"));
        assertThat(oldLeader.check("Account").findings()).hasSize(1);
        Instant driftKnownSince = shared.find("Account", ObjectAlarms.Reason.SCHEMA_DRIFT)
                .orElseThrow()
                .completeUntil();
        assertThat(driftKnownSince).as("the last check without drift").isEqualTo(START);

        // The old leader dies; the field is changed back before the new one's first check.
        clock.advance(Duration.ofMinutes(10));
        describe.set(describeOf(contracts.find("Account").orElseThrow(), null));
        SchemaDriftDetector newLeader = replica();
        SchemaDriftDetector.ObjectDrift seen = newLeader.check("Account");

        assertThat(seen.findings()).isEmpty();
        assertThat(seen.repairDue()).isTrue();
        assertThat(seen.repair().since()).isEqualTo(driftKnownSince);
    }

    /** A describe that matches the contract, or has {@code retyped} as a string. */
    static String describeOf(DataContract contract, String retyped) throws Exception {
        ObjectNode describe = JSON.createObjectNode();
        ArrayNode fields = describe.putArray("fields");
        for (DataContract.Field field : contract.fields().values()) {
            ObjectNode node = fields.addObject();
            node.put("name", field.name());
            node.put("label", field.name());
            if (field.salesforceType() != null) {
                node.put("type", field.name().equals(retyped) ? "string" : field.salesforceType());
            }
            if (field.maxLength() != null) {
                node.put("length", field.maxLength());
            }
            if (!field.picklistValues().isEmpty()) {
                ArrayNode values = node.putArray("picklistValues");
                field.picklistValues()
                        .forEach(value -> values.addObject().put("value", value).put("active", true));
            }
            node.put("nillable", true);
        }
        return JSON.writeValueAsString(describe);
    }
}
