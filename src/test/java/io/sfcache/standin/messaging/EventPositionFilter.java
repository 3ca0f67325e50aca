package io.sfcache.standin.messaging;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Source;

/**
 * Where an Event Hubs receiver starts: the {@code apache.org:selector-filter:string} filter of its link's source. Both
 * SDKs write one comparison, {@code amqp.annotation.<x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time> >[=]
 * '<value>'} (@azure/event-hubs src/eventPosition.ts getEventPositionFilter; azure-messaging-eventhubs
 * EventHubReactorSession.getExpression), with offset {@code -1} for the start of the stream and {@code @latest} for
 * its end. The stand-in's offsets are sequence numbers, so an offset and a sequence number select alike.
 */
final class EventPositionFilter {

    static final Symbol SELECTOR = Symbol.valueOf("apache.org:selector-filter:string");
    private static final Pattern EXPRESSION = Pattern.compile(
            "amqp\\.annotation\\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\\s*(>=|>)\\s*'([^']*)'");

    /** A position the partition cannot serve; refused with the condition Event Hubs uses. */
    static final class Refused extends RuntimeException {
        final Symbol condition;

        Refused(String condition, String message) {
            super(message);
            this.condition = Symbol.valueOf(condition);
        }
    }

    private EventPositionFilter() {}

    /** The sequence number of the first event to deliver (the partition's size when waiting for new events only). */
    static long firstSequenceNumber(Source source, EventHub.Partition partition) {
        Map<?, ?> filters = source == null ? null : source.getFilter();
        Object filter = filters == null ? null : filters.get(SELECTOR);
        if (filter == null) {
            return 0; // no position: from the start of what the partition holds
        }
        String expression =
                String.valueOf(filter instanceof DescribedType described ? described.getDescribed() : filter);
        Matcher m = EXPRESSION.matcher(expression.trim());
        if (!m.matches()) {
            throw new Refused(
                    "amqp:not-implemented",
                    "The stand-in understands only a comparison of x-opt-offset, "
                            + "x-opt-sequence-number or x-opt-enqueued-time: " + expression);
        }
        boolean inclusive = m.group(2).equals(">=");
        String value = m.group(3);
        List<StoredMessage> events = partition.events;
        long first;
        if (m.group(1).equals("x-opt-enqueued-time")) {
            long millis = number(value, expression);
            first = events.stream()
                    .filter(e -> inclusive
                            ? e.enqueuedTime.toEpochMilli() >= millis
                            : e.enqueuedTime.toEpochMilli() > millis)
                    .mapToLong(e -> e.sequenceNumber)
                    .findFirst()
                    .orElse(events.size());
        } else if (value.equals("@latest")) {
            first = events.size();
        } else {
            long n = number(value, expression);
            first = inclusive ? n : n + 1;
        }
        if (first > events.size()) {
            // What Event Hubs answers for a position past the end, e.g. a checkpoint from another hub
            // (github.com/nicolgit/azure-firewall-mon/issues/21, condition com.microsoft:argument-error).
            throw new Refused(
                    "com.microsoft:argument-error",
                    "The supplied " + m.group(1).substring(6).replace('-', ' ') + " '" + value
                            + "' is invalid. The last sequence number in the system is '"
                            + partition.lastSequenceNumber() + "'");
        }
        return Math.max(first, 0);
    }

    private static long number(String value, String expression) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Refused("com.microsoft:argument-error", "Not a number in the position filter: " + expression);
        }
    }
}
