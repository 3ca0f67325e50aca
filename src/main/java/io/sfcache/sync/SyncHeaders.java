package io.sfcache.sync;

/** Header and exchange-property names the sync routes share with the beans. */
public final class SyncHeaders {

    /** Exchange property: the parsed {@link ChangeMessage}. */
    public static final String CHANGE = "SfcacheChange";
    /** Exchange property: the {@link ChangeSource} the message came by. */
    public static final String SOURCE = "SfcacheSource";

    public static final String OBJECT = "SfcacheObject";
    /** Lower-case object name: the suffix of the object's route and endpoints. */
    public static final String OBJECT_KEY = "SfcacheObjectKey";

    public static final String RECORD_ID = "SfcacheRecordId";
    public static final String EVENT_ID = "SfcacheEventId";
    public static final String CHANGE_TYPE = "SfcacheChangeType";
    /** Exchange property: what the order guard decided, a {@link WriteDecision} name. */
    public static final String DECISION = "SfcacheDecision";
    /** Exchange property set once a message went to the dead letters. */
    public static final String DEAD_LETTERED = "SfcacheDeadLettered";

    private SyncHeaders() {}
}
