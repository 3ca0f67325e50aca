package io.sfcache.standin.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;

/**
 * A Service Bus queue with peek-lock semantics and its dead-letter sub-queue. Confined to the reactor thread.
 */
final class ServiceBusQueue {

    static final Symbol DEAD_LETTER_CONDITION = Symbol.valueOf("com.microsoft:dead-letter");
    static final Symbol LOCK_LOST = Symbol.valueOf("com.microsoft:message-lock-lost");

    /** The main queue or its $deadletterqueue: each has its own available messages and consumers. */
    final class SubQueue {
        final boolean deadLetter;
        final TreeMap<Long, StoredMessage> available = new TreeMap<>();
        final List<Sender> consumers = new ArrayList<>();
        /** Links that stay attached and keep their credit but are never delivered to (a stuck receiver). */
        final java.util.Set<Sender> silenced = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        private int next;

        SubQueue(boolean deadLetter) {
            this.deadLetter = deadLetter;
        }

        private Sender consumerWithCredit() {
            for (int i = 0; i < consumers.size(); i++) {
                Sender sender = consumers.get((next + i) % consumers.size());
                if (sender.getCredit() > 0 && !silenced.contains(sender)) {
                    next = (next + i + 1) % consumers.size();
                    return sender;
                }
            }
            return null;
        }
    }

    /** A peek-lock held by a consumer. */
    static final class MessageLock {
        final UUID token;
        final StoredMessage message;
        final SubQueue from;
        Instant lockedUntil;
        boolean released;

        MessageLock(UUID token, StoredMessage message, SubQueue from, Instant lockedUntil) {
            this.token = token;
            this.message = message;
            this.from = from;
            this.lockedUntil = lockedUntil;
        }
    }

    final String name;
    final SubQueue main = new SubQueue(false);
    final SubQueue deadLetter = new SubQueue(true);
    private final Supplier<Instant> clock;
    private final Map<UUID, MessageLock> locks = new LinkedHashMap<>();
    private final Map<Long, StoredMessage> deferred = new TreeMap<>();
    private final List<StoredMessage> completed = new ArrayList<>();
    private final Map<QueueOutcome, Integer> outcomes = new HashMap<>();
    private long nextSequenceNumber = 1;
    Duration lockDuration;
    int maxDeliveryCount;

    ServiceBusQueue(String name, Supplier<Instant> clock, Duration lockDuration, int maxDeliveryCount) {
        this.name = name;
        this.clock = clock;
        this.lockDuration = lockDuration;
        this.maxDeliveryCount = maxDeliveryCount;
    }

    SubQueue subQueue(boolean deadLetterQueue) {
        return deadLetterQueue ? deadLetter : main;
    }

    void enqueue(Message message) {
        StoredMessage stored = new StoredMessage(name, null, nextSequenceNumber++, clock.get(), message);
        main.available.put(stored.sequenceNumber, stored);
    }

    /** The consumers attached now get nothing more, while later links are served: a stuck receiver. */
    void silenceConsumers() {
        main.silenced.addAll(main.consumers);
    }

    /** Sends available messages to consumers that have credit, round-robin. */
    void dispatch() {
        for (SubQueue sub : List.of(main, deadLetter)) {
            while (!sub.available.isEmpty()) {
                Sender sender = sub.consumerWithCredit();
                if (sender == null) {
                    break;
                }
                deliver(sender, sub, sub.available.pollFirstEntry().getValue());
            }
            for (Sender sender : sub.consumers) {
                if (sender.getDrain() && sender.getCredit() > 0) {
                    sender.drained();
                }
            }
        }
    }

