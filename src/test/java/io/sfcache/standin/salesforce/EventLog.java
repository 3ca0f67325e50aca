package io.sfcache.standin.salesforce;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The org's change event bus: every change event with its replay id, kept for the retention window (Salesforce: 72
 * hours), then gone.
 *
 * <p>Replay ids are 8-byte big-endian counters with gaps between consecutive events, so nothing may assume they are
 * contiguous. A client may resume ({@code CUSTOM}) from any id between the retention horizon and the tip; older ids,
 * ids of forgotten events and ids in another shape are "corrupted", as Salesforce calls them.
 *
 * <p>Internally events are numbered by a position that never changes; the replay id a client sees is the position plus
 * an offset. {@link #invalidateReplayIds()} jumps the offset, so every id handed out before is unknown while open
 * subscriptions (which track positions) go on undisturbed.
 */
final class EventLog {

    /** One stored event: what a subscriber receives, plus what tests may want to look at. */
    record StoredEvent(
            long position,
            String eventUuid,
            String entity,
            String schemaId,
            byte[] payload,
            Instant commitTime,
            String changeType,
            List<String> recordIds) {}

    /** Events after a position, and the position a subscriber has reached once it has them. */
    record Batch(List<StoredEvent> events, long reached) {}

    static final class CorruptedReplayIdException extends Exception {
        CorruptedReplayIdException(String message) {
            super(message);
        }
    }

    private static final int MAX_GAP = 7;

    private final Random random = new Random();
    private final List<StoredEvent> events = new ArrayList<>();
    private volatile Duration retention;
    private long offset;
    private long tip;
    /** Positions at or below it are unknown, except the horizon itself (the retention edge). */
    private long horizon;

    EventLog(Duration retention) {
        this.retention = retention;
        this.tip = 1_000_000L + random.nextInt(9_000_000);
        this.horizon = tip;
    }

    void retention(Duration newRetention) {
        this.retention = newRetention;
    }

    synchronized StoredEvent append(
            String entity,
            String schemaId,
            byte[] payload,
            Instant commitTime,
            String changeType,
            List<String> recordIds,
            String eventUuid) {
        purgeBefore(Instant.now().minus(retention));
        tip += 1 + random.nextInt(MAX_GAP);
        StoredEvent event = new StoredEvent(
                tip, eventUuid, entity, schemaId, payload, commitTime, changeType, List.copyOf(recordIds));
        events.add(event);
        return event;
    }

    /** The replay id of the newest event (or the starting point when there is none yet). */
    synchronized long tip() {
        return tip;
    }

    /** The position before the oldest retained event: where {@code EARLIEST} starts. */
    synchronized long earliest() {
        purgeBefore(Instant.now().minus(retention));
        return horizon;
    }

    /**
     * The position a {@code CUSTOM} subscription starts after.
     *
     * @throws CorruptedReplayIdException if the id is not 8 bytes or lies outside the retained window
     */
    synchronized long positionOf(byte[] replayId) throws CorruptedReplayIdException {
        purgeBefore(Instant.now().minus(retention));
        if (replayId.length != Long.BYTES) {
            throw new CorruptedReplayIdException("replay id of " + replayId.length + " bytes is not one of this org's");
        }
        long position = ByteBuffer.wrap(replayId).getLong() - offset;
        if (position < horizon || position > tip) {
            throw new CorruptedReplayIdException("replay id is outside the retention window or unknown");
        }
        return position;
    }

    /**
     * Up to {@code max} matching events after the position. {@code reached}: the tip when no matching event is left
     * after them, else the last one returned (or the position itself when {@code max} is 0).
     */
    synchronized Batch after(long position, Predicate<StoredEvent> filter, int max) {
        purgeBefore(Instant.now().minus(retention));
        List<StoredEvent> found = new ArrayList<>();
        long reached = Math.max(position, horizon);
        for (StoredEvent event : events) {
            if (event.position() <= reached || !filter.test(event)) {
                continue;
            }
            if (found.size() >= max) {
                return new Batch(
                        found,
                        found.isEmpty() ? reached : found.get(found.size() - 1).position());
            }
            found.add(event);
        }
        return new Batch(found, tip);
    }

    synchronized byte[] replayId(long position) {
        return ByteBuffer.allocate(Long.BYTES).putLong(position + offset).array();
    }

    synchronized List<StoredEvent> events() {
        purgeBefore(Instant.now().minus(retention));
        return List.copyOf(events);
    }

    /** Drops every event committed before the instant; their replay ids become unknown. */
    synchronized void forgetEventsBefore(Instant instant) {
        purgeBefore(instant);
    }

    /** Every replay id handed out so far becomes unknown; the retained events get new ids. */
    synchronized void invalidateReplayIds() {
        // far enough that any old id, read with the new offset, lands below the horizon
        offset += (tip - horizon) + 1_000_000L + random.nextInt(1_000_000);
    }

    private void purgeBefore(Instant cutoff) {
        for (Iterator<StoredEvent> it = events.iterator(); it.hasNext(); ) {
            StoredEvent event = it.next();
            if (!event.commitTime().isBefore(cutoff)) {
                break;
            }
            horizon = Math.max(horizon, event.position());
            it.remove();
        }
    }
}
