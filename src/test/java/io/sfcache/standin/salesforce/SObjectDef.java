package io.sfcache.standin.salesforce;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An sObject's definition at one moment: its fields in describe order and when its describe last changed.
 * Immutable: {@link ObjectCatalog} swaps in a new one when a field changes type or goes away.
 */
public record SObjectDef(String name, String keyPrefix, List<FieldDef> fields, Instant lastModified) {

    public SObjectDef {
        fields = List.copyOf(fields);
    }

    /** The field with this API name, case-insensitive as in SOQL. */
    public Optional<FieldDef> field(String fieldName) {
        String lower = fieldName.toLowerCase(Locale.ROOT);
        return fields.stream()
                .filter(f -> f.name().toLowerCase(Locale.ROOT).equals(lower))
                .findFirst();
    }

    FieldDef requireField(String fieldName) {
        return field(fieldName)
                .orElseThrow(() ->
                        new IllegalArgumentException("No such column '" + fieldName + "' on entity '" + name + "'"));
    }

    /** The fields tests may write: everything but the system fields. */
    List<FieldDef> dataFields() {
        return fields.stream().filter(f -> !f.system()).toList();
    }

    SObjectDef withField(FieldDef replacement, Instant changedAt) {
        List<FieldDef> next = new ArrayList<>();
        for (FieldDef f : fields) {
            next.add(f.name().equals(replacement.name()) ? replacement : f);
        }
        return new SObjectDef(name, keyPrefix, next, changedAt);
    }

    SObjectDef withoutField(String fieldName, Instant changedAt) {
        return new SObjectDef(
                name,
                keyPrefix,
                fields.stream().filter(f -> !f.name().equals(fieldName)).toList(),
                changedAt);
    }
}
