package io.sfcache.impact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sfcache.monitoring.DriftFinding;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Salesforce change would do to sfcache, per monitored object and field, as text for people and JSON for
 * tools, and the exit code for CI.
 */
record ImpactReport(
        List<String> inputs,
        String contracts,
        String counts,
        boolean partial,
        List<ObjectImpact> objects,
        List<String> notMonitored) {

    /** In rising order of severity. */
    enum Verdict {
        SAFE("SAFE", 0),
        NEEDS_CONTRACT_UPDATE("CONTRACT UPDATE", 1),
        BREAKS("BREAKS", 2);

        final String label;
        final int exitCode;

        Verdict(String label, int exitCode) {
            this.label = label;
            this.exitCode = exitCode;
        }
    }

    /**
     * @param kind            the drift detector's finding, or null for a safe field
     * @param message         the finding as the drift detector logs it, or what makes the field safe
     * @param detail          what the cache says about it (counts) and what to do, or null
     * @param affectedRecords cached records the change touches: holding a value (type change, removal, rename),
     *                        longer than the new length, or using a removed picklist value; null where it does not
     *                        apply or the counts are unknown
     * @param affectedByValue for removed picklist values: cached records per value, when known
     */
    record FieldImpact(
            String field,
            Verdict verdict,
            DriftFinding.Kind kind,
            String message,
            String detail,
            Long affectedRecords,
            Map<String, Long> affectedByValue) {}

    /** @param input "change set" (metadata) or "describe" (the whole object) */
    record ObjectImpact(String sobject, String contract, String input, List<FieldImpact> fields) {}

    Verdict result() {
        return objects.stream()
                .flatMap(o -> o.fields().stream())
                .map(FieldImpact::verdict)
                .max(Comparator.naturalOrder())
                .orElse(Verdict.SAFE);
    }

    int exitCode() {
        return result().exitCode;
    }

    private Map<Verdict, Integer> tally() {
        Map<Verdict, Integer> tally = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            tally.put(v, 0);
        }
        objects.forEach(o -> o.fields().forEach(f -> tally.merge(f.verdict(), 1, Integer::sum)));
        return tally;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append("sfcache impact check\n");
        out.append("  change:    ").append(String.join(", ", inputs)).append('\n');
        out.append("  contracts: ").append(contracts).append('\n');
        out.append("  counts:    ")
                .append(
                        counts != null
                                ? "cached records in " + counts
                                : "unknown (no --sfcache-url): a shorter length or a removed picklist value is "
                                        + "reported as breaking")
                .append('\n');
        if (partial) {
            out.append("  compared:  the fields in the change set; fields it leaves out are taken as unchanged\n");
        }
        for (ObjectImpact object : objects) {
            out.append('\n')
                    .append(object.sobject())
                    .append(" (contract ")
                    .append(object.contract())
                    .append(")\n");
            for (FieldImpact field : object.fields()) {
                out.append(String.format("  %-16s%s%n", field.verdict().label, field.message()));
                if (field.detail() != null) {
                    out.append(String.format("  %-16s%s%n", "", field.detail()));
                }
            }
        }
        if (objects.isEmpty()) {
            out.append("\nNo object sfcache monitors is in the change.\n");
        }
        if (!notMonitored.isEmpty()) {
            out.append("\nNot monitored by sfcache (not checked): ")
                    .append(String.join(", ", notMonitored))
                    .append('\n');
        }
        Map<Verdict, Integer> tally = tally();
        out.append(String.format(
                "%nResult: %s (exit code %d): %d break(s), %d need(s) a contract update, %d safe%n",
                result().label,
                exitCode(),
                tally.get(Verdict.BREAKS),
                tally.get(Verdict.NEEDS_CONTRACT_UPDATE),
                tally.get(Verdict.SAFE)));
        switch (result()) {
            case BREAKS ->
                out.append("Do not deploy this as it is: agree the change with the sfcache integration team first.\n");
            case NEEDS_CONTRACT_UPDATE ->
                out.append("Deploy after the sfcache integration team has updated the contract(s) named above.\n");
            case SAFE -> {
                // nothing to add
            }
        }
        return out.toString();
    }

    String json(ObjectMapper mapper) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("result", result().name());
        root.put("exitCode", exitCode());
        root.put("inputs", inputs);
        root.put("contracts", contracts);
        root.put("counts", counts);
        root.put("onlyChangedFieldsCompared", partial);
        Map<String, Integer> summary = new LinkedHashMap<>();
        tally().forEach((verdict, n) -> summary.put(verdict.name(), n));
        root.put("summary", summary);
        List<Map<String, Object>> list = new ArrayList<>();
        for (ObjectImpact object : objects) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("sobject", object.sobject());
            o.put("contract", object.contract());
            o.put("input", object.input());
            List<Map<String, Object>> fields = new ArrayList<>();
            for (FieldImpact field : object.fields()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("field", field.field());
                f.put("verdict", field.verdict().name());
                f.put("kind", field.kind() == null ? null : field.kind().name());
                f.put("message", field.message());
                f.put("detail", field.detail());
                f.put("affectedRecords", field.affectedRecords());
                if (field.affectedByValue() != null) {
                    f.put("affectedByValue", field.affectedByValue());
                }
                fields.add(f);
            }
            o.put("fields", fields);
            list.add(o);
        }
        root.put("objects", list);
        root.put("notMonitored", notMonitored);
        try {
            return mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
