package io.sfcache.graphql;

import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The read API of every monitored object, derived from the contracts at start-up, with the relations both ways. A
 * name two things would share (two objects' types, a field and a relation, two lists on one parent) stops start-up,
 * naming the contract annotation that resolves it.
 */
@Component
public class ObjectApis {

    /** Root fields of the hand-written part of the schema, which no object's queries may take. */
    static final Set<String> FIXED_QUERIES = Set.of("record", "syncStatus", "deadLetters", "redriveJob", "redriveJobs");
    /** Fields every object type has besides its contract's. */
    static final Set<String> FIXED_FIELDS = Set.of("id", "freshness");

    private final Map<String, ObjectApi> bySobject = new LinkedHashMap<>();

    public ObjectApis(DataContracts contracts) {
        Set<String> monitored =
                contracts.all().stream().map(DataContract::sobject).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        Map<String, String> rootNames = new LinkedHashMap<>();
        FIXED_QUERIES.forEach(name -> rootNames.put(name, "sfcache's own query " + name));
        Map<String, String> typeNames = new LinkedHashMap<>();
        for (DataContract contract : contracts.all()) {
            ObjectApi api;
            try {
                api = ObjectApi.of(contract, monitored);
            } catch (IllegalStateException e) {
                problems.add(e.getMessage());
                continue;
            }
            claim(typeNames, api.type(), contract.sobject(), "type", problems);
            claim(rootNames, api.one(), contract.sobject(), "query", problems);
            claim(rootNames, api.many(), contract.sobject(), "query", problems);
            bySobject.put(contract.sobject(), api);
        }
        for (ObjectApi child : bySobject.values()) {
            for (ObjectApi.Lookup lookup : child.lookups()) {
                bySobject
                        .get(lookup.target())
                        .children()
                        .add(new ObjectApi.Children(
                                ObjectApi.childrenName(lookup.field(), child), child.sobject(), lookup.field()));
            }
        }
        bySobject.values().forEach(api -> checkMemberNames(api, problems));
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "The read API cannot be derived from the data contracts:\n - " + String.join("\n - ", problems));
        }
    }

    private static void claim(
            Map<String, String> taken, String name, String sobject, String what, List<String> problems) {
        String owner = taken.putIfAbsent(name, sobject);
        if (owner != null) {
            problems.add(sobject + "'s GraphQL " + what + " " + name + " is already " + owner
                    + "'s: rename the object's API name or monitor only one of them");
        }
    }

    private static void checkMemberNames(ObjectApi api, List<String> problems) {
        Map<String, String> members = new LinkedHashMap<>();
        FIXED_FIELDS.forEach(name -> members.put(name, "sfcache's own field " + name));
        api.fields().fields().forEach((name, field) -> members.putIfAbsent(name, "field " + field.name()));
        FIXED_FIELDS.stream()
                .filter(api.fields().fields()::containsKey)
                .forEach(name -> problems.add(api.contract().location() + ": field "
                        + api.fields().fields().get(name).name() + " would be " + name
                        + ", which every type has already; set \"x-graphql-name\""));
        for (ObjectApi.Lookup lookup : api.lookups()) {
            String owner = members.putIfAbsent(
                    lookup.relation(), "the lookup " + lookup.field().name());
            if (owner != null) {
                problems.add(api.contract().location() + ": the lookup "
                        + lookup.field().name() + "'s parent field " + lookup.relation() + " clashes with " + owner
                        + "; set \"x-graphql-name\" on the field");
            }
        }
        for (ObjectApi.Children children : api.children()) {
            String owner = members.putIfAbsent(
                    children.connection(),
                    "the children of " + children.child() + "."
                            + children.lookup().name());
            if (owner != null) {
                problems.add(api.sobject() + "'s list " + children.connection() + " of " + children.child()
                        + " records (by " + children.lookup().name() + ") clashes with " + owner
                        + "; name it with \"x-child-relationship\" on " + children.child() + "."
                        + children.lookup().name());
            }
        }
    }

    Collection<ObjectApi> all() {
        return bySobject.values();
    }

    Optional<ObjectApi> find(String sobject) {
        return Optional.ofNullable(bySobject.get(sobject));
    }

    ObjectApi get(String sobject) {
        return find(sobject)
                .orElseThrow(() -> new InvalidQueryException(
                        sobject + " is not a monitored object; monitored: " + bySobject.keySet()));
    }
}
