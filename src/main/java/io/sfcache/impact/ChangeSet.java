package io.sfcache.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

/**
 * What a Salesforce change would deploy, per object: the fields it defines (from an SFDX source folder or a Metadata
 * API retrieve), the fields and objects it deletes (a {@code destructiveChanges.xml} manifest), or the whole object
 * as a sandbox's describe shows it. Object and field names are compared ignoring case, as Salesforce does.
 *
 * <p>A source folder is partial on purpose (a pull request holds the files it changes): a field without a file in it
 * is unchanged, never removed. Only a destructive-changes manifest removes fields. A describe is the whole object: a
 * contract field missing from it is removed.
 */
final class ChangeSet {

    /** Standard value sets (API 38.0+) and the standard picklist fields they hold the values of. */
    static final Map<String, List<String>> STANDARD_VALUE_SETS = Map.ofEntries(
            Map.entry("AccountOwnership", List.of("Account.Ownership")),
            Map.entry("AccountRating", List.of("Account.Rating", "Lead.Rating")),
            Map.entry("AccountType", List.of("Account.Type")),
            Map.entry("CaseOrigin", List.of("Case.Origin")),
            Map.entry("CasePriority", List.of("Case.Priority")),
            Map.entry("CaseReason", List.of("Case.Reason")),
            Map.entry("CaseStatus", List.of("Case.Status")),
            Map.entry("CaseType", List.of("Case.Type")),
            Map.entry("Industry", List.of("Account.Industry", "Lead.Industry")),
            Map.entry(
                    "LeadSource",
                    List.of(
                            "Account.AccountSource",
                            "Contact.LeadSource",
                            "Lead.LeadSource",
                            "Opportunity.LeadSource")),
            Map.entry("LeadStatus", List.of("Lead.Status")),
            Map.entry("OpportunityStage", List.of("Opportunity.StageName")),
            Map.entry("OpportunityType", List.of("Opportunity.Type")),
            Map.entry("Salutation", List.of("Contact.Salutation", "Lead.Salutation")));

    /** One object's part of the change. */
    static final class ObjectChange {
        final String sobject;
        /** Fields the change defines, by lower-case name: describe keys (see {@link MetadataFields}). */
        final Map<String, ObjectNode> fields = new LinkedHashMap<>();
        /** Fields the change deletes, lower-case. */
        final Set<String> removed = new LinkedHashSet<>();

        boolean objectRemoved;
        /**
         * Only a standard value set touches it (Industry also holds Lead.Industry's values): not worth naming as an
         * object sfcache does not monitor.
         */
        boolean onlyThroughValueSets = true;
        /** The whole object's describe, when one was given instead of metadata. */
        JsonNode describe;

        ObjectChange(String sobject) {
            this.sobject = sobject;
        }

        /** The names (as the change spells them) of every field it defines or deletes. */
        List<String> fieldNames() {
            List<String> names = new ArrayList<>();
            fields.values().forEach(f -> names.add(f.path("name").asText()));
            names.addAll(removedNames);
            return names;
        }

        private final List<String> removedNames = new ArrayList<>();

        void remove(String field) {
            if (removed.add(key(field))) {
                removedNames.add(field);
            }
        }
    }

    private final Map<String, ObjectChange> objects = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** Field labels before the change (the baseline): how a rename is recognised. */
    private final Map<String, Map<String, String>> labels = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    private final ObjectMapper json;

    ChangeSet(ObjectMapper json) {
        this.json = json;
    }

    Map<String, ObjectChange> objects() {
        return objects;
    }

    Map<String, String> labels(String sobject) {
        return labels.getOrDefault(sobject, Map.of());
    }

    // ---- reading ----

