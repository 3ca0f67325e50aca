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
import org.springframework.stereotype.Component;

/**
 * What the detectors found wrong with an object's sync, per object and kind, from detection until the repair that
 * follows it is done: what readers are told ({@link #staleReason}, {@link #knownCompleteUntil}) and what the healing
 * route repairs. An alarm starts unrepaired; a reconciliation of its window marks it repaired up to the moment it
 * read to; when the condition ends, one more repair covers the rest of its window and the alarm is gone.
 *
 * <p>This replica's: the detectors on every replica raise alarms from shared inputs (stored heartbeats, describes),
 * but the repair progress is known only to the replica that repaired (issue 20 moves it to sync-state).
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

    private final Map<String, Map<Reason, Alarm>> alarms = new ConcurrentHashMap<>();

    public ObjectAlarms(DataContracts contracts, MeterRegistry meters) {
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
        Map<Reason, Alarm> byReason = alarms.computeIfAbsent(sobject, k -> new ConcurrentHashMap<>());
        Alarm before = byReason.get(reason);
        if (before == null) {
            byReason.put(reason, new Alarm(sobject, reason, detail, now, completeUntil, null, null, false));
            return true;
        }
        byReason.put(
                reason,
                new Alarm(
                        sobject,
                        reason,
                        detail,
                        before.detectedAt(),
                        before.completeUntil(),
                        before.repairedUntil(),
                        before.lastRepairAt(),
                        false));
        return false;
    }

    /** The condition is over: one more repair covers its window, then the alarm goes. */
    public void ended(String sobject, Reason reason) {
        find(sobject, reason)
                .filter(alarm -> !alarm.ended())
                .ifPresent(alarm -> put(new Alarm(
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
        Map<Reason, Alarm> byReason = alarms.get(sobject);
        if (byReason != null) {
            byReason.remove(reason);
        }
    }

    /**
     * A repair read the object's changes up to {@code until}: the alarms it covered ({@code covered}, as they were
     * when it started) are repaired that far, and those whose condition had already ended then are gone. One that
     * ended while the repair ran needs one more.
     */
    public void repaired(List<Alarm> covered, Instant until, Instant now) {
        for (Alarm started : covered) {
            find(started.sobject(), started.reason()).ifPresent(alarm -> {
                if (started.ended() && alarm.ended()) {
                    clear(alarm.sobject(), alarm.reason());
                } else {
                    put(new Alarm(
                            alarm.sobject(),
                            alarm.reason(),
                            alarm.detail(),
                            alarm.detectedAt(),
                            alarm.completeUntil(),
                            until,
                            now,
                            alarm.ended()));
                }
            });
        }
    }

    public Optional<Alarm> find(String sobject, Reason reason) {
        Map<Reason, Alarm> byReason = alarms.get(sobject);
        return byReason == null ? Optional.empty() : Optional.ofNullable(byReason.get(reason));
    }

    /** The object's alarms, in the order of {@link Reason}. */
    public List<Alarm> of(String sobject) {
        Map<Reason, Alarm> byReason = alarms.get(sobject);
        if (byReason == null || byReason.isEmpty()) {
            return List.of();
        }
        List<Alarm> list = new ArrayList<>(new EnumMap<>(byReason).values());
        list.sort(Comparator.comparing(Alarm::reason));
        return list;
    }

    /** Every object's alarms. */
    public List<Alarm> all() {
        List<Alarm> list = new ArrayList<>();
        alarms.keySet().stream().sorted().forEach(sobject -> list.addAll(of(sobject)));
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
        return alarms.values().stream().anyMatch(byReason -> byReason.containsKey(reason));
    }

    private void put(Alarm alarm) {
        alarms.computeIfAbsent(alarm.sobject(), k -> new ConcurrentHashMap<>()).put(alarm.reason(), alarm);
    }
}
