package io.sfcache.salesforce;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the queue path needs Change Data Capture's help (FALLBACK mode): once it has been unhealthy for
 * {@code fallback-after}, and until it has been healthy again for {@code fallback-quiet-period} while subscriptions
 * run; and whether an operator asked for the subscriptions whatever the health.
 *
 * <p>The window is the replicas' ({@link Store}: the {@code cdc-mode} document in sync-state), so a new leader of the
 * subscriptions, or a restarted replica, goes on counting where the others got to instead of starting the delay or
 * the quiet period again. The queue path is unhealthy while any replica sees it so: each troubled replica is listed
 * with when it last said so, and the window ends when the list empties (a replica that recovers takes itself off; one
 * that died is dropped once it has not said so for three checks). Read and written once per check, written only when
 * something changes, and only if nobody wrote since it was read (else read again).
 */
final class FallbackWindow {

    /**
     * The shared state.
     *
     * @param unhealthySince since when some replica has seen the queue path unhealthy; null while healthy
     * @param healthySince   since when no replica has; null while unhealthy
     * @param troubled       the replicas that see it unhealthy, with when each last said so
     * @param operatorOn     an operator asked for the subscriptions (JMX), on whichever replica
     */
    record Window(Instant unhealthySince, Instant healthySince, Map<String, Instant> troubled, boolean operatorOn) {

        static final Window EMPTY = new Window(null, null, Map.of(), false);

        Window {
            troubled = Map.copyOf(troubled);
        }
    }

    /** The window as stored, with the ETag to write it back with (null: no document yet). */
    record Stored(Window window, String etag) {}

    /** Where the window is kept. */
    interface Store {
        Optional<Stored> read();

        /** @return false when it changed since {@code etag} was read (or was created meanwhile) */
        boolean write(Window window, String etag);
    }

    private static final int ATTEMPTS = 5;
    private static final int CHECKS_BEFORE_GONE = 3;
    private static final Logger LOG = LoggerFactory.getLogger(FallbackWindow.class);

    private final Store store;
    private final Clock clock;
    private final Duration fallbackAfter;
    private final Duration quietPeriod;
    private final Duration checkInterval;
    /** This JVM, in the troubled list: a restarted replica is a new one (its old entry goes after three checks). */
    private final String replica = UUID.randomUUID().toString();
    /** The last window read or written: this replica's view while the store cannot be reached. */
    private Window last = Window.EMPTY;

    FallbackWindow(Store store, Clock clock, Duration fallbackAfter, Duration quietPeriod, Duration checkInterval) {
        this.store = store;
        this.clock = clock;
        this.fallbackAfter = fallbackAfter;
        this.quietPeriod = quietPeriod;
        this.checkInterval = checkInterval;
    }

    /**
     * Records this replica's view of the queue path and decides.
     *
     * @param queueUnhealthy the queue path's state now, as this replica sees it (its consumer paused, or heartbeats
     *                       overdue)
     * @param subscribed     whether CDC subscriptions run now
     * @return whether the subscriptions are wanted: the operator asked, or the queue path needs help
     */
    synchronized boolean subscriptionsWanted(boolean queueUnhealthy, boolean subscribed) {
        Instant now = clock.instant();
        Window window = update(before -> seen(before, queueUnhealthy, now));
        if (window.operatorOn()) {
            return true;
        }
        if (window.unhealthySince() != null) {
            return !Duration.between(window.unhealthySince(), now)
                    .minus(fallbackAfter)
                    .isNegative();
        }
        return subscribed && Duration.between(window.healthySince(), now).compareTo(quietPeriod) < 0;
    }

    /** The operator's switch: subscribe whatever the queue path's health, or leave it to that; for every replica. */
    synchronized void operatorWants(boolean on) {
        update(before -> new Window(before.unhealthySince(), before.healthySince(), before.troubled(), on));
    }

    private Window seen(Window before, boolean unhealthy, Instant now) {
        Map<String, Instant> troubled = new TreeMap<>(before.troubled());
        if (unhealthy) {
            Instant said = troubled.get(replica);
            // Said again at most every half check, so that a replica with trouble writes about once per check.
            if (said == null || !said.plus(checkInterval.dividedBy(2)).isAfter(now)) {
                troubled.put(replica, now);
            }
        } else {
            troubled.remove(replica);
        }
        Instant gone = now.minus(checkInterval.multipliedBy(CHECKS_BEFORE_GONE));
        troubled.values().removeIf(said -> said.isBefore(gone));
        if (!troubled.isEmpty()) {
            Instant since = before.unhealthySince() == null ? now : before.unhealthySince();
            return new Window(since, null, troubled, before.operatorOn());
        }
        Instant healthySince =
                before.unhealthySince() != null || before.healthySince() == null ? now : before.healthySince();
        return new Window(null, healthySince, troubled, before.operatorOn());
    }

    /** Read, change, write back if nobody wrote meanwhile (else again). */
    private Window update(java.util.function.UnaryOperator<Window> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<Stored> stored;
            try {
                stored = store.read();
            } catch (RuntimeException e) {
                // Cosmos unreachable (the queue path's usual trouble): decide on this replica's view meanwhile.
                last = change.apply(last);
                LOG.warn("CDC fallback window not read ({}): this replica's view for now", e.getMessage());
                return last;
            }
            Window before = stored.map(Stored::window).orElse(Window.EMPTY);
            Window after = change.apply(before);
            if (after.equals(before)) {
                last = after;
                return after;
            }
            boolean written;
            try {
                written = store.write(after, stored.map(Stored::etag).orElse(null));
            } catch (RuntimeException e) {
                last = after;
                LOG.warn("CDC fallback window not stored ({}): this replica's view for now", e.getMessage());
                return after;
            }
            if (written) {
                last = after;
                return after;
            }
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException("the CDC fallback window was changed by others " + ATTEMPTS
                        + " times while this replica tried to write it: try again at the next check");
            }
        }
    }
}
