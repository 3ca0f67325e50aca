package io.sfcache.standin.salesforce;

import io.sfcache.fixtures.SalesforceIds;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The org's records and what happens when they change: every committed change updates the records (what REST reads)
 * and appends change events to the {@link EventLog} (what Pub/Sub subscribers read), encoded with the object's current
 * {@link ChangeEventSchema}.
 *
 * <p>Event content follows Salesforce: a create or undelete carries every non-null field plus CreatedDate,
 * CreatedById, LastModifiedDate and LastModifiedById; an update carries the fields whose value changed plus
 * LastModifiedDate, with those in {@code changedFields} and the ones now null also in {@code nulledFields}; a delete
 * and the gap events carry no fields.
 */
final class OrgData {

    static final String INSTANCE = "8d";
    private static final String CHANGE_ORIGIN = "com/salesforce/api/rest/62.0;client=sfcache-standin";

    private final ObjectCatalog catalog;
    private final EventLog log;
    private final String userId;
    private final Runnable onCommit;
    /** sObject → id → field values (in-memory forms), system fields included. */
    private final Map<String, Map<String, Map<String, Object>>> records = new LinkedHashMap<>();

    private final Map<String, ChangeEventSchema> currentSchemas = new LinkedHashMap<>();
    /** Every schema ever used, by id: old events keep pointing at theirs. */
    private final Map<String, ChangeEventSchema> schemasById = new ConcurrentHashMap<>();

    private long nextRecordNumber;
    private long commitNumber;
    private Instant lastCommit = Instant.EPOCH;

    OrgData(ObjectCatalog catalog, EventLog log, String userId, Runnable onCommit) {
        this.catalog = catalog;
        this.log = log;
        this.userId = userId;
        this.onCommit = onCommit;
        Random random = new Random();
        this.nextRecordNumber = 62L * 62 * 62 * 62 * 5 + random.nextInt(100_000);
        this.commitNumber = 10_000_000_000_000L + random.nextInt(1_000_000);
        for (SObjectDef def : catalog.all()) {
            records.put(def.name(), new LinkedHashMap<>());
            register(ChangeEventSchema.of(def));
        }
    }

    // ---- the test API ----

    synchronized String transaction(Consumer<OrgTransaction> work) {
        Txn txn = new Txn(nextCommitTime());
        work.accept(txn);
        commit(txn);
        return txn.transactionKey;
    }

    /** Changes REST sees (LastModifiedDate and SystemModstamp move too) with no change event at all. */
    synchronized void updateSilently(String sobject, String id, Map<String, ?> changes) {
        Txn txn = new Txn(nextCommitTime());
        txn.apply(catalog.get(sobject), List.of(id), changes);
    }

    synchronized void emitGap(String sobject, String changeType, List<String> ids) {
        if (!changeType.startsWith("GAP_")
                || changeType.equals("GAP_OVERFLOW")
                || !ChangeEventSchema.CHANGE_TYPES.contains(changeType)) {
            throw new IllegalArgumentException(
                    "not a gap change type: " + changeType + " (GAP_OVERFLOW: emitOverflow)");
        }
        SObjectDef def = catalog.get(sobject);
        ids.forEach(id -> stored(def, id));
        Txn txn = new Txn(nextCommitTime());
        txn.events.add(new Pending(def.name(), changeType, List.copyOf(ids), Map.of(), List.of(), List.of()));
        commit(txn);
    }

    synchronized void emitOverflow(String sobject) {
        SObjectDef def = catalog.get(sobject);
        Txn txn = new Txn(nextCommitTime());
        txn.events.add(new Pending(
                def.name(), "GAP_OVERFLOW", List.of(def.keyPrefix() + "*"), Map.of(), List.of(), List.of()));
        commit(txn);
    }

    synchronized Optional<Map<String, Object>> record(String sobject, String id) {
        SObjectDef def = catalog.get(sobject);
        Map<String, Object> values = records.get(def.name()).get(canonicalId(def.name(), id));
        return Optional.ofNullable(values).map(v -> Collections.unmodifiableMap(new LinkedHashMap<>(v)));
    }

    /** Copies of the object's records in creation order; deleted ones only when asked (queryAll). */
    synchronized List<Map<String, Object>> records(String sobject, boolean includeDeleted) {
        SObjectDef def = catalog.get(sobject);
        List<Map<String, Object>> copies = new ArrayList<>();
        for (Map<String, Object> values : records.get(def.name()).values()) {
            if (includeDeleted || !Boolean.TRUE.equals(values.get("IsDeleted"))) {
                copies.add(new LinkedHashMap<>(values));
            }
        }
        return copies;
    }