    /** An SFDX source folder or a Metadata API retrieve (unzipped), and its destructive changes at the top. */
    void readSource(Path root) throws IOException {
        Metadata metadata = Metadata.read(root);
        metadata.fields.forEach((sobject, fields) -> fields.forEach(
                f -> touched(sobject).fields.put(key(f.path("name").asText()), f)));
        metadata.standardValueSets.forEach((name, values) -> {
            for (String objectField : STANDARD_VALUE_SETS.getOrDefault(name, List.of())) {
                String[] parts = objectField.split("\\.");
                ObjectNode field = object(parts[0])
                        .fields
                        .computeIfAbsent(
                                key(parts[1]),
                                k -> JsonNodeFactory.instance.objectNode().put("name", parts[1]));
                field.set("picklistValues", MetadataFields.picklistValues(values));
            }
        });
        for (String manifest :
                List.of("destructiveChanges.xml", "destructiveChangesPre.xml", "destructiveChangesPost.xml")) {
            if (Files.isRegularFile(root.resolve(manifest))) {
                readDestructiveChanges(root.resolve(manifest));
            }
        }
    }

    /** A package manifest whose CustomField and CustomObject members are deleted. */
    void readDestructiveChanges(Path manifest) throws IOException {
        Element root = parse(manifest).getDocumentElement();
        for (Element types : MetadataFields.children(root, "types")) {
            String type = MetadataFields.text(types, "name");
            for (Element member : MetadataFields.children(types, "members")) {
                String name = member.getTextContent().trim();
                if ("CustomField".equals(type) && name.contains(".")) {
                    int dot = name.indexOf('.');
                    touched(name.substring(0, dot)).remove(name.substring(dot + 1));
                } else if ("CustomObject".equals(type)) {
                    touched(name).objectRemoved = true;
                }
            }
        }
    }

    /**
     * One object's describe, as {@code GET /services/data/vXX.X/sobjects/<Object>/describe} or
     * {@code sf sobject describe --sobject <Object> --json} (which wraps it in {@code result}) prints it.
     */
    void readDescribe(Path file) throws IOException {
        JsonNode describe = json.readTree(file.toFile());
        if (describe.has("result") && describe.path("result").has("fields")) {
            describe = describe.get("result");
        }
        String sobject = describe.path("name").asText(null);
        if (sobject == null || !describe.path("fields").isArray()) {
            throw new IllegalArgumentException(file + " is not an sObject describe (no name and fields)");
        }
        ObjectChange change = touched(sobject);
        if (change.describe != null || !change.fields.isEmpty()) {
            throw new IllegalArgumentException(
                    sobject + " is given twice (" + file + "): give one describe, or metadata, per object");
        }
        change.describe = describe;
    }

