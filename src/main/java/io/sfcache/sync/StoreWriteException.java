package io.sfcache.sync;

/**
 * One write of a Cosmos bulk request that Cosmos refused: bulk answers a status per operation rather than throwing,
 * and this carries it to the change's own flow, where {@link FailureClassifier} sorts it like a point write's error.
 */
public class StoreWriteException extends RuntimeException {

    private final int statusCode;

    public StoreWriteException(int statusCode, String message) {
        super(message);
        this.statusCode = statusCode;
    }

    public int getStatusCode() {
        return statusCode;
    }
}
