package io.sfcache.impact;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.impact.ImpactReport.FieldImpact;
import io.sfcache.impact.ImpactReport.ObjectImpact;
import io.sfcache.impact.ImpactReport.Verdict;
import io.sfcache.monitoring.DriftFinding;
import io.sfcache.monitoring.SchemaDiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Judges a change set against the contracts: the drift detector's own comparison ({@link SchemaDiff}, so the two
 * always agree on what differs) of the describe the change would leave, then per finding what it means for the records
 * sfcache holds:
 *
 * <ul>
 *   <li>type changed, field removed or renamed, new required field: <b>breaks</b>;
 *   <li>shorter length: <b>breaks</b> when cached values are longer than the new length, else <b>needs a contract
 *       update</b>; longer length: <b>needs a contract update</b>;
 *   <li>picklist values removed: <b>breaks</b> when cached records use them, else <b>needs a contract update</b>; new
 *       values: <b>needs a contract update</b> (records with them would be dead-lettered until the enum has them);
 *   <li>anything else in the change: <b>safe</b>.
 * </ul>
 *
 * Without counts from the cache, a shorter length or a removed picklist value breaks: nobody can say that no record
 * uses it.
 */
final class Impact {

    private Impact() {}

    static ImpactReport assess(
            ChangeSet changes, DataContracts contracts, CacheCounts counts, List<String> inputs, String contractsFrom) {
        List<ObjectImpact> objects = new ArrayList<>();
        List<String> notMonitored = new ArrayList<>();
        boolean partial = false;
        for (ChangeSet.ObjectChange change : changes.objects().values()) {
            Optional<DataContract> found = contracts.all().stream()
                    .filter(c -> c.sobject().equalsIgnoreCase(change.sobject))
                    .findFirst();
            if (found.isEmpty()) {
                if (!change.onlyThroughValueSets) {
                    notMonitored.add(change.sobject);
                }
                continue;
            }
            DataContract contract = found.get();
            partial |= change.describe == null && !change.objectRemoved;
            objects.add(object(contract, change, changes.labels(contract.sobject()), counts));
        }
        return new ImpactReport(
                inputs, contractsFrom, counts.source(), partial, List.copyOf(objects), List.copyOf(notMonitored));
    }

    private static ObjectImpact object(
            DataContract contract, ChangeSet.ObjectChange change, Map<String, String> labels, CacheCounts counts) {
        JsonNode describe = ChangeSet.proposedDescribe(change, contract);
        List<DriftFinding> findings = SchemaDiff.between(contract, describe, labels);

        Map<String, FieldImpact> byField = new LinkedHashMap<>();
        Set<String> renameTargets = new LinkedHashSet<>();
        for (DriftFinding finding : findings) {
            byField.put(ChangeSet.key(finding.field()), classify(contract, finding, describe, counts));
            if (finding.kind() == DriftFinding.Kind.RENAMED) {
                renameTargets.add(ChangeSet.key(finding.actual()));
            }
        }
        List<String> listed = change.describe != null || change.objectRemoved
                ? contract.fields().keySet().stream().toList()
                : change.fieldNames();
        for (String name : listed) {
            String key = ChangeSet.key(name);
            if (byField.containsKey(key) || renameTargets.contains(key)) {
                continue;
            }
            boolean declared = contract.fields().keySet().stream().anyMatch(n -> n.equalsIgnoreCase(name));
            byField.put(
                    key,
                    new FieldImpact(
                            declaredName(contract, name),
                            Verdict.SAFE,
                            null,
                            contract.sobject() + "." + declaredName(contract, name) + ": "
                                    + (declared
                                            ? "as the contract has it"
                                            : "not in the contract (sfcache ignores it)"),
                            null,
                            null,
                            null));
        }
        // contract order first, then the others in the order of the change
        List<FieldImpact> ordered = new ArrayList<>();
        for (String name : contract.fields().keySet()) {
            FieldImpact impact = byField.remove(ChangeSet.key(name));
            if (impact != null) {
                ordered.add(impact);
            }
        }
        ordered.addAll(byField.values());
        return new ObjectImpact(
                contract.sobject(),
                contract.location(),
                change.describe != null ? "describe" : "change set",
                List.copyOf(ordered));
    }

