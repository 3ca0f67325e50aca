package io.sfcache.standin.messaging;

import java.util.List;
import java.util.Map;

/**
 * A Service Bus queue as a test sees it at one instant.
 *
 * @param active       waiting to be delivered
 * @param locked       delivered and not settled yet (lock held)
 * @param deadLettered in the $deadletterqueue sub-queue, with reason and description
 * @param completed    settled as complete
 * @param deferred     settled as deferred
 * @param outcomes     how many settlements of each kind happened
 * @param consumers    receiver links attached to the main queue
 */
public record QueueSnapshot(
        String name,
        List<MessageView> active,
        List<MessageView> locked,
        List<MessageView> deadLettered,
        List<MessageView> completed,
        List<MessageView> deferred,
        Map<QueueOutcome, Integer> outcomes,
        int consumers) {

    /** Messages still on the queue: waiting or locked by a consumer. */
    public int pending() {
        return active.size() + locked.size();
    }

    public int outcome(QueueOutcome outcome) {
        return outcomes.getOrDefault(outcome, 0);
    }
}
