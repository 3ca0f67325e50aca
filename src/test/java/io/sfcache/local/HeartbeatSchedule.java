package io.sfcache.local;

import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.fixtures.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A HEARTBEAT per object every interval, carrying how many of that object's messages went out since the previous
 * heartbeat, so the cache can tell lost messages from a quiet org. Only confirmed sends are counted, and only the
 * publisher's own (a broker re-delivery is not a send); the first heartbeats go out at once, with no previous time.
 * Each also says what a healthy publisher says about itself (publishing on, trigger active, empty outbox, no failed
 * sends, nothing unpublished) and when the object's last message was confirmed sent.
 */
final class HeartbeatSchedule {

    private final ChangeMessages messages;
    private final Duration interval;
    private final Map<SObjectType, Long> sentSincePrevious = new EnumMap<>(SObjectType.class);
    private final Map<SObjectType, Instant> previous = new EnumMap<>(SObjectType.class);
    private final Map<SObjectType, Instant> lastSent = new EnumMap<>(SObjectType.class);

    HeartbeatSchedule(ChangeMessages messages, Duration interval) {
        this.messages = messages;
        this.interval = interval;
        for (SObjectType type : SObjectType.values()) {
            sentSincePrevious.put(type, 0L);
        }
    }

    /** Call once a message is confirmed sent, at {@code at}. */
    void sent(Outgoing message, Instant at) {
        if (message.countsForHeartbeat()) {
            sentSincePrevious.merge(message.sobject(), 1L, Long::sum);
            lastSent.put(message.sobject(), Timestamps.millis(at));
        }
    }

    /** The heartbeats due at {@code now}; each resets its object's count. */
    List<Outgoing> due(Instant now) {
        Instant stamp = Timestamps.millis(now);
        List<Outgoing> due = new ArrayList<>();
        for (SObjectType type : SObjectType.values()) {
            Instant last = previous.get(type);
            if (last != null && Duration.between(last, stamp).compareTo(interval) < 0) {
                continue;
            }
            ChangeMessageBuilder heartbeat = messages.heartbeat(type, sentSincePrevious.get(type), last)
                    .commitTime(stamp)
                    .healthyPublisher(lastSent.get(type));
            due.add(new Outgoing(
                    Outgoing.Kind.HEARTBEAT,
                    heartbeat.eventId(),
                    heartbeat.toJson(),
                    type,
                    heartbeat.changeType(),
                    null,
                    null));
            sentSincePrevious.put(type, 0L);
            previous.put(type, stamp);
        }
        return due;
    }
}
