package io.sfcache.standin.messaging;

/** How a delivered Service Bus message left its lock. */
public enum QueueOutcome {
    COMPLETED,
    ABANDONED,
    DEFERRED,
    DEAD_LETTERED,
    LOCK_EXPIRED
}
