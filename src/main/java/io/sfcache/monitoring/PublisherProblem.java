package io.sfcache.monitoring;

import io.sfcache.sync.PublisherStatus;
import io.sfcache.sync.SyncState;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a heartbeat that arrived can still say is wrong with the Apex publisher. Each is read from the object's last
 * heartbeat alone (plus the FAILED count of the one before), so every replica, and one that just started, comes to
 * the same answer; it holds until a later heartbeat says otherwise. A value the publisher did not send (an older
 * publisher) raises nothing. Run-book: README, SfcachePublisherUnhealthy.
 */
public enum PublisherProblem {

    /** {@code publishingEnabled == false}. */
    PUBLISHING_OFF("publishing is switched off (Sfcache_Setting__mdt.Publishing_Enabled__c): the triggers publish "
            + "nothing"),
    /** {@code triggerActive == false}. */
    TRIGGER_INACTIVE("the object's publishing trigger or the change dispatcher is not running: its changes are not "
            + "published"),
    /** {@code failedSincePrevious > 0}, or more FAILED outbox messages than in the previous heartbeat. */
    SEND_FAILURES("sending the object's messages to Service Bus fails"),
    /** The oldest PENDING outbox message older than {@code sfcache.monitoring.heartbeat.max-pending-age}. */
    OUTBOX_BACKLOG("the publisher's retries are not getting through: its outbox holds old messages"),
    /** {@code unpublishedSince} set. */
    UNPUBLISHED_CHANGES("changes could not be handed off and were not published (sfcache reconciles the window)");

    private final String meaning;

    PublisherProblem(String meaning) {
        this.meaning = meaning;
    }

    /** What it means, for a log line. */
    public String meaning() {
        return meaning;
    }

    /**
     * The problems a heartbeat reports, each with the reported values that show it; empty when all is well or the
     * publisher said nothing about itself.
     *
     * @param maxPendingAge the oldest PENDING outbox message may be this old at the heartbeat's commit time
     */
    public static Map<PublisherProblem, String> reportedBy(SyncState.Heartbeat heartbeat, Duration maxPendingAge) {
        PublisherStatus status = heartbeat.publisher();
        Map<PublisherProblem, String> problems = new EnumMap<>(PublisherProblem.class);
        if (Boolean.FALSE.equals(status.publishingEnabled())) {
            problems.put(PUBLISHING_OFF, "publishingEnabled=false");
        }
        if (Boolean.FALSE.equals(status.triggerActive())) {
            problems.put(TRIGGER_INACTIVE, "triggerActive=false");
        }
        boolean failedSends = status.failedSincePrevious() != null && status.failedSincePrevious() > 0;
        boolean moreFailed = status.outboxFailed() != null
                && heartbeat.previousOutboxFailed() != null
                && status.outboxFailed() > heartbeat.previousOutboxFailed();
        if (failedSends || moreFailed) {
            problems.put(
                    SEND_FAILURES,
                    "failedSincePrevious=" + status.failedSincePrevious() + ", outboxFailed=" + status.outboxFailed()
                            + " (previous heartbeat: " + heartbeat.previousOutboxFailed() + ")");
        }
        Duration pendingAge = oldestPendingAge(heartbeat);
        if (pendingAge != null && pendingAge.compareTo(maxPendingAge) > 0) {
            problems.put(
                    OUTBOX_BACKLOG,
                    "oldestPendingTime=" + status.oldestPendingTime() + ", " + pendingAge
                            + " old at the heartbeat (max-pending-age " + maxPendingAge + "), outboxPending="
                            + status.outboxPending());
        }
        if (status.unpublishedSince() != null) {
            problems.put(UNPUBLISHED_CHANGES, "unpublishedSince=" + status.unpublishedSince());
        }
        return Collections.unmodifiableMap(problems);
    }

    /**
     * How old the oldest PENDING outbox message was when the heartbeat was sent: zero when the publisher reports none
     * pending, null when it did not say.
     */
    static Duration oldestPendingAge(SyncState.Heartbeat heartbeat) {
        PublisherStatus status = heartbeat.publisher();
        if (status.oldestPendingTime() != null) {
            Duration age = Duration.between(status.oldestPendingTime(), heartbeat.sentAt());
            return age.isNegative() ? Duration.ZERO : age;
        }
        return status.outboxPending() != null && status.outboxPending() == 0 ? Duration.ZERO : null;
    }
}