    private static FieldImpact classify(
            DataContract contract, DriftFinding finding, JsonNode describe, CacheCounts counts) {
        String sobject = contract.sobject();
        String field = finding.field();
        return switch (finding.kind()) {
            case TYPE_CHANGED, REMOVED, RENAMED -> {
                Optional<CacheCounts.Usage> usage = counts.usage(sobject, field, List.of(), null);
                yield impact(
                        finding,
                        Verdict.BREAKS,
                        usage.map(u -> plural(u.records(), "cached record holds", "cached records hold") + " a value")
                                .orElse("cached records holding a value: unknown"),
                        usage.map(CacheCounts.Usage::records).orElse(null),
                        null);
            }
            case NEW_REQUIRED ->
                impact(
                        finding,
                        Verdict.BREAKS,
                        "every insert must fill it, and the publisher does not send it (not in the contract)",
                        null,
                        null);
            case LENGTH_CHANGED -> length(finding, counts);
            case PICKLIST_CHANGED -> picklist(contract, finding, describe, counts);
        };
    }

    private static FieldImpact length(DriftFinding finding, CacheCounts counts) {
        int from = Integer.parseInt(finding.expected());
        int to = Integer.parseInt(finding.actual());
        String update = "contract maxLength " + from + " -> " + to;
        if (to > from) {
            return impact(finding, Verdict.NEEDS_CONTRACT_UPDATE, update, null, null);
        }
        Optional<Long> longer =
                counts.usage(finding.sobject(), finding.field(), List.of(), to).map(CacheCounts.Usage::longerCount);
        if (longer.isEmpty()) {
            return impact(
                    finding,
                    Verdict.BREAKS,
                    "unless no cached record holds a value longer than " + to + " (counts unknown)",
                    null,
                    null);
        }
        if (longer.get() > 0) {
            return impact(
                    finding,
                    Verdict.BREAKS,
                    plural(longer.get(), "cached record holds a value", "cached records hold values") + " longer than "
                            + to,
                    longer.get(),
                    null);
        }
        return impact(
                finding,
                Verdict.NEEDS_CONTRACT_UPDATE,
                "no cached record holds a value longer than " + to + "; " + update,
                0L,
                null);
    }

    private static FieldImpact picklist(
            DataContract contract, DriftFinding finding, JsonNode describe, CacheCounts counts) {
        DataContract.Field field = contract.fields().get(finding.field());
        JsonNode described = null;
        for (JsonNode f : describe.path("fields")) {
            if (f.path("name").asText().equalsIgnoreCase(field.name())) {
                described = f;
            }
        }
        SchemaDiff.PicklistChange change = SchemaDiff.picklistChange(field, described);
        Verdict verdict = Verdict.SAFE;
        List<String> details = new ArrayList<>();
        Long affected = null;
        Map<String, Long> byValue = null;
        if (!change.removed().isEmpty()) {
            Optional<CacheCounts.Usage> usage = counts.usage(finding.sobject(), field.name(), change.removed(), null);
            if (usage.isEmpty()) {
                verdict = Verdict.BREAKS;
                details.add("unless no cached record uses " + change.removed() + " (counts unknown)");
            } else {
                byValue = new LinkedHashMap<>();
                for (String value : change.removed()) {
                    byValue.put(value, usage.get().values().getOrDefault(value, 0L));
                }
                affected = byValue.values().stream().mapToLong(Long::longValue).sum();
                Map<String, Long> used = byValue.entrySet().stream()
                        .filter(e -> e.getValue() > 0)
                        .collect(Collectors.toMap(
                                Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
                if (used.isEmpty()) {
                    verdict = Verdict.NEEDS_CONTRACT_UPDATE;
                    details.add("no cached record uses " + change.removed() + "; contract enum - " + change.removed());
                } else {
                    verdict = Verdict.BREAKS;
                    details.add(plural(affected, "cached record uses", "cached records use") + " "
                            + used.entrySet().stream()
                                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                    .collect(Collectors.joining(", ")));
                }
            }
        }
        if (!change.added().isEmpty()) {
            verdict = verdict == Verdict.BREAKS ? verdict : Verdict.NEEDS_CONTRACT_UPDATE;
            details.add("contract enum + " + change.added());
        }
        return impact(finding, verdict, String.join("; ", details), affected, byValue);
    }

    private static FieldImpact impact(
            DriftFinding finding, Verdict verdict, String detail, Long affected, Map<String, Long> byValue) {
        return new FieldImpact(finding.field(), verdict, finding.kind(), finding.message(), detail, affected, byValue);
    }

    private static String declaredName(DataContract contract, String name) {
        return contract.fields().keySet().stream()
                .filter(n -> n.equalsIgnoreCase(name))
                .findFirst()
                .orElse(name);
    }

    private static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
