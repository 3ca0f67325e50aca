package io.sfcache.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeType;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.SyncHeaders;
import io.sfcache.sync.SyncState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Produced versus consumed, across replicas. Each heartbeat claims how many change messages the publisher sent for
 * its object since the previous one (the stored heartbeat keeps the last few claims, {@link SyncState.Claim}). Every
 * replica counts the messages it received by commit time and, at each watchdog check, stores its count of each claim
 * ({@code received-*} documents in sync-state, one per replica and claim). Once
 * {@code sfcache.monitoring.heartbeat.settle-after} has passed since a claim's end (so late messages have arrived and
 * every replica has stored its count), the claim is settled against the sum over replicas:
 * {@code sfcache_publisher_unaccounted_messages} and, when messages are missing, the alarm MESSAGES_LOST, whose
 * repair reconciles the object from the start of that interval.
 *
 * <p>A replica that dies loses the count of what it received since its last check (at most one check interval):
 * those messages, if it had completed them, show as missing once, and the repair re-reads the interval.
 */
@Component("publisherAccounting")
public class PublisherAccounting {

    private static final Logger LOG = LoggerFactory.getLogger(PublisherAccounting.class);

    private final MeterRegistry meters;
    private final AlarmRepairs alarms;
    private final SyncState syncState;
    private final DataContracts contracts;
    private final Clock clock;
    private final Duration settleAfter;
    /** This JVM's name in the received documents: new at each start, so a restart never overwrites what it counted. */
    private final String replica = UUID.randomUUID().toString();
    /** Per object: received messages by commit time (epoch ms), kept while a stored claim may cover them. */
    private final Map<String, ConcurrentNavigableMap<Long, AtomicLong>> received = new ConcurrentHashMap<>();
    /** Per object and claim end: the count this replica stored last, so an unchanged one is not written again. */
    private final Map<String, Map<Instant, Long>> stored = new ConcurrentHashMap<>();
    /** Per object: the claims this replica settled. */
    private final Map<String, Set<Instant>> settled = new ConcurrentHashMap<>();

    private final Map<String, AtomicLong> unaccounted = new ConcurrentHashMap<>();

    public PublisherAccounting(
            DataContracts contracts,
            AlarmRepairs alarms,
            SyncState syncState,
            MeterRegistry meters,
            Clock clock,
            MonitoringProperties monitoring) {
        this.meters = meters;
        this.alarms = alarms;
        this.syncState = syncState;
        this.contracts = contracts;
        this.clock = clock;
        this.settleAfter = monitoring.getHeartbeat().getSettleAfter();
        for (DataContract contract : contracts.all()) {
            AtomicLong value = unaccounted.computeIfAbsent(contract.sobject(), k -> new AtomicLong());
            Gauge.builder("sfcache.publisher.unaccounted.messages", value, AtomicLong::get)
                    .description("Sent by the publisher but received by no replica, in the last settled heartbeat"
                            + " interval (negative: more received than the publisher counted)")
                    .tag("sobject", contract.sobject())
                    .register(meters);
        }
    }

    /** Route step after a queue message was handled (stored, skipped or dead-lettered): not run for a redelivery. */
    public void received(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        if (change == null || change.changeType() == ChangeType.HEARTBEAT) {
            return;
        }
        meters.counter("sfcache.sync.received.messages", "sobject", change.sobject())
                .increment();
        received.computeIfAbsent(change.sobject(), k -> new ConcurrentSkipListMap<>())
                .computeIfAbsent(change.commitTime().toEpochMilli(), k -> new AtomicLong())
                .incrementAndGet();
    }

    /** Heartbeat route step: what the publisher says it sent, as a counter. */
    public void heartbeat(Exchange exchange) {
        ChangeMessage heartbeat = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        meters.counter("sfcache.publisher.sent.messages", "sobject", heartbeat.sobject())
                .increment(heartbeat.heartbeat().sentSincePrevious());
    }