    private void deliver(Sender sender, SubQueue sub, StoredMessage stored) {
        MessageLock lock =
                new MessageLock(UUID.randomUUID(), stored, sub, clock.get().plus(lockDuration));
        locks.put(lock.token, lock);
        Message wire = AmqpCodec.copy(stored.message);
        Header header = wire.getHeader() == null ? new Header() : wire.getHeader();
        header.setDeliveryCount(UnsignedInteger.valueOf(stored.deliveryCount));
        wire.setHeader(header);
        Map<Symbol, Object> annotations = new HashMap<>();
        if (wire.getMessageAnnotations() != null) {
            annotations.putAll(wire.getMessageAnnotations().getValue());
        }
        annotations.put(Symbol.valueOf("x-opt-sequence-number"), stored.sequenceNumber);
        annotations.put(Symbol.valueOf("x-opt-enqueued-time"), Date.from(stored.enqueuedTime));
        annotations.put(Symbol.valueOf("x-opt-locked-until"), Date.from(lock.lockedUntil));
        wire.setMessageAnnotations(new MessageAnnotations(annotations));
        byte[] bytes = AmqpCodec.encode(wire);
        Delivery delivery = sender.delivery(AmqpCodec.lockTokenToDeliveryTag(lock.token));
        delivery.setContext(lock);
        sender.send(bytes, 0, bytes.length);
        sender.advance();
        if (sender.getSenderSettleMode() == SenderSettleMode.SETTLED) {
            // receive-and-delete mode: delivered is done
            delivery.settle();
            settle(lock, Accepted.getInstance());
        }
    }

    /**
     * Applies a consumer's settlement. Returns the state to answer with: the outcome itself (a bare rejected one for
     * a dead-letter), or a rejection with {@code message-lock-lost} when the lock already expired.
     */
    DeliveryState settle(MessageLock lock, DeliveryState outcome) {
        if (lock.released || locks.remove(lock.token) == null) {
            Rejected lost = new Rejected();
            lost.setError(new ErrorCondition(
                    LOCK_LOST,
                    "The lock supplied is invalid: it expired, or the message was "
                            + "already settled. Reference: stand-in queue " + name));
            return lost;
        }
        lock.released = true;
        StoredMessage message = lock.message;
        if (outcome instanceof Accepted) {
            completed.add(message);
            count(QueueOutcome.COMPLETED);
        } else if (outcome instanceof Rejected rejected) {
            ErrorCondition error = rejected.getError();
            Map<?, ?> info = error == null ? null : error.getInfo();
            message.mergeApplicationProperties(info);
            deadLetter(message, lock.from);
            count(QueueOutcome.DEAD_LETTERED);
            // Acknowledge with a bare rejected outcome: the Java SDK only compares the outcome's type
            // (azure-core-amqp ReceiverUnsettledDeliveries.onDispositionAck), while @azure/service-bus fails the
            // settlement when the answer carries an error (core/shared.ts onMessageSettled), so echoing the
            // dead-letter condition back made every JS deadLetterMessage() fail.
            return new Rejected();
        } else if (outcome instanceof Modified modified) {
            message.mergeApplicationProperties(modified.getMessageAnnotations());
            if (Boolean.TRUE.equals(modified.getUndeliverableHere())) {
                deferred.put(message.sequenceNumber, message);
                count(QueueOutcome.DEFERRED);
            } else {
                failedDelivery(message, lock.from);
                count(QueueOutcome.ABANDONED);
            }
        } else if (outcome instanceof Released) {
            lock.from.available.put(message.sequenceNumber, message);
        }
        return outcome;
    }

    /** Settlement by lock token through the management node (update-disposition). */
    boolean settleByToken(UUID token, String dispositionStatus, String reason, String description) {
        MessageLock lock = locks.get(token);
        if (lock == null) {
            return false;
        }
        DeliveryState state = switch (dispositionStatus) {
            case "completed" -> Accepted.getInstance();
            case "abandoned" -> new Modified();
            case "defered", "deferred" -> {
                Modified modified = new Modified();
                modified.setUndeliverableHere(true);
                yield modified;
            }
            case "suspended" -> {
                Rejected rejected = new Rejected();
                Map<String, Object> info = new HashMap<>();
                if (reason != null) {
                    info.put(StoredMessage.DEAD_LETTER_REASON, reason);
                }
                if (description != null) {
                    info.put(StoredMessage.DEAD_LETTER_DESCRIPTION, description);
                }
                rejected.setError(new ErrorCondition(DEAD_LETTER_CONDITION, null));
                rejected.getError().setInfo(info);
                yield rejected;
            }
            default -> throw new IllegalArgumentException("unknown disposition-status " + dispositionStatus);
        };
        DeliveryState answer = settle(lock, state);
        return !(answer instanceof Rejected rejected && rejected.getError() != null);
    }

