package io.sfcache.sync;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What the detectors found wrong with an object's sync, per object and kind, from detection until the repair that
 * follows it is done: what readers are told ({@link #staleReason}, {@link #knownCompleteUntil}) and what the healing
 * route repairs. An alarm starts unrepaired; a reconciliation of its window marks it repaired up to the moment it
 * read to; when the condition ends, one more repair covers the rest of its window and the alarm is gone.
 *
 * <p>Shared by every replica through a {@link Store} (sync-state, {@link AlarmDocuments}): each change is read,
 * applied and written back only if nobody changed it meanwhile. Readers ask often: what is stored is cached for
 * {@value #CACHE_MILLIS} ms. A store that fails (Cosmos down) leaves this replica's view changed and is written again
 * with the next change.
 */
@Component("objectAlarms")
public class ObjectAlarms {

    /** What broke, as readers see it in {@code freshness.staleReason}. */
    public enum Reason {
        /** No heartbeat within {@code sfcache.monitoring.heartbeat.missing-after}. */
        PUBLISHER_SILENT,
        /** The heartbeat says the publisher is broken (publishing off, trigger inactive, send failures, backlog). */
        PUBLISHER_UNHEALTHY,
        /** The publisher sent messages sfcache never received. */
        MESSAGES_LOST,
        /** The object's Salesforce describe no longer matches its data contract. */
        SCHEMA_DRIFT,
        /** The queue consumer was paused or stalled longer than {@code sfcache.monitoring.healing.pause-after}. */
        QUEUE_PAUSED
    }

    /**
     * @param completeUntil  the last moment sfcache knows the object was complete: repairs read from here
     * @param repairedUntil  how far repairs since detection have read, null before the first
     * @param ended          the condition is over; the alarm goes once a repair after that is done
     */
    public record Alarm(
            String sobject,
            Reason reason,
            String detail,
            Instant detectedAt,
            Instant completeUntil,
            Instant repairedUntil,
            Instant lastRepairAt,
            boolean ended) {

        /** Between detection (or the end of the condition) and the repair that covers it. */
        public boolean awaitingRepair() {
            return repairedUntil == null || ended;
        }

        /** Where the next repair reads from (before the reconciler's overlap). */
        public Instant repairFrom() {
            return repairedUntil == null ? completeUntil : repairedUntil;
        }
    }

    /** An object's alarms as stored, with the ETag to write them back with (null: no document yet). */
    public record Stored(List<Alarm> alarms, String etag) {}

    /** Where the alarms are kept. */
    public interface Store {
        Optional<Stored> read(String sobject);

        /** @return false when the document changed since {@code etag} was read (or was created meanwhile) */
        boolean write(String sobject, List<Alarm> alarms, String etag);
    }

    private static final long CACHE_MILLIS = 2_000;
    private static final int ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ObjectAlarms.class);

    private record Cached(Map<Reason, Alarm> alarms, long readAt) {}

    private final Store store;
    private final List<String> objects;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ObjectAlarms(DataContracts contracts, MeterRegistry meters, Store store) {
        this.store = store;
        this.objects = contracts.all().stream().map(DataContract::sobject).toList();
        for (DataContract contract : contracts.all()) {
            for (Reason reason : Reason.values()) {
                Gauge.builder(
                                "sfcache.alarm.open",
                                () -> find(contract.sobject(), reason)
                                        .map(a -> a.awaitingRepair() ? 2 : 1)
                                        .orElse(0))
                        .description(
                                "2 from an alarm's detection until a repair covers it, 1 while its condition lasts "
                                        + "after a repair, 0 without an alarm")
                        .tag("sobject", contract.sobject())
                        .tag("reason", reason.name())
                        .register(meters);
            }
        }
    }

    /**
     * The condition holds: a new alarm, or the open one kept (its window does not move; one that had ended opens
     * again, from where the repairs got to).
     *
     * @return true when the alarm is new
     */
    public boolean raise(String sobject, Reason reason, String detail, Instant completeUntil, Instant now) {
        boolean[] created = {false};
        update(sobject, byReason -> {
            Alarm before = byReason.get(reason);
            created[0] = before == null;
            byReason.put(
                    reason,
                    before == null
                            ? new Alarm(sobject, reason, detail, now, completeUntil, null, null, false)
                            : new Alarm(
                                    sobject,
                                    reason,
                                    detail,
                                    before.detectedAt(),
                                    before.completeUntil(),
                                    before.repairedUntil(),
                                    before.lastRepairAt(),
                                    false));
        });
        return created[0];
    }

    /** The condition is over: one more repair covers its window, then the alarm goes. */
    public void ended(String sobject, Reason reason) {
        if (find(sobject, reason).filter(alarm -> !alarm.ended()).isEmpty()) {
            return; // nothing to change: no write
        }
        update(
                sobject,
                byReason -> byReason.computeIfPresent(
                        reason,
                        (r, alarm) -> new Alarm(
                                sobject,
                                reason,
                                alarm.detail(),
                                alarm.detectedAt(),
                                alarm.completeUntil(),
                                alarm.repairedUntil(),
                                alarm.lastRepairAt(),
                                true)));
    }

    /** Gone without a repair of its own (healing is off, or another flow repaired its window). */
    public void clear(String sobject, Reason reason) {
        if (find(sobject, reason).isEmpty()) {
            return;
        }
        update(sobject, byReason -> byReason.remove(reason));
    }

    /**
     * A repair read the object's changes up to {@code until}: the alarms it covered ({@code covered}, as they were
     * when it started) are repaired that far, and those whose condition had already ended then are gone. One that
     * ended while the repair ran needs one more.
     */
    public void repaired(List<Alarm> covered, Instant until, Instant now) {
        covered.stream()
                .map(Alarm::sobject)
                .distinct()
                .forEach(sobject -> update(sobject, byReason -> {
                    for (Alarm started : covered) {
                        Alarm alarm = byReason.get(started.reason());
                        if (alarm == null || !alarm.sobject().equals(sobject)) {
                            continue;
                        }
                        if (started.ended() && alarm.ended()) {
                            byReason.remove(alarm.reason());
                        } else {
                            byReason.put(
                                    alarm.reason(),
                                    new Alarm(
                                            sobject,
                                            alarm.reason(),
                                            alarm.detail(),
                                            alarm.detectedAt(),
                                            alarm.completeUntil(),
                                            until,
                                            now,
                                            alarm.ended()));
                        }
                    }
                }));
    }

    /** Read, change, write back if nobody wrote meanwhile (else again); the cache takes the result. */
    private void update(String sobject, java.util.function.Consumer<Map<Reason, Alarm>> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<Stored> stored;
            try {
                stored = store.read(sobject);
            } catch (RuntimeException e) {
                // Cosmos unreachable: this replica's view changes now, the store with the next change.
                Map<Reason, Alarm> local = new EnumMap<>(Reason.class);
                local.putAll(current(sobject));
                change.accept(local);
                remember(sobject, local);
                LOG.warn("Alarms of {} not stored ({}): kept on this replica for now", sobject, e.getMessage());
                return;
            }
            Map<Reason, Alarm> byReason = new EnumMap<>(Reason.class);
            stored.ifPresent(s -> s.alarms().forEach(alarm -> byReason.put(alarm.reason(), alarm)));
            Map<Reason, Alarm> before = new EnumMap<>(byReason);
            change.accept(byReason);
            if (byReason.equals(before)) {
                remember(sobject, byReason);
                return;
            }
            boolean written;
            try {
                written = store.write(
                        sobject,
                        List.copyOf(byReason.values()),
                        stored.map(Stored::etag).orElse(null));
            } catch (RuntimeException e) {
                remember(sobject, byReason);
                LOG.warn("Alarms of {} not stored ({}): kept on this replica for now", sobject, e.getMessage());
                return;
            }
            if (written) {
                remember(sobject, byReason);
                return;
            }
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException("alarms of " + sobject + " changed by others " + ATTEMPTS
                        + " times while this replica tried to write them: try again at the next check");
            }
        }
    }

    private void remember(String sobject, Map<Reason, Alarm> byReason) {
        cache.put(sobject, new Cached(Map.copyOf(byReason), System.nanoTime()));
    }

    /** As stored, at most {@value #CACHE_MILLIS} ms old; the last known when the store cannot be read. */
    private Map<Reason, Alarm> current(String sobject) {
        Cached cached = cache.get(sobject);
        if (cached != null && System.nanoTime() - cached.readAt() < CACHE_MILLIS * 1_000_000) {
            return cached.alarms();
        }
        try {
            Map<Reason, Alarm> byReason = new EnumMap<>(Reason.class);
            store.read(sobject).ifPresent(s -> s.alarms().forEach(alarm -> byReason.put(alarm.reason(), alarm)));
            remember(sobject, byReason);
            return byReason;
        } catch (RuntimeException e) {
            return cached == null ? Map.of() : cached.alarms();
        }
    }

    public Optional<Alarm> find(String sobject, Reason reason) {
        return Optional.ofNullable(current(sobject).get(reason));
    }

    /** The object's alarms, in the order of {@link Reason}. */
    public List<Alarm> of(String sobject) {
        Map<Reason, Alarm> ordered = new EnumMap<>(Reason.class);
        ordered.putAll(current(sobject));
        return new ArrayList<>(ordered.values());
    }

    /** Every monitored object's alarms. */
    public List<Alarm> all() {
        List<Alarm> list = new ArrayList<>();
        objects.forEach(sobject -> list.addAll(of(sobject)));
        return list;
    }

    /**
     * Why the object's records cannot be trusted now: the first alarm awaiting its repair, or a schema drift (changes
     * made while it lasts cannot be stored), if any.
     */
    public Optional<Reason> staleReason(String sobject) {
        return of(sobject).stream()
                .filter(alarm -> alarm.awaitingRepair() || alarm.reason() == Reason.SCHEMA_DRIFT)
                .map(Alarm::reason)
                .findFirst();
    }

    /**
     * While alarms are open, the object is known complete only up to where the oldest of them was repaired to (or
     * complete before detection): a heartbeat after that proves nothing.
     */
    public Optional<Instant> knownCompleteUntil(String sobject) {
        return of(sobject).stream().map(Alarm::repairFrom).min(Comparator.naturalOrder());
    }

    public boolean anyOpen(Reason reason) {
        return objects.stream().anyMatch(sobject -> current(sobject).containsKey(reason));
    }
}
