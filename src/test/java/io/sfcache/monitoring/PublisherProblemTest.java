package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.sync.PublisherStatus;
import io.sfcache.sync.SyncState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules that turn one stored heartbeat into publisher problems, at their edges; {@code PublisherUnhealthyTest}
 * sends each through the pipeline.
 */
class PublisherProblemTest {

    private static final Instant SENT = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration LIMIT = Duration.ofMinutes(15);
    private static final PublisherStatus HEALTHY = new PublisherStatus(true, true, 0L, 0L, null, 0L, null, null);

    @Test
    void anOlderPublisherSaysNothingAndRaisesNothing() {
        assertThat(PublisherProblem.reportedBy(heartbeat(PublisherStatus.UNKNOWN, null), LIMIT))
                .isEmpty();
        assertThat(PublisherProblem.oldestPendingAge(heartbeat(PublisherStatus.UNKNOWN, null)))
                .isNull();
        assertThat(PublisherProblem.reportedBy(heartbeat(HEALTHY, 0L), LIMIT)).isEmpty();
        assertThat(PublisherProblem.oldestPendingAge(heartbeat(HEALTHY, 0L))).isZero();
    }

    @Test
    void theBacklogIsMeasuredAtTheHeartbeatAndMustExceedTheLimit() {
        assertThat(PublisherProblem.reportedBy(heartbeat(pendingSince(SENT.minus(LIMIT)), 0L), LIMIT))
                .as("exactly the limit")
                .isEmpty();
        assertThat(PublisherProblem.reportedBy(
                        heartbeat(pendingSince(SENT.minus(LIMIT).minusSeconds(1)), 0L), LIMIT))
                .containsOnlyKeys(PublisherProblem.OUTBOX_BACKLOG);
        assertThat(PublisherProblem.oldestPendingAge(heartbeat(pendingSince(SENT.plusSeconds(5)), 0L)))
                .as("a clock ahead of the heartbeat's")
                .isZero();
    }

    @Test
    void aFailedCountIsGrowthOnlyAgainstAKnownPreviousOne() {
        PublisherStatus threeFailed = new PublisherStatus(true, true, 0L, 3L, null, 0L, null, null);
        assertThat(PublisherProblem.reportedBy(heartbeat(threeFailed, null), LIMIT))
                .as("no previous count")
                .isEmpty();
        assertThat(PublisherProblem.reportedBy(heartbeat(threeFailed, 3L), LIMIT))
                .as("steady")
                .isEmpty();
        assertThat(PublisherProblem.reportedBy(heartbeat(threeFailed, 4L), LIMIT))
                .as("an operator cleared one")
                .isEmpty();
        assertThat(PublisherProblem.reportedBy(heartbeat(threeFailed, 2L), LIMIT))
                .containsOnlyKeys(PublisherProblem.SEND_FAILURES);
    }

    private static PublisherStatus pendingSince(Instant oldest) {
        return new PublisherStatus(true, true, 3L, 0L, oldest, 0L, null, null);
    }

    private static SyncState.Heartbeat heartbeat(PublisherStatus status, Long previousOutboxFailed) {
        return new SyncState.Heartbeat(
                "Account", SENT, SENT.plusSeconds(1), 0, status, previousOutboxFailed, List.of());
    }
}
