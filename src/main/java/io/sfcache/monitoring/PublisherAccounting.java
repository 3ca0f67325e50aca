package io.sfcache.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.ChangeType;
import io.sfcache.sync.ObjectAlarms;
import io.sfcache.sync.SyncHeaders;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Produced versus consumed. Each heartbeat says how many change messages the publisher sent for its object since
 * the previous heartbeat; sfcache counts the messages it received by their commit time. One heartbeat later (so
 * messages still in the queue have had a whole interval to arrive), the difference for that interval is exported as
 * {@code sfcache_publisher_unaccounted_messages}: messages lost between Salesforce and sfcache show as a number.
 *
 * <p>The counts are this replica's. With several replicas, alert on the counters instead, which Prometheus sums:
 * {@code sfcache_publisher_sent_messages_total} minus {@code sfcache_sync_received_messages_total}.
 */
@Component("publisherAccounting")
public class PublisherAccounting {

    private static final Logger LOG = LoggerFactory.getLogger(PublisherAccounting.class);

    /** A heartbeat's claim: it sent this many in (from, to]. */
    private record Interval(Instant from, Instant to, long sent) {}

    private final MeterRegistry meters;
    /** Per object: received messages by commit time (epoch ms), kept until their interval is settled. */
    private final Map<String, ConcurrentNavigableMap<Long, AtomicLong>> received = new ConcurrentHashMap<>();

    private final Map<String, Interval> pending = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> unaccounted = new ConcurrentHashMap<>();

    private final AlarmRepairs alarms;

    public PublisherAccounting(DataContracts contracts, AlarmRepairs alarms, MeterRegistry meters) {
        this.meters = meters;
        this.alarms = alarms;
        for (DataContract contract : contracts.all()) {
            AtomicLong value = unaccounted.computeIfAbsent(contract.sobject(), k -> new AtomicLong());
            Gauge.builder("sfcache.publisher.unaccounted.messages", value, AtomicLong::get)
                    .description("Sent by the publisher but not received by this replica, in the last settled heartbeat"
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

    /** Heartbeat route step: settle the previous interval, keep this one for the next heartbeat. */
    public void heartbeat(Exchange exchange) {
        ChangeMessage heartbeat = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        String sobject = heartbeat.sobject();
        long sent = heartbeat.heartbeat().sentSincePrevious();
        meters.counter("sfcache.publisher.sent.messages", "sobject", sobject).increment(sent);
        Instant from = heartbeat.heartbeat().previousHeartbeatTime();
        Interval current = new Interval(from == null ? Instant.EPOCH : from, heartbeat.commitTime(), sent);
        Interval settled = pending.put(sobject, current);
        if (settled != null && from != null) {
            settle(sobject, settled);
        }
    }

    private void settle(String sobject, Interval interval) {
        ConcurrentNavigableMap<Long, AtomicLong> counts =
                received.computeIfAbsent(sobject, k -> new ConcurrentSkipListMap<>());
        long got =
                counts
                        .subMap(
                                interval.from().toEpochMilli(),
                                false,
                                interval.to().toEpochMilli(),
                                true)
                        .values()
                        .stream()
                        .mapToLong(AtomicLong::get)
                        .sum();
        long missing = interval.sent() - got;
        unaccounted.computeIfAbsent(sobject, k -> new AtomicLong()).set(missing);
        counts.headMap(interval.to().toEpochMilli(), true).clear();
        if (missing > 0) {
            // Lost messages were committed in the interval: the object is known complete up to its start.
            alarms.raise(
                    sobject,
                    ObjectAlarms.Reason.MESSAGES_LOST,
                    "the publisher sent " + interval.sent() + " change message(s) between " + interval.from() + " and "
                            + interval.to() + ", sfcache received " + got,
                    interval.from());
        } else {
            alarms.ended(sobject, ObjectAlarms.Reason.MESSAGES_LOST);
        }
        if (missing > 0) {
            LOG.warn(
                    "{}: the publisher sent {} change message(s) between {} and {}, sfcache received {}: {} "
                            + "unaccounted (see the run-book, SfcachePublisherLosingMessages)",
                    sobject,
                    interval.sent(),
                    interval.from(),
                    interval.to(),
                    got,
                    missing);
        }
    }

    public long unaccounted(String sobject) {
        return unaccounted.getOrDefault(sobject, new AtomicLong()).get();
    }
}
