package io.sfcache.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.graphql.data.pagination.CursorEncoder;
import org.springframework.graphql.data.pagination.CursorStrategy;

/**
 * The cursors of sfcache's lists: where a page ended (a record of the list's own), written as JSON by Jackson and
 * made opaque by Spring GraphQL's base64 {@link CursorEncoder}. A cursor that does not read back is the caller's
 * mistake, not a server error.
 */
final class JsonCursors<P> implements CursorStrategy<P> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CursorEncoder BASE64 = CursorEncoder.base64();

    private final Class<P> position;

    JsonCursors(Class<P> position) {
        this.position = position;
    }

    @Override
    public boolean supports(Class<?> type) {
        return position.equals(type);
    }

    @Override
    public String toCursor(P where) {
        try {
            return BASE64.encode(JSON.writeValueAsString(where));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A " + position.getSimpleName() + " that Jackson cannot write", e);
        }
    }

    @Override
    public P fromCursor(String cursor) {
        try {
            P where = JSON.readValue(BASE64.decode(cursor), position);
            if (where != null) {
                return where;
            }
        } catch (IllegalArgumentException | JsonProcessingException e) {
            // not base64, or not our JSON: refused below
        }
        throw new InvalidQueryException("after: not a cursor sfcache issued");
    }
}
