package io.sfcache.impact;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a test's cache holds: records per field, per picklist value, and longer than a length; 0 where not set. */
final class FixedCounts implements CacheCounts {

    private final Map<String, Long> records = new HashMap<>();
    private final Map<String, Long> values = new HashMap<>();
    private final Map<String, Long> longer = new HashMap<>();

    FixedCounts records(String field, long count) {
        records.put(field, count);
        return this;
    }

    FixedCounts value(String field, String value, long count) {
        values.put(field + "=" + value, count);
        return this;
    }

    FixedCounts longer(String field, int than, long count) {
        longer.put(field + ">" + than, count);
        return this;
    }

    @Override
    public Optional<Usage> usage(String sobject, String field, List<String> asked, Integer longerThan) {
        String name = sobject + "." + field;
        Map<String, Long> counts = new LinkedHashMap<>();
        asked.forEach(v -> counts.put(v, values.getOrDefault(name + "=" + v, 0L)));
        return Optional.of(new Usage(
                records.getOrDefault(name, 0L),
                counts,
                longerThan == null ? null : longer.getOrDefault(name + ">" + longerThan, 0L)));
    }

    @Override
    public String source() {
        return "sfcache at https://sfcache.example.com/";
    }
}