    synchronized void changeFieldType(String sobject, String field, FieldType newType) {
        SObjectDef def = catalog.changeFieldType(sobject, field, newType);
        FieldDef changed = def.requireField(field);
        for (Map<String, Object> values : records.get(def.name()).values()) {
            Object old = values.get(changed.name());
            Object converted;
            try {
                converted = newType.coerce(
                        old instanceof Double d && newType == FieldType.STRING
                                ? java.math.BigDecimal.valueOf(d)
                                        .stripTrailingZeros()
                                        .toPlainString()
                                : old);
            } catch (IllegalArgumentException unconvertible) {
                converted = null; // Salesforce refuses such changes while data would be lost; tests decide
            }
            values.put(changed.name(), converted);
        }
        register(ChangeEventSchema.of(def));
    }

    synchronized void removeField(String sobject, String field) {
        FieldDef removed = catalog.get(sobject).requireField(field);
        SObjectDef def = catalog.removeField(sobject, field);
        records.get(def.name()).values().forEach(values -> values.remove(removed.name()));
        register(ChangeEventSchema.of(def));
    }

    synchronized void restoreObject(String sobject) {
        SObjectDef def = catalog.restore(sobject);
        for (Map<String, Object> values : records.get(def.name()).values()) {
            for (FieldDef field : def.dataFields()) {
                Object old = values.get(field.name());
                Object converted;
                try {
                    converted = field.type().coerce(old);
                } catch (IllegalArgumentException unconvertible) {
                    converted = null;
                }
                values.put(field.name(), converted);
            }
        }
        register(ChangeEventSchema.of(def));
    }

    ChangeEventSchema currentSchema(String sobject) {
        synchronized (this) {
            return currentSchemas.get(catalog.get(sobject).name());
        }
    }

    Optional<ChangeEventSchema> schema(String schemaId) {
        return Optional.ofNullable(schemasById.get(schemaId));
    }

    /** The 18-character form of a 15- or 18-character id of a stored record, else the id as given. */
    synchronized String canonicalId(String sobject, String id) {
        if (id != null && id.length() == 15) {
            for (String stored : records.get(catalog.get(sobject).name()).keySet()) {
                if (stored.startsWith(id)) {
                    return stored;
                }
            }
        }
        return id;
    }

    // ---- inside ----

    private void register(ChangeEventSchema schema) {
        currentSchemas.put(schema.sobject(), schema);
        schemasById.put(schema.id(), schema);
    }