    /** Timer step ({@code heartbeat-watchdog} route, every replica): store this replica's counts, settle what is due. */
    public void check() {
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            List<SyncState.Claim> claims = syncState
                    .readHeartbeat(sobject)
                    .map(SyncState.Heartbeat::claims)
                    .orElse(List.of());
            if (claims.isEmpty()) {
                continue;
            }
            claims.forEach(claim -> storeCount(sobject, claim));
            // Settled settle-after once the claim was stored, by our clock: late messages have arrived and every
            // replica's
            // watchdog has stored its count (a publisher clock behind ours, or simulated commit times, made claims
            // settle at once by their end, before the other replicas had counted: a false MESSAGES_LOST).
            claims.stream()
                    .filter(claim -> !settled.computeIfAbsent(sobject, k -> ConcurrentHashMap.newKeySet())
                            .contains(claim.to()))
                    .filter(claim -> !clock.instant().isBefore(claim.storedAt().plus(settleAfter)))
                    .forEach(claim -> settle(sobject, claim));
            forgetBefore(sobject, claims.get(claims.size() - 1));
        }
    }

    private void storeCount(String sobject, SyncState.Claim claim) {
        long mine =
                counts(sobject)
                        .subMap(claim.from().toEpochMilli(), false, claim.to().toEpochMilli(), true)
                        .values()
                        .stream()
                        .mapToLong(AtomicLong::get)
                        .sum();
        Map<Instant, Long> written = stored.computeIfAbsent(sobject, k -> new ConcurrentHashMap<>());
        // Nothing received adds nothing to the sum: no document (most claims of a quiet object).
        long before = written.getOrDefault(claim.to(), 0L);
        if (mine != before) {
            syncState.saveReceived(sobject, claim.to(), replica, mine);
            written.put(claim.to(), mine);
        }
    }

    private void settle(String sobject, SyncState.Claim claim) {
        long got = syncState.receivedByAll(sobject, claim.to());
        long missing = claim.sent() - got;
        unaccounted.computeIfAbsent(sobject, k -> new AtomicLong()).set(missing);
        settled.get(sobject).add(claim.to());
        if (missing > 0) {
            LOG.warn(
                    "{}: the publisher sent {} change message(s) between {} and {}, sfcache's replicas received {}: "
                            + "{} unaccounted (see the run-book, SfcachePublisherLosingMessages)",
                    sobject,
                    claim.sent(),
                    claim.from(),
                    claim.to(),
                    got,
                    missing);
            // Lost messages were committed in the interval: the object is known complete up to its start.
            alarms.raise(
                    sobject,
                    ObjectAlarms.Reason.MESSAGES_LOST,
                    "the publisher sent " + claim.sent() + " change message(s) between " + claim.from() + " and "
                            + claim.to() + ", sfcache received " + got,
                    claim.from());
        } else {
            alarms.ended(sobject, ObjectAlarms.Reason.MESSAGES_LOST);
        }
    }

    /** What no stored claim covers any more is dropped, here and in sync-state. */
    private void forgetBefore(String sobject, SyncState.Claim oldest) {
        counts(sobject).headMap(oldest.from().toEpochMilli(), true).clear();
        Map<Instant, Long> written = stored.getOrDefault(sobject, Map.of());
        written.keySet().stream()
                .filter(to -> to.isBefore(oldest.to()))
                .toList()
                .forEach(to -> {
                    syncState.forgetReceived(sobject, to, replica);
                    written.remove(to);
                });
        settled.getOrDefault(sobject, Set.of()).removeIf(to -> to.isBefore(oldest.to()));
    }

    private ConcurrentNavigableMap<Long, AtomicLong> counts(String sobject) {
        return received.computeIfAbsent(sobject, k -> new ConcurrentSkipListMap<>());
    }

    public long unaccounted(String sobject) {
        return unaccounted.getOrDefault(sobject, new AtomicLong()).get();
    }
}
