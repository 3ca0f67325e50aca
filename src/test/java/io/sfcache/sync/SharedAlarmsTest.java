package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ObjectAlarms.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Alarms are the replicas' shared bookkeeping: two {@link ObjectAlarms} over the same sync-state document (the Cosmos
 * stand-in), as two replicas have them. What one raises the other reads; a repair one records the other's readers
 * see; changes made at the same time by both are all kept (ETag-conditional writes, read again on a conflict). The
 * object is one no contract names, so the shared context's own alarms are untouched.
 */
@SfcacheIntegrationTest
class SharedAlarmsTest {

    private static final String SOBJECT = "SharedAlarmsTest__c";

    @Autowired
    AlarmDocuments documents;

    @Autowired
    DataContracts contracts;

    @Test
    void whatOneReplicaRaisesAndRepairsTheOtherSeesAndConcurrentChangesAreAllKept() throws Exception {
        ObjectAlarms replicaA = new ObjectAlarms(contracts, new SimpleMeterRegistry(), documents);
        ObjectAlarms replicaB = new ObjectAlarms(contracts, new SimpleMeterRegistry(), documents);
        Instant now = Instant.now();
        for (Reason reason : Reason.values()) {
            replicaA.clear(SOBJECT, reason);
        }

        replicaA.raise(SOBJECT, Reason.PUBLISHER_SILENT, "no heartbeat", now.minusSeconds(60), now);
        assertThat(replicaB.staleReason(SOBJECT)).contains(Reason.PUBLISHER_SILENT);

        // Both replicas raise different alarms at the same time: none is lost to the other's write.
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Reason reason : List.of(Reason.MESSAGES_LOST, Reason.QUEUE_PAUSED)) {
            writes.add(CompletableFuture.runAsync(() -> replicaA.raise(SOBJECT, reason, "by A", now, now)));
        }
        for (Reason reason : List.of(Reason.SCHEMA_DRIFT, Reason.PUBLISHER_UNHEALTHY)) {
            writes.add(CompletableFuture.runAsync(() -> replicaB.raise(SOBJECT, reason, "by B", now, now)));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> replicaA.of(SOBJECT).size() == Reason.values().length
                        && replicaB.of(SOBJECT).size() == Reason.values().length);

        // The leader (A) repairs; B's readers stop being told stale once its cache renews.
        Instant repairedUntil = now.plusSeconds(1);
        replicaA.repaired(replicaA.of(SOBJECT), repairedUntil, now.plusSeconds(2));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        replicaB.of(SOBJECT).stream().allMatch(alarm -> repairedUntil.equals(alarm.repairedUntil())));
        assertThat(replicaB.staleReason(SOBJECT))
                .as("only the drift stays stale while it lasts")
                .contains(Reason.SCHEMA_DRIFT);

        for (Reason reason : Reason.values()) {
            replicaB.clear(SOBJECT, reason);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> replicaA.of(SOBJECT).isEmpty());
    }
}