    /** The metadata or describes as deployed now: only their field labels are used, to recognise a rename. */
    void readBaseline(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Metadata.read(path)
                    .fields
                    .forEach((sobject, fields) -> fields.forEach(f -> {
                        if (f.hasNonNull("label")) {
                            labels.computeIfAbsent(sobject, s -> new LinkedHashMap<>())
                                    .put(f.path("name").asText(), f.get("label").asText());
                        }
                    }));
        } else {
            JsonNode describe = json.readTree(path.toFile());
            if (describe.has("result")) {
                describe = describe.get("result");
            }
            String sobject = describe.path("name").asText();
            describe.path("fields")
                    .forEach(f -> labels.computeIfAbsent(sobject, s -> new LinkedHashMap<>())
                            .put(f.path("name").asText(), f.path("label").asText()));
        }
    }

    private ObjectChange object(String sobject) {
        return objects.computeIfAbsent(sobject, ObjectChange::new);
    }

    /** An object the change names itself (a field file, a deletion, a describe). */
    private ObjectChange touched(String sobject) {
        ObjectChange change = object(sobject);
        change.onlyThroughValueSets = false;
        return change;
    }

    // ---- the describe sfcache would see ----

    /**
     * The object's describe once the change is deployed, as far as the contract is concerned: the given describe; or
     * the contract's fields as the contract has them (unchanged), with the change's fields laid over them and its
     * deleted fields left out, plus the change's fields outside the contract.
     */
    static JsonNode proposedDescribe(ObjectChange change, DataContract contract) {
        if (change.describe != null) {
            return change.describe;
        }
        ObjectNode describe = JsonNodeFactory.instance.objectNode();
        describe.put("name", contract.sobject());
        ArrayNode fields = describe.putArray("fields");
        if (change.objectRemoved) {
            return describe;
        }
        Set<String> declared = new LinkedHashSet<>();
        for (DataContract.Field field : contract.fields().values()) {
            declared.add(key(field.name()));
            if (change.removed.contains(key(field.name()))) {
                continue;
            }
            ObjectNode described = asContractSays(field);
            ObjectNode changed = change.fields.get(key(field.name()));
            if (changed != null) {
                described.setAll(changed.deepCopy().put("name", field.name()));
            }
            fields.add(described);
        }
        change.fields.forEach((name, field) -> {
            if (!declared.contains(name) && !change.removed.contains(name)) {
                fields.add(field);
            }
        });
        return describe;
    }

    /** A contract field as a describe would show it if nothing changed. */
    private static ObjectNode asContractSays(DataContract.Field field) {
        ObjectNode described = JsonNodeFactory.instance.objectNode();
        described.put("name", field.name());
        if (field.salesforceType() != null) {
            described.put("type", field.salesforceType());
        }
        described.put("length", field.maxLength() == null ? 0 : field.maxLength());
        described.put("nillable", !field.required());
        described.put("createable", true);
        described.put("defaultedOnCreate", false);
        described.put("calculated", false);
        if (!field.picklistValues().isEmpty()) {
            ArrayNode values = described.putArray("picklistValues");
            field.picklistValues()
                    .forEach(v -> values.addObject()
                            .put("active", true)
                            .put("label", v)
                            .put("value", v));
        }
        return described;
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    // ---- metadata files ----

    /** The metadata files of one folder: fields per object, and value sets. */
    private static final class Metadata {
        final Map<String, List<ObjectNode>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final Map<String, List<MetadataFields.PicklistValue>> standardValueSets = new TreeMap<>();
        final Map<String, List<MetadataFields.PicklistValue>> globalValueSets = new TreeMap<>();

        static Metadata read(Path root) throws IOException {
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException(root + " is not a folder");
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            Metadata metadata = new Metadata();
            // value sets first: fields refer to global ones by name
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".standardValueSet-meta.xml") || name.endsWith(".standardValueSet")) {
                    metadata.standardValueSets.put(
                            baseName(name), MetadataFields.values(parse(file).getDocumentElement(), "standardValue"));
                } else if (name.endsWith(".globalValueSet-meta.xml") || name.endsWith(".globalValueSet")) {
                    Element set = parse(file).getDocumentElement();
                    Element definition = MetadataFields.child(set, "valueSetDefinition");
                    metadata.globalValueSets.put(
                            baseName(name),
                            MetadataFields.values(definition != null ? definition : set, "customValue"));
                }
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                Path parent = file.getParent();
                if (name.endsWith(".field-meta.xml")
                        && parent.getFileName().toString().equals("fields")
                        && parent.getParent() != null) {
                    // SFDX source: objects/<Object>/fields/<Field>.field-meta.xml
                    String sobject = parent.getParent().getFileName().toString();
                    metadata.add(sobject, parse(file).getDocumentElement(), baseName(name));
                } else if (name.endsWith(".object-meta.xml") || name.endsWith(".object")) {
                    // Metadata API format (objects/<Object>.object) keeps fields inside the object
                    String sobject = baseName(name);
                    for (Element field : MetadataFields.children(parse(file).getDocumentElement(), "fields")) {
                        metadata.add(sobject, field, MetadataFields.text(field, "fullName"));
                    }
                }
            }
            return metadata;
        }

        private void add(String sobject, Element field, String name) {
            if (name == null) {
                return;
            }
            fields.computeIfAbsent(sobject, s -> new ArrayList<>())
                    .add(MetadataFields.describe(field, name, globalValueSets));
        }

        private static String baseName(String fileName) {
            return fileName.substring(0, fileName.indexOf('.'));
        }
    }

    private static org.w3c.dom.Document parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return builder().parse(in);
        } catch (SAXException e) {
            throw new IllegalArgumentException(file + " is not well-formed XML: " + e.getMessage(), e);
        }
    }

    /** Metadata needs no DTDs or external entities, so none are read. */
    private static DocumentBuilder builder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
