package io.sfcache.standin.salesforce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /sobjects/<Object>/describe/}: the object's flags and URLs and its fields with the attributes
 * clients read (name, label, type, soapType, length, precision/scale/digits, nillable, createable/updateable,
 * picklistValues, referenceTo, relationshipName, compoundFieldName, ...). Compound fields themselves
 * ({@code BillingAddress}) are not listed; their parts carry {@code compoundFieldName}.
 */
final class DescribeDocument {

    private DescribeDocument() {}

    static Map<String, Object> of(SObjectDef def, String versionPath) {
        String sobjectUrl = versionPath + "/sobjects/" + def.name();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("activateable", false);
        doc.put("createable", true);
        doc.put("custom", false);
        doc.put("customSetting", false);
        doc.put("deletable", true);
        doc.put("deprecatedAndHidden", false);
        doc.put("feedEnabled", true);
        doc.put("keyPrefix", def.keyPrefix());
        doc.put("label", label(def.name()));
        doc.put(
                "labelPlural",
                def.name().endsWith("y") ? label(def.name()).replaceAll("y$", "ies") : label(def.name()) + "s");
        doc.put("layoutable", true);
        doc.put("mergeable", !def.name().equals("Opportunity"));
        doc.put("name", def.name());
        doc.put("queryable", true);
        doc.put("replicateable", true);
        doc.put("retrieveable", true);
        doc.put("searchable", true);
        doc.put("triggerable", true);
        doc.put("undeletable", true);
        doc.put("updateable", true);
        doc.put("childRelationships", List.of());
        doc.put("recordTypeInfos", List.of());
        List<Map<String, Object>> fields = new ArrayList<>();
        def.fields().forEach(f -> fields.add(field(f)));
        doc.put("fields", fields);
        Map<String, Object> urls = new LinkedHashMap<>();
        urls.put("sobject", sobjectUrl);
        urls.put("describe", sobjectUrl + "/describe");
        urls.put("rowTemplate", sobjectUrl + "/{ID}");
        doc.put("urls", urls);
        return doc;
    }

    private static Map<String, Object> field(FieldDef f) {
        FieldType type = f.type();
        boolean writable = !f.system();
        Map<String, Object> field = new LinkedHashMap<>();
        field.put("autoNumber", false);
        field.put("byteLength", type.isText() ? f.length() * 3 : 0);
        field.put("calculated", false);
        field.put("caseSensitive", false);
        field.put("compoundFieldName", f.compound());
        field.put("createable", writable);
        field.put("custom", false);
        field.put("defaultedOnCreate", f.system() || f.name().equals("OwnerId") || type == FieldType.BOOLEAN);
        field.put("digits", type == FieldType.INT ? 9 : 0);
        field.put("externalId", false);
        field.put("filterable", true);
        field.put(
                "groupable",
                type != FieldType.DOUBLE
                        && type != FieldType.CURRENCY
                        && type != FieldType.PERCENT
                        && type != FieldType.DATETIME
                        && type != FieldType.TEXTAREA);
        field.put("idLookup", type == FieldType.ID);
        field.put("label", label(f.name()));
        field.put("length", type.isText() ? f.length() : 0);
        field.put("name", f.name());
        field.put("nameField", f.name().equals("Name"));
        field.put("nillable", f.nillable());
        field.put("picklistValues", picklist(f));
        field.put(
                "precision",
                switch (type) {
                    case CURRENCY, DOUBLE -> 18;
                    case PERCENT -> 3;
                    default -> 0;
                });
        field.put("referenceTo", f.referenceTo());
        field.put("relationshipName", type == FieldType.REFERENCE ? f.name().replaceAll("Id$", "") : null);
        field.put("restrictedPicklist", false);
        field.put("scale", type == FieldType.CURRENCY ? 2 : 0);
        field.put("soapType", type.soapType());
        field.put("sortable", type != FieldType.TEXTAREA);
        field.put("type", type.apiName());
        field.put("unique", false);
        field.put("updateable", writable);
        return field;
    }

    private static List<Map<String, Object>> picklist(FieldDef f) {
        List<Map<String, Object>> values = new ArrayList<>();
        for (String value : f.picklistValues()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("active", true);
            entry.put("defaultValue", false);
            entry.put("label", value);
            entry.put("validFor", null);
            entry.put("value", value);
            values.add(entry);
        }
        return values;
    }

    /** {@code AnnualRevenue} → {@code Annual Revenue}; {@code OwnerId} → {@code Owner ID}. */
    private static String label(String apiName) {
        String words = apiName.replaceAll("Id$", "ID").replaceAll("([a-z])([A-Z])", "$1 $2");
        return words.equals("ID") ? "Record ID" : words;
    }
}
