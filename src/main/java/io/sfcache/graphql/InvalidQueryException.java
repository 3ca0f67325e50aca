package io.sfcache.graphql;

/** A query sfcache will not run as asked (page too large, unknown field, foreign cursor): the caller's to fix. */
public class InvalidQueryException extends RuntimeException {

    public InvalidQueryException(String message) {
        super(message);
    }
}
