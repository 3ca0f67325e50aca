package io.sfcache.local;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Counts for the summary line: since the previous summary and since start. Read from any thread. */
final class SimulatorStats {

    /** One set of counts. */
    record Counts(long sent, long invalid, long outOfOrder, long heartbeats, long failed) {}

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Counts atLastSummary = new Counts(0, 0, 0, 0, 0);

    void sent(List<Outgoing> messages) {
        for (Outgoing message : messages) {
            sent.incrementAndGet();
            if (message.kind() == Outgoing.Kind.INVALID) {
                invalid.incrementAndGet();
            } else if (message.outOfOrder()) {
                outOfOrder.incrementAndGet();
            } else if (message.kind() == Outgoing.Kind.HEARTBEAT) {
                heartbeats.incrementAndGet();
            }
        }
    }

    void failed(int count) {
        failed.addAndGet(count);
    }

    Counts total() {
        return new Counts(sent.get(), invalid.get(), outOfOrder.get(), heartbeats.get(), failed.get());
    }

    /** The counts since the previous call. */
    synchronized Counts sinceLastSummary() {
        Counts total = total();
        Counts last = atLastSummary;
        atLastSummary = total;
        return new Counts(
                total.sent() - last.sent(),
                total.invalid() - last.invalid(),
                total.outOfOrder() - last.outOfOrder(),
                total.heartbeats() - last.heartbeats(),
                total.failed() - last.failed());
    }
}
