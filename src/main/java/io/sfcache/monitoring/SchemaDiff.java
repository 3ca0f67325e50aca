package io.sfcache.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.contracts.DataContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an object's Salesforce describe says differently from its data contract: contract fields removed, renamed,
 * of another type, of another length, with other picklist values, and required fields the contract does not know.
 * Fields outside the contract are otherwise none of its business: contracts monitor a subset on purpose.
 */
public final class SchemaDiff {

    private SchemaDiff() {}

    /**
     * @param describe    the describe JSON ({@code fields[]} with name, type, length, picklistValues, nillable,
     *                    createable, defaultedOnCreate, label)
     * @param knownLabels labels of fields as an earlier describe showed them (a rename keeps the label but the
     *                    contract holds none); empty when there was none
     * @return one finding per changed contract field, in contract order, then new required fields
     */
    public static List<DriftFinding> between(
            DataContract contract, JsonNode describe, Map<String, String> knownLabels) {
        String sobject = contract.sobject();
        Map<String, JsonNode> described = new LinkedHashMap<>();
        describe.path("fields").forEach(f -> described.put(key(f.path("name").asText()), f));
        Set<String> outside = new LinkedHashSet<>();
        described.values().forEach(f -> {
            if (!declared(contract, f.path("name").asText())) {
                outside.add(f.path("name").asText());
            }
        });

        List<DriftFinding> findings = new ArrayList<>();
        for (DataContract.Field field : contract.fields().values()) {
            JsonNode now = described.get(key(field.name()));
            if (now == null) {
                findings.add(gone(sobject, field.name(), knownLabels.get(field.name()), outside, described));
                continue;
            }
            String type = now.path("type").asText();
            if (field.salesforceType() != null && !field.salesforceType().equalsIgnoreCase(type)) {
                // A new type brings its own length and values: the type is the change to report.
                findings.add(new DriftFinding(
                        sobject,
                        field.name(),
                        DriftFinding.Kind.TYPE_CHANGED,
                        field.salesforceType(),
                        type,
                        sobject + "." + field.name() + ": type " + field.salesforceType() + " -> " + type));
                continue;
            }
            int length = now.path("length").asInt(0);
            if (field.maxLength() != null && length > 0 && length != field.maxLength()) {
                findings.add(new DriftFinding(
                        sobject,
                        field.name(),
                        DriftFinding.Kind.LENGTH_CHANGED,
                        String.valueOf(field.maxLength()),
                        String.valueOf(length),
                        sobject + "." + field.name() + ": length " + field.maxLength() + " -> " + length));
            }
            if (!field.picklistValues().isEmpty() && now.has("picklistValues")) {
                picklist(sobject, field, now).ifPresent(findings::add);
            }
        }
        for (String name : outside) {
            JsonNode f = described.get(key(name));
            boolean renamedTarget =
                    findings.stream().anyMatch(d -> d.kind() == DriftFinding.Kind.RENAMED && name.equals(d.actual()));
            if (!renamedTarget && requiredOnInsert(f)) {
                findings.add(new DriftFinding(
                        sobject,
                        name,
                        DriftFinding.Kind.NEW_REQUIRED,
                        null,
                        null,
                        sobject + "." + name + ": new required field"));
            }
        }
        return findings;
    }

    private static DriftFinding gone(
            String sobject, String field, String label, Set<String> outside, Map<String, JsonNode> described) {
        if (label != null) {
            for (String candidate : outside) {
                if (label.equalsIgnoreCase(
                        described.get(key(candidate)).path("label").asText())) {
                    return new DriftFinding(
                            sobject,
                            field,
                            DriftFinding.Kind.RENAMED,
                            field,
                            candidate,
                            sobject + "." + field + ": renamed to " + candidate + " (label " + label + ")");
                }
            }
        }
        return new DriftFinding(
                sobject, field, DriftFinding.Kind.REMOVED, field, null, sobject + "." + field + ": removed");
    }

    /**
     * The picklist values a described field offers (its active ones) against the contract's {@code enum}.
     *
     * @param added   active in the describe, not in the contract, in describe order
     * @param removed in the contract, not active in the describe, in contract order
     */
    public record PicklistChange(List<String> added, List<String> removed) {}

    /** The picklist comparison behind {@link DriftFinding.Kind#PICKLIST_CHANGED}, for who needs the values as lists. */
    public static PicklistChange picklistChange(DataContract.Field field, JsonNode described) {
        Set<String> active = new LinkedHashSet<>();
        described.path("picklistValues").forEach(v -> {
            if (v.path("active").asBoolean(true)) {
                active.add(v.path("value").asText());
            }
        });
        List<String> added =
                active.stream().filter(v -> !field.picklistValues().contains(v)).toList();
        List<String> removed =
                field.picklistValues().stream().filter(v -> !active.contains(v)).toList();
        return new PicklistChange(added, removed);
    }

    private static java.util.Optional<DriftFinding> picklist(String sobject, DataContract.Field field, JsonNode now) {
        PicklistChange change = picklistChange(field, now);
        List<String> added = change.added();
        List<String> removed = change.removed();
        if (added.isEmpty() && removed.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added " + added);
        }
        if (!removed.isEmpty()) {
            parts.add("removed " + removed);
        }
        return java.util.Optional.of(new DriftFinding(
                sobject,
                field.name(),
                DriftFinding.Kind.PICKLIST_CHANGED,
                removed.isEmpty() ? null : String.join(", ", removed),
                added.isEmpty() ? null : String.join(", ", added),
                sobject + "." + field.name() + ": picklist values " + String.join(", ", parts)));
    }

    /** Must be given on insert: not nillable, no default, and writable (system fields are not). */
    private static boolean requiredOnInsert(JsonNode field) {
        return field.path("createable").asBoolean(false)
                && !field.path("nillable").asBoolean(true)
                && !field.path("defaultedOnCreate").asBoolean(false)
                && !field.path("calculated").asBoolean(false);
    }

    private static boolean declared(DataContract contract, String name) {
        return contract.fields().keySet().stream().anyMatch(n -> n.equalsIgnoreCase(name));
    }

    /** API names are case-insensitive in Salesforce. */
    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
