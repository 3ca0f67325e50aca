package io.sfcache.monitoring;

import java.util.Map;

/**
 * The labels of an object's fields as the describes showed them, kept after a field goes: a field renamed keeps its
 * label, so a contract field that disappears while an unknown field with its label appears is a rename, not a removal.
 */
public interface FieldLabels {

    /** The labels known for the object (field name to label); empty when none were seen. */
    Map<String, String> known(String sobject);

    /** Adds what a describe showed to what is known. */
    void remember(String sobject, Map<String, String> labels);
}