    private Instant nextCommitTime() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        lastCommit = now.isAfter(lastCommit) ? now : lastCommit.plusMillis(1);
        return lastCommit;
    }

    private Map<String, Object> stored(SObjectDef def, String id) {
        Map<String, Object> values = records.get(def.name()).get(canonicalId(def.name(), id));
        if (values == null) {
            throw new IllegalArgumentException("no " + def.name() + " with id " + id);
        }
        return values;
    }

    private void commit(Txn txn) {
        int sequence = 0;
        long number = commitNumber++;
        for (Pending p : txn.events) {
            ChangeEventSchema schema = currentSchemas.get(p.sobject);
            ChangeEventEncoder.Header header = new ChangeEventEncoder.Header(
                    p.sobject,
                    p.recordIds,
                    p.changeType,
                    p.changeType.startsWith("GAP_") ? "" : CHANGE_ORIGIN,
                    txn.transactionKey,
                    ++sequence,
                    txn.commitTime.toEpochMilli(),
                    number,
                    userId,
                    schema.bitmaps(p.nulled),
                    List.of(),
                    schema.bitmaps(p.changed));
            byte[] payload = ChangeEventEncoder.encode(schema, header, p.values);
            log.append(
                    p.sobject,
                    schema.id(),
                    payload,
                    txn.commitTime,
                    p.changeType,
                    p.recordIds,
                    UUID.randomUUID().toString());
        }
        if (!txn.events.isEmpty()) {
            onCommit.run();
        }
    }

    private record Pending(
            String sobject,
            String changeType,
            List<String> recordIds,
            Map<String, Object> values,
            List<String> changed,
            List<String> nulled) {}

    private final class Txn implements OrgTransaction {

        final Instant commitTime;
        final String transactionKey =
                UUID.randomUUID().toString().replace("-", "").substring(0, 20).toLowerCase(Locale.ROOT);
        final List<Pending> events = new ArrayList<>();

        Txn(Instant commitTime) {
            this.commitTime = commitTime;
        }

        @Override
        public String create(String sobject, Map<String, ?> fields) {
            SObjectDef def = catalog.get(sobject);
            Map<String, Object> accepted = accept(def, fields);
            Map<String, Object> values = new LinkedHashMap<>();
            String id = SalesforceIds.id(def.keyPrefix(), INSTANCE, nextRecordNumber++);
            values.put("Id", id);
            values.put("IsDeleted", false);
            for (FieldDef field : def.dataFields()) {
                Object value = accepted.get(field.name());
                if (value == null && !accepted.containsKey(field.name())) {
                    value = defaultValue(def, field);
                }
                values.put(field.name(), value);
            }
            values.put("CreatedDate", commitTime);
            values.put("CreatedById", userId);
            touch(values);
            records.get(def.name()).put(id, values);
            events.add(fullEvent(def, "CREATE", id, values));
            return id;
        }

        @Override
        public void update(String sobject, String id, Map<String, ?> changes) {
            updateMany(sobject, List.of(id), changes);
        }

        @Override
        public void updateMany(String sobject, List<String> ids, Map<String, ?> changes) {
            SObjectDef def = catalog.get(sobject);
            Set<String> changed = apply(def, ids, changes);
            Map<String, Object> values = new LinkedHashMap<>();
            List<String> nulled = new ArrayList<>();
            Map<String, Object> accepted = accept(def, changes);
            for (String field : changed) {
                if (accepted.get(field) == null) {
                    nulled.add(field);
                } else {
                    values.put(field, accepted.get(field));
                }
            }
            values.put("LastModifiedDate", commitTime);
            List<String> changedFields = new ArrayList<>(changed);
            changedFields.add("LastModifiedDate");
            List<String> recordIds =
                    ids.stream().map(id -> canonicalId(def.name(), id)).toList();
            events.add(new Pending(def.name(), "UPDATE", recordIds, values, changedFields, nulled));
        }

        @Override
        public void delete(String sobject, String id) {
            SObjectDef def = catalog.get(sobject);
            Map<String, Object> values = live(def, id);
            values.put("IsDeleted", true);
            values.put("SystemModstamp", commitTime);
            events.add(new Pending(
                    def.name(), "DELETE", List.of((String) values.get("Id")), Map.of(), List.of(), List.of()));
        }

        @Override
        public void undelete(String sobject, String id) {
            SObjectDef def = catalog.get(sobject);
            Map<String, Object> values = stored(def, id);
            if (!Boolean.TRUE.equals(values.get("IsDeleted"))) {
                throw new IllegalArgumentException(def.name() + " " + id + " is not deleted");
            }
            values.put("IsDeleted", false);
            touch(values);
            events.add(fullEvent(def, "UNDELETE", (String) values.get("Id"), values));
        }

        /** Applies changes to live records; returns the fields whose value changed on any of them. */
        Set<String> apply(SObjectDef def, List<String> ids, Map<String, ?> changes) {
            Map<String, Object> accepted = accept(def, changes);
            List<Map<String, Object>> targets =
                    ids.stream().map(id -> live(def, id)).toList();
            Set<String> changed = new LinkedHashSet<>();
            for (Map<String, Object> values : targets) {
                accepted.forEach((field, value) -> {
                    if (!Objects.equals(values.get(field), value)) {
                        changed.add(field);
                    }
                    values.put(field, value);
                });
                touch(values);
            }
            return changed;
        }

        private void touch(Map<String, Object> values) {
            values.put("LastModifiedDate", commitTime);
            values.put("LastModifiedById", userId);
            values.put("SystemModstamp", commitTime);
        }

        private Pending fullEvent(SObjectDef def, String changeType, String id, Map<String, Object> values) {
            ChangeEventSchema schema = currentSchemas.get(def.name());
            Map<String, Object> carried = new LinkedHashMap<>();
            values.forEach((field, value) -> {
                if (value != null && schema.carries(field)) {
                    carried.put(field, value);
                }
            });
            return new Pending(def.name(), changeType, List.of(id), carried, List.of(), List.of());
        }

        private Map<String, Object> live(SObjectDef def, String id) {
            Map<String, Object> values = stored(def, id);
            if (Boolean.TRUE.equals(values.get("IsDeleted"))) {
                throw new IllegalArgumentException("entity is deleted: " + def.name() + " " + id);
            }
            return values;
        }

        /** Field names made canonical, values checked and converted; unknown or system fields refused. */
        private Map<String, Object> accept(SObjectDef def, Map<String, ?> fields) {
            Map<String, Object> accepted = new LinkedHashMap<>();
            fields.forEach((name, value) -> {
                FieldDef field = def.requireField(name);
                if (field.system()) {
                    throw new IllegalArgumentException(
                            "Unable to create/update fields: " + field.name() + ". Salesforce maintains it.");
                }
                accepted.put(field.name(), field.accept(def.name(), value));
            });
            return accepted;
        }

        private Object defaultValue(SObjectDef def, FieldDef field) {
            if (field.name().equals("OwnerId")) {
                return userId;
            }
            if (field.type() == FieldType.BOOLEAN) {
                return false;
            }
            if (!field.nillable()) {
                throw new IllegalArgumentException(
                        "Required fields are missing: [" + field.name() + "] on " + def.name());
            }
            return null;
        }
    }
}
