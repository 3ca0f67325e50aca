package io.sfcache.local;

import io.sfcache.fixtures.SObjectType;
import io.sfcache.fixtures.SalesforceRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated org: a few live records per object, a small recycle bin, and the last messages sent for each record
 * (what a broker could deliver again). Kept small so that most changes are updates of records the cache already has.
 */
final class RecordPool {

    /** Salesforce empties the recycle bin eventually; beyond this, the oldest deleted record is gone for good. */
    static final int RECYCLE_BIN_SIZE = 10;

    private static final int HISTORY_PER_RECORD = 5;

    private final Map<SObjectType, List<SalesforceRecord>> live = new EnumMap<>(SObjectType.class);
    private final Map<SObjectType, Deque<SalesforceRecord>> recycleBin = new EnumMap<>(SObjectType.class);
    private final Map<String, Deque<Outgoing>> history = new HashMap<>();

    RecordPool() {
        for (SObjectType type : SObjectType.values()) {
            live.put(type, new ArrayList<>());
            recycleBin.put(type, new ArrayDeque<>());
        }
    }

    List<SalesforceRecord> live(SObjectType type) {
        return live.get(type);
    }

    Deque<SalesforceRecord> recycleBin(SObjectType type) {
        return recycleBin.get(type);
    }

    void created(SalesforceRecord record) {
        live.get(record.type()).add(record);
    }

    void deleted(SalesforceRecord record) {
        live.get(record.type()).remove(record);
        Deque<SalesforceRecord> bin = recycleBin.get(record.type());
        bin.addLast(record);
        if (bin.size() > RECYCLE_BIN_SIZE) {
            history.remove(bin.removeFirst().id());
        }
    }

    void undeleted(SalesforceRecord record) {
        recycleBin.get(record.type()).remove(record);
        live.get(record.type()).add(record);
    }

    /** Whether any live Contact or Opportunity points at this Account (Salesforce would cascade its delete). */
    boolean hasChildren(SalesforceRecord account) {
        for (SObjectType type : List.of(SObjectType.CONTACT, SObjectType.OPPORTUNITY)) {
            for (SalesforceRecord child : live.get(type)) {
                if (account.id().equals(child.fields().path("AccountId").asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    void sent(Outgoing message) {
        if (message.recordId() == null) {
            return;
        }
        Deque<Outgoing> sent = history.computeIfAbsent(message.recordId(), id -> new ArrayDeque<>());
        sent.addLast(message);
        if (sent.size() > HISTORY_PER_RECORD) {
            sent.removeFirst();
        }
    }

    /** Messages sent earlier that a newer change of the same record has since overtaken. */
    List<Outgoing> superseded() {
        List<Outgoing> older = new ArrayList<>();
        for (Deque<Outgoing> sent : history.values()) {
            Outgoing newest = sent.stream()
                    .max((a, b) -> a.version().compareTo(b.version()))
                    .orElseThrow();
            sent.stream().filter(m -> newest.version().isNewerThan(m.version())).forEach(older::add);
        }
        return older;
    }
}
