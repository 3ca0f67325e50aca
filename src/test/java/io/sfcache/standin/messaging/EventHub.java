package io.sfcache.standin.messaging;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.DeliveryAnnotations;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;

/** An Event Hub: partitions that append events and the readers that follow them. Confined to the reactor thread. */
final class EventHub {

    static final class Partition {
        final String id;
        final List<StoredMessage> events = new ArrayList<>();
        final List<Reader> readers = new ArrayList<>();

        Partition(String id) {
            this.id = id;
        }

        /** -1 while empty: sequence numbers start at 0 in each partition. */
        long lastSequenceNumber() {
            return events.size() - 1L;
        }

        /** Sends each reader what it has credit for. */
        void pump() {
            readers.forEach(Reader::pump);
        }
    }

    /**
     * One receiving link on {@code <hub>/ConsumerGroups/<group>/Partitions/<id>}: a cursor over the partition's
     * events. Consumer groups are not told apart (each link reads independently, as every group does).
     */
    static final class Reader {
        private final Partition partition;
        private final Sender link;
        private final boolean runtimeMetrics;
        private final Supplier<Instant> clock;
        private long next;

        Reader(
                Partition partition,
                Sender link,
                long firstSequenceNumber,
                boolean runtimeMetrics,
                Supplier<Instant> clock) {
            this.partition = partition;
            this.link = link;
            this.next = firstSequenceNumber;
            this.runtimeMetrics = runtimeMetrics;
            this.clock = clock;
        }

        void pump() {
            while (link.getCredit() > 0 && next < partition.events.size()) {
                deliver(partition.events.get((int) next++));
            }
            if (link.getDrain() && link.getCredit() > 0) {
                link.drained();
            }
        }

        /**
         * An event as Event Hubs delivers it: the published message plus the broker's annotations x-opt-sequence-number
         * (long), x-opt-offset (string), x-opt-enqueued-time (timestamp); x-opt-partition-key stays as published.
         * What both SDKs read: @azure/event-hubs src/eventData.ts fromRheaMessage, azure-messaging-eventhubs
         * EventHubMessageSerializer.
         */
        private void deliver(StoredMessage event) {
            Message wire = AmqpCodec.copy(event.message);
            Map<Symbol, Object> annotations = new HashMap<>();
            if (wire.getMessageAnnotations() != null) {
                annotations.putAll(wire.getMessageAnnotations().getValue());
            }
            annotations.put(Symbol.valueOf("x-opt-sequence-number"), event.sequenceNumber);
            annotations.put(Symbol.valueOf("x-opt-offset"), offset(event.sequenceNumber));
            annotations.put(Symbol.valueOf("x-opt-enqueued-time"), Date.from(event.enqueuedTime));
            wire.setMessageAnnotations(new MessageAnnotations(annotations));
            if (runtimeMetrics) {
                // Asked for with the com.microsoft:enable-receiver-runtime-metric capability (SDKs'
                // trackLastEnqueuedEventProperties): where the partition's end is now.
                StoredMessage last = partition.events.get(partition.events.size() - 1);
                Map<Symbol, Object> metrics = new HashMap<>();
                metrics.put(Symbol.valueOf("last_enqueued_sequence_number"), last.sequenceNumber);
                metrics.put(Symbol.valueOf("last_enqueued_offset"), offset(last.sequenceNumber));
                metrics.put(Symbol.valueOf("last_enqueued_time_utc"), Date.from(last.enqueuedTime));
                metrics.put(Symbol.valueOf("runtime_info_retrieval_time_utc"), Date.from(clock.get()));
                wire.setDeliveryAnnotations(new DeliveryAnnotations(metrics));
            }
            byte[] bytes = AmqpCodec.encode(wire);
            Delivery delivery = link.delivery(
                    ByteBuffer.allocate(8).putLong(event.sequenceNumber).array());
            link.send(bytes, 0, bytes.length);
            link.advance();
            if (link.getSenderSettleMode() == SenderSettleMode.SETTLED) {
                delivery.settle();
            }
        }
    }

    final String name;
    final Instant createdAt;
    final List<Partition> partitions = new ArrayList<>();
    private final Supplier<Instant> clock;
    private int roundRobin;

    EventHub(String name, int partitionCount, Supplier<Instant> clock) {
        this.name = name;
        this.clock = clock;
        this.createdAt = clock.get();
        for (int i = 0; i < partitionCount; i++) {
            partitions.add(new Partition(Integer.toString(i)));
        }
    }

    /** The stand-in's offsets are the sequence numbers, as strings: Event Hubs' offsets are opaque strings. */
    static String offset(long sequenceNumber) {
        return Long.toString(sequenceNumber);
    }

    /** The partition, or null if the hub has none with that id. */
    Partition findPartition(String id) {
        return partitions.stream().filter(p -> p.id.equals(id)).findFirst().orElse(null);
    }

    Partition partition(String id) {
        Partition partition = findPartition(id);
        if (partition == null) {
            throw new IllegalArgumentException("hub " + name + " has no partition " + id);
        }
        return partition;
    }

    /** Appends to the given partition, else the partition the key hashes to, else round-robin. */
    Partition append(Message message, String partitionId) {
        StoredMessage probe = new StoredMessage(name, null, 0, null, message);
        Partition partition;
        if (partitionId != null) {
            partition = partition(partitionId);
        } else if (probe.partitionKey() != null) {
            partition = partitions.get(Math.floorMod(probe.partitionKey().hashCode(), partitions.size()));
        } else {
            partition = partitions.get(roundRobin++ % partitions.size());
        }
        partition.events.add(new StoredMessage(name, partition.id, partition.events.size(), clock.get(), message));
        return partition;
    }

    int eventCount() {
        return partitions.stream().mapToInt(p -> p.events.size()).sum();
    }

    List<MessageView> events() {
        return partitions.stream()
                .flatMap(p -> p.events.stream())
                .map(StoredMessage::view)
                .toList();
    }
}
