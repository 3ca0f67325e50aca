package io.sfcache.standin.messaging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.qpid.proton.message.Message;

/** An Event Hub: partitions that append events. Confined to the reactor thread. */
final class EventHub {

    static final class Partition {
        final String id;
        final List<StoredMessage> events = new ArrayList<>();

        Partition(String id) {
            this.id = id;
        }

        long lastSequenceNumber() {
            return events.size() - 1L;
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

    Partition partition(String id) {
        return partitions.stream().filter(p -> p.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("hub " + name + " has no partition " + id));
    }

    /** Appends to the given partition, else the partition the key hashes to, else round-robin. */
    void append(Message message, String partitionId) {
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
    }

    int eventCount() {
        return partitions.stream().mapToInt(p -> p.events.size()).sum();
    }

    List<MessageView> events() {
        return partitions.stream().flatMap(p -> p.events.stream()).map(StoredMessage::view).toList();
    }
}
