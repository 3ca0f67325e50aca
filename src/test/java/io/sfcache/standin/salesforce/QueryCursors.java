package io.sfcache.standin.salesforce;

import io.sfcache.fixtures.SalesforceIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Query results kept for {@code nextRecordsUrl}: the rows as of the first call (later changes do not show on later
 * pages, as with Salesforce's server-side cursors), under an 18-character locator id ({@code 01g...}). The oldest are
 * dropped past a small number, as Salesforce limits open cursors per user.
 */
final class QueryCursors {

    private static final int MAX_OPEN = 50;

    private final Map<String, List<Map<String, Object>>> open = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Map<String, Object>>> eldest) {
            return size() > MAX_OPEN;
        }
    };
    private long next = 62L * 62 * 62 * 62 * 7;

    synchronized String open(List<Map<String, Object>> rows) {
        String locator = SalesforceIds.id("01g", OrgData.INSTANCE, next++);
        open.put(locator, List.copyOf(rows));
        return locator;
    }

    synchronized Optional<List<Map<String, Object>>> get(String locator) {
        return Optional.ofNullable(open.get(locator));
    }
}