    Instant renewLock(UUID token) {
        MessageLock lock = locks.get(token);
        if (lock == null) {
            return null;
        }
        lock.lockedUntil = clock.get().plus(lockDuration);
        return lock.lockedUntil;
    }

    /** Returns expired locks' messages to the queue (or to the dead letters past the max delivery count). */
    void expireLocks() {
        Instant now = clock.get();
        Iterator<MessageLock> it = locks.values().iterator();
        List<MessageLock> expired = new ArrayList<>();
        while (it.hasNext()) {
            MessageLock lock = it.next();
            if (!lock.lockedUntil.isAfter(now)) {
                it.remove();
                lock.released = true;
                expired.add(lock);
            }
        }
        for (MessageLock lock : expired) {
            count(QueueOutcome.LOCK_EXPIRED);
            failedDelivery(lock.message, lock.from);
        }
    }

    private void failedDelivery(StoredMessage message, SubQueue from) {
        message.deliveryCount++;
        if (!from.deadLetter && message.deliveryCount >= maxDeliveryCount) {
            message.applicationProperties().put(StoredMessage.DEAD_LETTER_REASON, "MaxDeliveryCountExceeded");
            message.applicationProperties()
                    .put(
                            StoredMessage.DEAD_LETTER_DESCRIPTION,
                            "Message could not be consumed after " + maxDeliveryCount + " delivery attempts.");
            deadLetter(message, from);
        } else {
            from.available.put(message.sequenceNumber, message);
        }
    }

    private void deadLetter(StoredMessage message, SubQueue from) {
        // A message settled as dead-letter from the dead-letter queue itself just stays there.
        deadLetter.available.put(message.sequenceNumber, message);
    }

    private void count(QueueOutcome outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    /** Active, locked and (on the main queue) deferred messages, as Service Bus' peek returns them. */
    List<StoredMessage> peek(boolean deadLetterQueue, long fromSequenceNumber, int count) {
        TreeMap<Long, StoredMessage> all = new TreeMap<>(subQueue(deadLetterQueue).available);
        if (!deadLetterQueue) {
            all.putAll(deferred);
        }
        for (MessageLock lock : locks.values()) {
            if (lock.from.deadLetter == deadLetterQueue) {
                all.put(lock.message.sequenceNumber, lock.message);
            }
        }
        return all.tailMap(fromSequenceNumber, true).values().stream()
                .limit(count)
                .toList();
    }

    boolean isDeferred(StoredMessage message) {
        return deferred.get(message.sequenceNumber) == message;
    }

    // --- snapshots for tests ---

    /** Settlement counts only: cheap enough to poll while tens of thousands of messages go through. */
    Map<QueueOutcome, Integer> outcomes() {
        return Map.copyOf(outcomes);
    }

    QueueSnapshot snapshot() {
        List<MessageView> locked = locks.values().stream()
                .filter(l -> !l.from.deadLetter)
                .map(l -> l.message.view())
                .toList();
        return new QueueSnapshot(
                name,
                main.available.values().stream().map(StoredMessage::view).toList(),
                locked,
                deadLetter.available.values().stream().map(StoredMessage::view).toList(),
                completed.stream().map(StoredMessage::view).toList(),
                deferred.values().stream().map(StoredMessage::view).toList(),
                Map.copyOf(outcomes),
                main.consumers.size());
    }
}
