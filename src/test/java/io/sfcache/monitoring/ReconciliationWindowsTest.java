package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.monitoring.ReconciliationRun.UnpublishedWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where reconciliation runs read from: the checkpoint arithmetic and the heartbeat windows, without Salesforce. */
class ReconciliationWindowsTest {

    private static final Duration OVERLAP = Duration.ofMinutes(10);
    private static final Duration INITIAL = Duration.ofHours(24);
    private static final Instant T0 = Instant.parse("2026-11-27T01:00:00Z");

    private final ReconciliationWindows windows = new ReconciliationWindows(OVERLAP, INITIAL);

    @Test
    void theScheduleReadsFromTheCheckpointMinusTheOverlap() {
        assertThat(windows.scheduledFrom(Optional.of(T0), T0.plus(Duration.ofMinutes(15))))
                .isEqualTo(T0.minus(OVERLAP));
    }

    @Test
    void theFirstScheduledRunReadsTheInitialWindow() {
        assertThat(windows.scheduledFrom(Optional.empty(), T0)).isEqualTo(T0.minus(INITIAL));
    }

    @Test
    void anUnpublishedWindowIsReadFromItsStartMinusTheOverlapToTheHeartbeatIncluded() {
        UnpublishedWindow window = new UnpublishedWindow("Account", T0, T0.plusSeconds(60));
        assertThat(windows.unpublished(window).where())
                .isEqualTo("SystemModstamp >= 2026-11-27T00:50:00.000Z"
                        + " AND SystemModstamp < 2026-11-27T01:01:00.001Z");
    }

    @Test
    void theSameUnpublishedStartReportedAgainIsReadOnlyFromWhereTheLastRunEnded() {
        UnpublishedWindow first = new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(30)));
        windows.read(first);
        UnpublishedWindow next = new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(45)));
        assertThat(windows.unpublished(next).where())
                .isEqualTo("SystemModstamp >= 2026-11-27T01:20:00.000Z"
                        + " AND SystemModstamp < 2026-11-27T01:45:00.001Z");
    }

    @Test
    void aWindowAlreadyReadUpToTheHeartbeatIsNotReadAgain() {
        windows.read(new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(30))));
        assertThat(windows.unpublished(new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(20)))))
                .as("the heartbeat's time is within what was read, minus the overlap")
                .isNull();
    }

    @Test
    void aNewUnpublishedStartIsReadFromItsOwnStart() {
        windows.read(new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(30))));
        Instant later = T0.plus(Duration.ofHours(2));
        assertThat(windows.unpublished(new UnpublishedWindow("Account", later, later.plusSeconds(60)))
                        .where())
                .startsWith("SystemModstamp >= 2026-11-27T02:50:00.000Z");
    }

    @Test
    void anOlderRunFinishingLateDoesNotMoveTheMarkBack() {
        windows.read(new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(45))));
        windows.read(new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(30))));
        assertThat(windows.unpublished(new UnpublishedWindow("Account", T0, T0.plus(Duration.ofMinutes(60))))
                        .where())
                .startsWith("SystemModstamp >= 2026-11-27T01:35:00.000Z");
    }
}
