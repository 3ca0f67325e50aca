package io.sfcache.sync;

/** What the order guard decided for one change, given what is stored. */
public enum WriteDecision {
    /** First time this record is seen: create it (fails if another consumer created it meanwhile). */
    CREATE,
    /** Newer than what is stored: replace it, if it is still the version that was read (ETag). */
    REPLACE,
    /** The stored record came from this very message: a redelivery. Publish the event again, same event id. */
    REDELIVERED,
    /** Same version as stored but from another message (e.g. the same change by the queue and by CDC). */
    DUPLICATE,
    /** Older than what is stored: never overwrite newer data. */
    STALE,
    /**
     * Newer, but changes nothing that is stored: the same change by the other path (queue and CDC stamp versions
     * from slightly different moments), or a save that touched no monitored field. The newer version is written (a
     * replace, ETag-conditional, keeping the event id that announced these fields) so that a change between the two
     * arriving late is STALE; nothing is announced.
     */
    UNCHANGED;

    /** Creates or replaces the stored record. */
    public boolean writes() {
        return this == CREATE || this == REPLACE || this == UNCHANGED;
    }
}
