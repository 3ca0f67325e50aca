package io.sfcache.standin.salesforce;

import java.util.List;

/**
 * One field of an sObject as describe shows it.
 *
 * @param name API name, e.g. {@code BillingCity}
 * @param type the field's type
 * @param length maximum length of text values (0 for other types)
 * @param nillable whether it may be null (contract fields outside {@code required} whose JSON type allows null)
 * @param picklistValues active values of a picklist, empty otherwise
 * @param referenceTo target objects of a reference, empty otherwise
 * @param system a field Salesforce maintains (Id, IsDeleted, CreatedDate, ...), not writable through the test API
 * @param compound the compound field it belongs to in change events ({@code BillingAddress}), or null
 * @param compoundPart its name inside that compound ({@code City}), or null
 */
public record FieldDef(
        String name,
        FieldType type,
        int length,
        boolean nillable,
        List<String> picklistValues,
        List<String> referenceTo,
        boolean system,
        String compound,
        String compoundPart) {

    public FieldDef {
        picklistValues = List.copyOf(picklistValues);
        referenceTo = List.copyOf(referenceTo);
    }

    static FieldDef system(String name, FieldType type, List<String> referenceTo) {
        return new FieldDef(
                name, type, type.isText() ? type.defaultLength() : 0, false, List.of(), referenceTo, true, null, null);
    }

    FieldDef withType(FieldType newType) {
        int newLength = newType.isText() ? (type.isText() && length > 0 ? length : newType.defaultLength()) : 0;
        List<String> values = newType == FieldType.PICKLIST ? picklistValues : List.of();
        List<String> targets = newType == FieldType.REFERENCE ? referenceTo : List.of();
        return new FieldDef(name, newType, newLength, nillable, values, targets, system, compound, compoundPart);
    }

    /** Checks and converts a value a test writes into this field. */
    Object accept(String sobject, Object value) {
        Object converted = type.coerce(value);
        if (converted == null && !nillable) {
            throw new IllegalArgumentException(sobject + "." + name + " is required (not nillable)");
        }
        if (converted instanceof String text && length > 0 && text.length() > length) {
            // what the API answers with STRING_TOO_LONG
            throw new IllegalArgumentException(sobject + "." + name + ": data value too large (max length=" + length
                    + "): " + text.length() + " characters");
        }
        return converted;
    }
}
