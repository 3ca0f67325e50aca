package io.sfcache.impact;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A Metadata API {@code CustomField} (an SFDX {@code *.field-meta.xml}, or a {@code <fields>} element of an
 * {@code *.object} file) as the describe shows the field once deployed: the keys {@code SchemaDiff} reads, in
 * describe's spelling.
 *
 * <p>Types, from the Metadata API's "Metadata Field Types" (FieldType) to the SOAP/REST describe's field types
 * (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_field_types.htm and the SOAP API's
 * "Field" of DescribeSObjectResult): a Number custom field "is internally represented as a field of type double",
 * whatever its scale, so it is {@code double} in describe too; Lookup and MasterDetail are {@code reference};
 * LongTextArea and Html (rich text) are {@code textarea}; a formula field has its result type and is calculated.
 * Lengths that metadata leaves out are describe's fixed ones: TextArea 255, Email 80, Phone 40, Url 255, Picklist 255,
 * MultiselectPicklist 4099.
 *
 * <p>A standard field's type and length cannot be changed in Salesforce, and its source file usually carries neither
 * (its values live in a StandardValueSet): for standard fields only picklist values are read.
 */
final class MetadataFields {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Metadata FieldType -> describe type; a type not here is compared as its lower-case name. */
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("AutoNumber", "string"),
            Map.entry("Checkbox", "boolean"),
            Map.entry("Currency", "currency"),
            Map.entry("Date", "date"),
            Map.entry("DateTime", "datetime"),
            Map.entry("Email", "email"),
            Map.entry("EncryptedText", "encryptedstring"),
            Map.entry("ExternalLookup", "reference"),
            Map.entry("Geolocation", "location"),
            Map.entry("Hierarchy", "reference"),
            Map.entry("Html", "textarea"),
            Map.entry("IndirectLookup", "reference"),
            Map.entry("Lookup", "reference"),
            Map.entry("LongTextArea", "textarea"),
            Map.entry("MasterDetail", "reference"),
            Map.entry("MetadataRelationship", "string"),
            Map.entry("MultiselectPicklist", "multipicklist"),
            Map.entry("Number", "double"),
            Map.entry("Percent", "percent"),
            Map.entry("Phone", "phone"),
            Map.entry("Picklist", "picklist"),
            Map.entry("Text", "string"),
            Map.entry("TextArea", "textarea"),
            Map.entry("Time", "time"),
            Map.entry("Url", "url"));

    private static final Map<String, Integer> FIXED_LENGTHS =
            Map.of("TextArea", 255, "Email", 80, "Phone", 40, "Url", 255, "Picklist", 255, "MultiselectPicklist", 4099);

    /** Metadata URL-encodes some characters of picklist API names ({@code Food %26 Beverage}). */
    private static final Pattern ENCODED = Pattern.compile("%[0-9A-Fa-f]{2}");

    private MetadataFields() {}

    /** Custom fields end in {@code __c} (or another {@code __} suffix); the rest are Salesforce's own. */
    static boolean isStandard(String field) {
        return !field.contains("__");
    }

    /**
     * @param field      the CustomField element
     * @param name       the field's API name
     * @param valueSets  global value sets by name, for a picklist that names one ({@code <valueSetName>})
     * @return describe keys; {@code type} and {@code length} only where the metadata fixes them, and
     *         {@code picklistValues} only where it lists them (absent keys mean "as before")
     */
    static ObjectNode describe(Element field, String name, Map<String, List<PicklistValue>> valueSets) {
        ObjectNode described = JSON.objectNode();
        described.put("name", name);
        String label = text(field, "label");
        if (label != null) {
            described.put("label", label);
        }
        String metadataType = text(field, "type");
        boolean standard = isStandard(name);
        if (!standard && metadataType != null) {
            boolean formula = text(field, "formula") != null || "Summary".equals(metadataType);
            String type = TYPES.getOrDefault(metadataType, metadataType.toLowerCase(Locale.ROOT));
            described.put("type", type);
            described.put("length", length(field, metadataType));
            boolean required = "true".equals(text(field, "required")) || "MasterDetail".equals(metadataType);
            boolean defaulted = text(field, "defaultValue") != null || "Checkbox".equals(metadataType);
            described.put("nillable", !required && !"Checkbox".equals(metadataType));
            described.put("createable", !formula && !"AutoNumber".equals(metadataType));
            described.put("defaultedOnCreate", defaulted || "AutoNumber".equals(metadataType));
            described.put("calculated", formula);
            described.put("custom", true);
            String referenceTo = text(field, "referenceTo");
            if (referenceTo != null) {
                described.putArray("referenceTo").add(referenceTo);
            }
        }
        List<PicklistValue> values = picklist(field, valueSets);
        if (values != null) {
            described.set("picklistValues", picklistValues(values));
        }
        return described;
    }

    /** One picklist value as metadata lists it: its API name (fullName), label, and whether it can be chosen. */
    record PicklistValue(String value, String label, boolean active) {}

    /** {@code <value>}, {@code <standardValue>} or {@code <customValue>} elements. */
    static List<PicklistValue> values(Element parent, String elementName) {
        List<PicklistValue> values = new ArrayList<>();
        for (Element value : children(parent, elementName)) {
            String fullName = decode(text(value, "fullName"));
            String label = text(value, "label");
            values.add(new PicklistValue(
                    fullName, label == null ? fullName : label, !"false".equals(text(value, "isActive"))));
        }
        return values;
    }

    static ArrayNode picklistValues(List<PicklistValue> values) {
        ArrayNode array = JSON.arrayNode();
        values.forEach(v -> array.addObject()
                .put("active", v.active())
                .put("label", v.label())
                .put("value", v.value()));
        return array;
    }

    private static List<PicklistValue> picklist(Element field, Map<String, List<PicklistValue>> valueSets) {
        Element valueSet = child(field, "valueSet");
        if (valueSet == null) {
            return null;
        }
        Element definition = child(valueSet, "valueSetDefinition");
        if (definition != null) {
            return values(definition, "value");
        }
        String global = text(valueSet, "valueSetName");
        return global == null ? null : valueSets.get(global); // not in the change set: unknown, as before
    }

    private static int length(Element field, String metadataType) {
        String length = text(field, "length");
        if (length != null && !"Number".equals(metadataType) && !"Currency".equals(metadataType)) {
            return Integer.parseInt(length.trim());
        }
        return FIXED_LENGTHS.getOrDefault(metadataType, 0);
    }

    private static String decode(String value) {
        return value != null && ENCODED.matcher(value).find()
                ? URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8)
                : value;
    }

    static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(localName(e))) {
                found.add(e);
            }
        }
        return found;
    }

    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    static String localName(Element e) {
        return e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    }
}
