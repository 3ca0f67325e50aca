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

    /** Fields, parents and children of one type: the first to take a name keeps it, the others are problems. */
    private static void checkMemberNames(ObjectApi api, List<String> problems) {
        Map<String, String> members = new LinkedHashMap<>();
        FIXED_FIELDS.forEach(name -> members.put(name, "sfcache's own field " + name));
        String contract = api.contract().location();
        api.fields()
                .fields()
                .forEach((name, field) -> claimMember(
                        members,
                        name,
                        "the field " + field.name(),
                        contract + ": set \"x-graphql-name\" on " + field.name(),
                        problems));
        api.lookups()
                .forEach(lookup -> claimMember(
                        members,
                        lookup.relation(),
                        "the parent of " + lookup.field().name(),
                        contract + ": set \"x-graphql-name\" on "
                                + lookup.field().name(),
                        problems));
        api.children()
                .forEach(children -> claimMember(
                        members,
                        children.connection(),
                        "the " + children.child() + " records by "
                                + children.lookup().name(),
                        "set \"x-child-relationship\" on " + children.child() + "."
                                + children.lookup().name(),
                        problems));
    }

    private static void claimMember(
            Map<String, String> members, String name, String member, String fix, List<String> problems) {
        String owner = members.putIfAbsent(name, member);
        if (owner != null) {
            problems.add(member + " would be " + name + ", taken by " + owner + ": " + fix);
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
