package io.sfcache.salesforce;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When the queue path needs Change Data Capture's help (FALLBACK mode): once it has been unhealthy for
 * {@code fallback-after}, and until it has been healthy again for {@code fallback-quiet-period} while subscriptions
 * run. Asked on every mode check; remembers since when the path has been unhealthy or healthy.
 */
final class FallbackWindow {

    private final Clock clock;
    private final Duration fallbackAfter;
    private final Duration quietPeriod;
    private Instant unhealthySince;
    private Instant healthySince;

    FallbackWindow(Clock clock, Duration fallbackAfter, Duration quietPeriod) {
        this.clock = clock;
        this.fallbackAfter = fallbackAfter;
        this.quietPeriod = quietPeriod;
    }

    /**
     * @param queueUnhealthy the queue path's state now (consumer paused, or heartbeats overdue)
     * @param subscribed     whether CDC subscriptions run now
     */
    synchronized boolean needsHelp(boolean queueUnhealthy, boolean subscribed) {
        Instant now = clock.instant();
        if (queueUnhealthy) {
            healthySince = null;
            if (unhealthySince == null) {
                unhealthySince = now;
            }
            return !Duration.between(unhealthySince, now).minus(fallbackAfter).isNegative();
        }
        unhealthySince = null;
        if (healthySince == null) {
            healthySince = now;
        }
        return subscribed && Duration.between(healthySince, now).compareTo(quietPeriod) < 0;
    }
}
