package io.sfcache.standin.salesforce;

import java.util.List;
import java.util.Map;

/**
 * Changes made in one Salesforce transaction: their change events share a {@code transactionKey}, a
 * {@code commitTimestamp} and a {@code commitNumber}, and count up {@code sequenceNumber} from 1 in the order made.
 * Values follow {@link FieldType}'s in-memory forms (or strings they parse from); a null value clears a field.
 */
public interface OrgTransaction {

    /** Creates a record and returns its 18-character id; {@code OwnerId} defaults to the integration user. */
    String create(String sobject, Map<String, ?> fields);

    /** Changes fields of one record; fields set to null appear in {@code nulledFields}. */
    void update(String sobject, String id, Map<String, ?> changes);

    /** The same changes to several records: one change event naming every record id. */
    void updateMany(String sobject, List<String> ids, Map<String, ?> changes);

    /** Moves the record to the recycle bin ({@code IsDeleted} true; still visible to {@code queryAll}). */
    void delete(String sobject, String id);

    /** Restores a deleted record. */
    void undelete(String sobject, String id);
}
