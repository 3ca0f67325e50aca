package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.MovableClock;
import io.sfcache.sync.StateDocuments;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * FALLBACK mode's window is the replicas' (the {@code cdc-mode} document in sync-state, on the Cosmos stand-in): a
 * replica that takes over the subscriptions, or one restarted, counts the delay and the quiet period on from where
 * the others got to; a replica that still sees trouble keeps the window open for all; one that died stops counting
 * after three checks; the operator's switch reaches every replica; changes made at the same time are all kept. Each
 * test has a document of its own, and every replica the same moved clock, each checking every 30 s as the timer does.
 */
@SfcacheIntegrationTest
class SharedFallbackWindowTest {

    private static final Duration AFTER = Duration.ofMinutes(10);
    private static final Duration QUIET = Duration.ofMinutes(5);
    private static final Duration CHECK = Duration.ofSeconds(30);

    @Autowired
    StateDocuments documents;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-08T09:00:00Z"));
    private final String document = "cdc-mode-test-" + UUID.randomUUID();

    private FallbackWindow replica() {
        return new FallbackWindow(new CdcModeDocument(documents, document), clock, AFTER, QUIET, CHECK);
    }

    @Test
    void aNewLeaderCountsTheDelayAndTheQuietPeriodFromWhereTheOldOneGot() {
        FallbackWindow oldLeader = replica();
        for (Duration spent = Duration.ZERO; spent.compareTo(Duration.ofMinutes(6)) < 0; spent = spent.plus(CHECK)) {
            assertThat(oldLeader.subscriptionsWanted(true, false)).isFalse();
            clock.advance(CHECK);
        }
        // The old leader dies (or restarts: a new JVM is a new replica); the next one sees the same trouble.
        FallbackWindow newLeader = replica();
        assertThat(newLeader.subscriptionsWanted(true, false))
                .as("6 of the 10 minutes are behind: the delay does not start again")
                .isFalse();
        clock.advance(Duration.ofMinutes(4).minusMillis(1));
        assertThat(newLeader.subscriptionsWanted(true, false)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(newLeader.subscriptionsWanted(true, false))
                .as("10 minutes after the old leader first saw trouble")
                .isTrue();

        // Healthy again while subscribed: the quiet period starts; it too survives a handover.
        clock.advance(CHECK);
        assertThat(newLeader.subscriptionsWanted(false, true)).isTrue();
        clock.advance(Duration.ofMinutes(3));
        FallbackWindow third = replica();
        assertThat(third.subscriptionsWanted(false, true)).isTrue();
        clock.advance(Duration.ofMinutes(2).minusMillis(1));
        assertThat(third.subscriptionsWanted(false, true)).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(third.subscriptionsWanted(false, true))
                .as("5 minutes after the queue path was healthy again, not 5 after this replica started")
                .isFalse();
    }

    @Test
    void aReplicaThatStillSeesTroubleKeepsTheWindowOpenForAll() {
        FallbackWindow troubled = replica();
        FallbackWindow healthy = replica();
        for (Duration spent = Duration.ZERO; spent.compareTo(AFTER) < 0; spent = spent.plus(CHECK)) {
            assertThat(troubled.subscriptionsWanted(true, false)).isFalse();
            assertThat(healthy.subscriptionsWanted(false, false))
                    .as("a healthy view does not end another replica's trouble")
                    .isFalse();
            clock.advance(CHECK);
        }
        assertThat(troubled.subscriptionsWanted(true, false)).isTrue();
        assertThat(healthy.subscriptionsWanted(false, false))
                .as("the leader, whichever it is, decides the same")
                .isTrue();

        // The troubled one recovers and says so: the window ends at once, the quiet period runs for both.
        clock.advance(CHECK);
        assertThat(troubled.subscriptionsWanted(false, true)).isTrue();
        clock.advance(QUIET);
        assertThat(healthy.subscriptionsWanted(false, true)).isFalse();
    }

    @Test
    void aReplicaThatDiedInTroubleStopsCountingAfterThreeChecks() {
        FallbackWindow died = replica();
        FallbackWindow healthy = replica();
        died.subscriptionsWanted(true, false);
        clock.advance(CHECK);
        healthy.subscriptionsWanted(false, false);
        clock.advance(CHECK.multipliedBy(2));
        assertThat(healthy.subscriptionsWanted(false, false)).isFalse();
        clock.advance(AFTER);
        assertThat(healthy.subscriptionsWanted(false, false))
                .as("the dead replica's trouble was dropped after three checks: no help needed")
                .isFalse();
        assertThat(replica().subscriptionsWanted(true, false))
                .as("new trouble counts from now")
                .isFalse();
    }

    @Test
    void theOperatorsSwitchReachesEveryReplicaAndOutlivesARestart() {
        FallbackWindow asked = replica();
        FallbackWindow leader = replica();
        assertThat(leader.subscriptionsWanted(false, false)).isFalse();
        asked.operatorWants(true);
        assertThat(leader.subscriptionsWanted(false, false)).isTrue();
        assertThat(replica().subscriptionsWanted(false, false))
                .as("a restarted replica")
                .isTrue();
        asked.operatorWants(false);
        assertThat(leader.subscriptionsWanted(false, false)).isFalse();
    }

    @Test
    void changesMadeAtTheSameTimeAreAllKept() throws Exception {
        List<FallbackWindow> replicas = List.of(replica(), replica(), replica(), replica());
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Boolean>> checks = new ArrayList<>();
        for (FallbackWindow each : replicas) {
            checks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return each.subscriptionsWanted(true, false);
            }));
        }
        start.countDown();
        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get();

        assertThat(new CdcModeDocument(documents, document)
                        .read()
                        .orElseThrow()
                        .window()
                        .troubled())
                .as("each replica's trouble is listed: none lost to another's concurrent write")
                .hasSize(replicas.size());

        // Three of them recover: the window stays open for the fourth, which goes on seeing trouble.
        for (Duration spent = Duration.ZERO; spent.compareTo(AFTER) < 0; spent = spent.plus(CHECK)) {
            clock.advance(CHECK);
            replicas.get(3).subscriptionsWanted(true, false);
            for (FallbackWindow each : replicas.subList(0, 3)) {
                each.subscriptionsWanted(false, false);
            }
        }
        assertThat(replicas.get(0).subscriptionsWanted(false, false))
                .as("fallback-after since the concurrent start of the trouble")
                .isTrue();
    }
}
