package io.sfcache.sync;

/** Which path a change came by; stored with each record so readers can see how it got there. */
public enum ChangeSource {
    /** The Apex publisher through the Service Bus queue. */
    QUEUE,
    /** Salesforce Change Data Capture through the Pub/Sub API. */
    CHANGE_DATA_CAPTURE,
    /** Re-read from Salesforce by reconciliation or gap repair. */
    RECONCILIATION
}
