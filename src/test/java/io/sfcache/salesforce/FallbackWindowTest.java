package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.fixtures.MovableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** FALLBACK mode's timing: help after fallback-after of trouble, until a quiet period of health, on a moved clock. */
class FallbackWindowTest {

    private static final Duration AFTER = Duration.ofMinutes(10);
    private static final Duration QUIET = Duration.ofMinutes(5);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-27T01:00:00Z"));
    private final FallbackWindow window = new FallbackWindow(clock, AFTER, QUIET);

    @Test
    void aHealthyQueuePathNeedsNoHelp() {
        assertThat(window.needsHelp(false, false)).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(window.needsHelp(false, false)).isFalse();
    }

    @Test
    void troubleNeedsHelpOnlyOnceItHasLastedFallbackAfter() {
        assertThat(window.needsHelp(true, false)).isFalse();
        clock.advance(AFTER.minusMillis(1));
        assertThat(window.needsHelp(true, false)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(window.needsHelp(true, false)).isTrue();
    }

    @Test
    void aShortRecoveryStartsTheTroubleWindowAgain() {
        window.needsHelp(true, false);
        clock.advance(AFTER.minusMinutes(1));
        assertThat(window.needsHelp(false, false)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(window.needsHelp(true, false)).isFalse();
        clock.advance(AFTER.minusMillis(1));
        assertThat(window.needsHelp(true, false))
                .as("counted from the new trouble, not the old")
                .isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(window.needsHelp(true, false)).isTrue();
    }

    @Test
    void runningSubscriptionsStayForTheQuietPeriodAfterRecovery() {
        window.needsHelp(true, false);
        clock.advance(AFTER);
        assertThat(window.needsHelp(true, false)).isTrue();

        clock.advance(Duration.ofSeconds(30));
        assertThat(window.needsHelp(false, true)).isTrue();
        clock.advance(QUIET.minusMillis(1));
        assertThat(window.needsHelp(false, true)).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(window.needsHelp(false, true)).isFalse();
    }

    @Test
    void withoutRunningSubscriptionsRecoveryNeedsNoQuietPeriod() {
        window.needsHelp(true, false);
        clock.advance(AFTER);
        window.needsHelp(true, false);
        assertThat(window.needsHelp(false, false)).isFalse();
    }

    @Test
    void troubleDuringTheQuietPeriodNeedsHelpAfterFallbackAfterAgain() {
        window.needsHelp(true, false);
        clock.advance(AFTER);
        window.needsHelp(false, true);
        clock.advance(Duration.ofMinutes(1));
        assertThat(window.needsHelp(true, true))
                .as("a new trouble window starts")
                .isFalse();
        clock.advance(AFTER);
        assertThat(window.needsHelp(true, true)).isTrue();
    }
}
