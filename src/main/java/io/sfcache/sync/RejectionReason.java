package io.sfcache.sync;

/** Why a change can never be stored as it is: the reason codes of dead letters. */
public enum RejectionReason {
    EMPTY_BODY("The message has no body."),
    TOO_LARGE("The message is larger than sfcache.sync.max-message-bytes."),
    UNSUPPORTED_CONTENT_TYPE("The message's content type is not JSON."),
    MALFORMED_JSON("The body is not well-formed JSON."),
    INVALID_ENVELOPE("The message does not follow contracts/change-message.schema.json."),
    UNKNOWN_OBJECT("The message is for an object sfcache does not monitor (no data contract)."),
    CONTRACT_VIOLATION("The record's fields break the object's data contract."),
    SERVICE_BUS_DEAD_LETTER("Service Bus dead-lettered the message itself (for example after its max delivery count)."),
    UNEXPECTED_ERROR("Processing failed in a way sfcache does not classify; see the description.");

    private final String meaning;

    RejectionReason(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }
}
