package io.sfcache.sync;

/** What happened to a record, as the change message says. */
public enum ChangeType {
    CREATE,
    UPDATE,
    DELETE,
    UNDELETE,
    /** Not a record change: the publisher saying it is alive, with how much it sent (see the monitoring flow). */
    HEARTBEAT;

    public boolean carriesFields() {
        return this == CREATE || this == UPDATE || this == UNDELETE;
    }
}
