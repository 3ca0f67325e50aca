package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.fixtures.MovableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * FALLBACK mode's timing as one replica sees it: help after fallback-after of trouble, until a quiet period of health,
 * on a moved clock. What several replicas share: {@link SharedFallbackWindowTest}.
 */
class FallbackWindowTest {

    private static final Duration AFTER = Duration.ofMinutes(10);
    private static final Duration QUIET = Duration.ofMinutes(5);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-27T01:00:00Z"));
    private final FallbackWindow window =
            new FallbackWindow(new InMemoryWindow(), clock, AFTER, QUIET, Duration.ofSeconds(30));

    @Test
    void aHealthyQueuePathNeedsNoHelp() {
        assertThat(window.subscriptionsWanted(false, false)).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(window.subscriptionsWanted(false, false)).isFalse();
    }

    @Test
    void troubleNeedsHelpOnlyOnceItHasLastedFallbackAfter() {
        assertThat(window.subscriptionsWanted(true, false)).isFalse();
        clock.advance(AFTER.minusMillis(1));
        assertThat(window.subscriptionsWanted(true, false)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(window.subscriptionsWanted(true, false)).isTrue();
    }

    @Test
    void aShortRecoveryStartsTheTroubleWindowAgain() {
        window.subscriptionsWanted(true, false);
        clock.advance(AFTER.minusMinutes(1));
        assertThat(window.subscriptionsWanted(false, false)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(window.subscriptionsWanted(true, false)).isFalse();
        clock.advance(AFTER.minusMillis(1));
        assertThat(window.subscriptionsWanted(true, false))
                .as("counted from the new trouble, not the old")
                .isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(window.subscriptionsWanted(true, false)).isTrue();
    }

    @Test
    void runningSubscriptionsStayForTheQuietPeriodAfterRecovery() {
        window.subscriptionsWanted(true, false);
        clock.advance(AFTER);
        assertThat(window.subscriptionsWanted(true, false)).isTrue();

        clock.advance(Duration.ofSeconds(30));
        assertThat(window.subscriptionsWanted(false, true)).isTrue();
        clock.advance(QUIET.minusMillis(1));
        assertThat(window.subscriptionsWanted(false, true)).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(window.subscriptionsWanted(false, true)).isFalse();
    }

    @Test
    void withoutRunningSubscriptionsRecoveryNeedsNoQuietPeriod() {
        window.subscriptionsWanted(true, false);
        clock.advance(AFTER);
        window.subscriptionsWanted(true, false);
        assertThat(window.subscriptionsWanted(false, false)).isFalse();
    }

    @Test
    void troubleDuringTheQuietPeriodNeedsHelpAfterFallbackAfterAgain() {
        window.subscriptionsWanted(true, false);
        clock.advance(AFTER);
        window.subscriptionsWanted(false, true);
        clock.advance(Duration.ofMinutes(1));
        assertThat(window.subscriptionsWanted(true, true))
                .as("a new trouble window starts")
                .isFalse();
        clock.advance(AFTER);
        assertThat(window.subscriptionsWanted(true, true)).isTrue();
    }
}
