package io.sfcache.sync;

import java.util.List;

/**
 * A change that will fail the same way however often it is retried: it goes to the dead letters with a reason a
 * person can act on, never back to the queue.
 */
public class RejectedChangeException extends RuntimeException {

    private final RejectionReason reason;
    private final List<String> violations;

    public RejectedChangeException(RejectionReason reason, String message) {
        this(reason, message, List.of());
    }

    public RejectedChangeException(RejectionReason reason, String message, List<String> violations) {
        super(message);
        this.reason = reason;
        this.violations = List.copyOf(violations);
    }

    public RejectionReason reason() {
        return reason;
    }

    /** One line per problem, each naming the field, what was expected and what was found. */
    public List<String> violations() {
        return violations;
    }
}
