package io.sfcache.local;

import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.InvalidChangeMessage;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.fixtures.SampleData;
import io.sfcache.fixtures.Violation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * What the simulated publisher sends next, one message at a time: creates until each object has its pool of records,
 * then mostly updates of those records, with the odd delete and undelete; a share of invalid messages and a share of
 * messages that arrive after a newer change of the same record. No I/O, no clock of its own: the generation can be
 * tested with a seed.
 *
 * <p>Updates usually carry only the changed fields plus the contract's required ones (a field left out keeps its
 * stored value), sometimes every field. When a late change is simulated, the newer change overtaking it carries every
 * field: a cache that rightly discards the older change then still ends up with Salesforce's state.
 */
final class SimulatedTraffic {

    private static final double DELETE_SHARE = 0.03;
    private static final double UNDELETE_SHARE = 0.02;
    private static final double SAME_TRANSACTION_SHARE = 0.03;
    private static final double FULL_UPDATE_SHARE = 0.3;
    /** Contacts and Opportunities without an Account exist (private contacts), but rarely. */
    private static final double ORPHAN_SHARE = 0.1;

    private final ChangeMessages messages;
    private final SampleData data;
    private final RecordPool pool = new RecordPool();
    private final int poolSize;
    private final double invalidChance;
    private final double outOfOrderChance;
    /** Messages already decided on that go out next, in order (the second half of a pair). */
    private final Deque<Outgoing> pending = new ArrayDeque<>();

    SimulatedTraffic(ChangeMessages messages, int poolSize, double invalidRatio, double outOfOrderRatio) {
        this.messages = messages;
        this.data = messages.data();
        this.poolSize = poolSize;
        // Half the out-of-order cases are a pair (a newer change, then the late older one): two messages for one
        // decision. Scaling the per-decision chances keeps each kind's share of *messages* at the configured ratio.
        double messagesPerDecision = 1 / (1 - outOfOrderRatio / 2);
        this.invalidChance = invalidRatio * messagesPerDecision;
        this.outOfOrderChance = Math.min(1, outOfOrderRatio * messagesPerDecision / (1 - invalidChance));
    }

    Outgoing next() {
        Outgoing message = pending.isEmpty() ? decide() : pending.removeFirst();
        pool.sent(message);
        return message;
    }

    List<Outgoing> next(int count) {
        List<Outgoing> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(next());
        }
        return batch;
    }

    private Outgoing decide() {
        if (data.chance(invalidChance)) {
            return invalid();
        }
        if (data.chance(outOfOrderChance)) {
            Outgoing outOfOrder = data.chance(0.5) ? redelivery() : latePair();
            if (outOfOrder != null) {
                return outOfOrder;
            }
        }
        return change();
    }

    private Outgoing invalid() {
        InvalidChangeMessage invalid = messages.invalid().of(data.pick(Violation.plausible()));
        SObjectType sobject = null;
        for (SObjectType type : SObjectType.values()) {
            if (type.apiName().equals(invalid.sobject())) {
                sobject = type;
            }
        }
        return new Outgoing(Outgoing.Kind.INVALID, invalid.messageId(), invalid.body(), sobject, null, null, null);
    }

    /** An older message of some record, sent again as it was. Null until some record has been changed twice. */
    private Outgoing redelivery() {
        List<Outgoing> superseded = pool.superseded();
        if (superseded.isEmpty()) {
            return null;
        }
        superseded.sort(Comparator.comparing(Outgoing::messageId));
        Outgoing original = data.pick(superseded);
        return new Outgoing(
                Outgoing.Kind.REDELIVERED,
                original.messageId(),
                original.body(),
                original.sobject(),
                original.changeType(),
                original.recordId(),
                original.version());
    }

    /** Two updates of one record: the newer goes now, the older right after it. */
    private Outgoing latePair() {
        SalesforceRecord record = anyLive();
        if (record == null) {
            return null;
        }
        Outgoing older = message(Outgoing.Kind.LATE, record.partialUpdate());
        Outgoing newer = message(Outgoing.Kind.CHANGE, record.update());
        pending.addLast(older);
        return newer;
    }

    private Outgoing change() {
        SObjectType type = pickType();
        List<SalesforceRecord> live = pool.live(type);
        if (live.size() < poolSize) {
            return create(type);
        }
        double roll = data.random().nextDouble();
        if (roll < DELETE_SHARE) {
            SalesforceRecord doomed = data.pick(live);
            if (!(type == SObjectType.ACCOUNT && pool.hasChildren(doomed))) {
                pool.deleted(doomed);
                return message(Outgoing.Kind.CHANGE, doomed.delete());
            }
        } else if (roll < DELETE_SHARE + UNDELETE_SHARE
                && !pool.recycleBin(type).isEmpty()) {
            SalesforceRecord restored = data.pick(List.copyOf(pool.recycleBin(type)));
            pool.undeleted(restored);
            return message(Outgoing.Kind.CHANGE, restored.undelete());
        }
        SalesforceRecord record = data.pick(live);
        if (data.chance(SAME_TRANSACTION_SHARE)) {
            Outgoing first = message(Outgoing.Kind.CHANGE, record.partialUpdate());
            pending.addLast(message(Outgoing.Kind.CHANGE, record.updateInSameTransaction()));
            return first;
        }
        return message(Outgoing.Kind.CHANGE, data.chance(FULL_UPDATE_SHARE) ? record.update() : record.partialUpdate());
    }

    private Outgoing create(SObjectType type) {
        List<SalesforceRecord> accounts = pool.live(SObjectType.ACCOUNT);
        SalesforceRecord account = accounts.isEmpty() || data.chance(ORPHAN_SHARE) ? null : data.pick(accounts);
        // Parent accounts are rare; contacts and opportunities mostly belong to one.
        if (type == SObjectType.ACCOUNT && data.chance(0.8)) {
            account = null;
        }
        SalesforceRecord record = messages.record(type, account);
        pool.created(record);
        return message(Outgoing.Kind.CHANGE, record.create());
    }

    /** Accounts first (others point at them), then roughly as many contacts as opportunities. */
    private SObjectType pickType() {
        if (pool.live(SObjectType.ACCOUNT).isEmpty()) {
            return SObjectType.ACCOUNT;
        }
        double roll = data.random().nextDouble();
        return roll < 0.3 ? SObjectType.ACCOUNT : roll < 0.65 ? SObjectType.CONTACT : SObjectType.OPPORTUNITY;
    }

    private SalesforceRecord anyLive() {
        List<SalesforceRecord> all = new ArrayList<>();
        for (SObjectType type : SObjectType.values()) {
            all.addAll(pool.live(type));
        }
        return all.isEmpty() ? null : data.pick(all);
    }

    private static Outgoing message(Outgoing.Kind kind, ChangeMessageBuilder change) {
        SObjectType sobject = SObjectType.valueOf(change.sobject().toUpperCase(Locale.ROOT));
        return new Outgoing(
                kind,
                change.eventId(),
                change.toJson(),
                sobject,
                change.changeType(),
                change.recordId(),
                change.version());
    }
}
