package io.sfcache.monitoring;

/**
 * One difference between an object's Salesforce describe and its data contract.
 *
 * @param field    the contract's field, or for {@link Kind#NEW_REQUIRED} the new one
 * @param expected what the contract says (type, length, the removed picklist values), or null
 * @param actual   what Salesforce says now (type, length, the added values, the new name), or null
 * @param message  the exact change, e.g. {@code Account.AnnualRevenue: type currency -> string}
 */
public record DriftFinding(String sobject, String field, Kind kind, String expected, String actual, String message) {

    public enum Kind {
        /** A contract field is gone from the describe. */
        REMOVED,
        /** A contract field is gone and a field outside the contract carries its label: the same field renamed. */
        RENAMED,
        /** The describe's type is not the contract's {@code x-salesforce-type}. */
        TYPE_CHANGED,
        /** The describe's length is not the contract's {@code maxLength}. */
        LENGTH_CHANGED,
        /** The describe's active picklist values are not the contract's {@code enum}. */
        PICKLIST_CHANGED,
        /** A field outside the contract that every insert must fill: the publisher cannot know it. */
        NEW_REQUIRED
    }

    @Override
    public String toString() {
        return message;
    }
}
