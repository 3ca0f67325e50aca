package io.sfcache.impact;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How many cached records a change touches: asked of a running sfcache, or unknown. */
interface CacheCounts {

    /**
     * @param records     records (not deleted) holding a value in the field
     * @param values      per value asked for, the records holding it
     * @param longerCount records holding text longer than asked for, or null if not asked
     */
    record Usage(long records, Map<String, Long> values, Long longerCount) {}

    /** Empty when the counts are unknown. */
    Optional<Usage> usage(String sobject, String field, List<String> values, Integer longerThan);

    /** Where the counts come from, for the report; null when there are none. */
    String source();

    /** The data contracts the cache enforces, by where it loaded them from; empty if it cannot tell. */
    default Map<String, JsonNode> contracts() {
        return Map.of();
    }

    CacheCounts UNKNOWN = new CacheCounts() {
        @Override
        public Optional<Usage> usage(String sobject, String field, List<String> values, Integer longerThan) {
            return Optional.empty();
        }

        @Override
        public String source() {
            return null;
        }
    };
}
