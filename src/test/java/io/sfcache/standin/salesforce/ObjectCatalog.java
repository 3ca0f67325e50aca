package io.sfcache.standin.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * The org's sObjects, read from sfcache's data contracts ({@code contracts/objects/*.schema.json} on the class path):
 * {@code x-salesforce-type} gives the type, {@code maxLength} the length, {@code enum} the picklist values,
 * {@code x-references} the reference target, and a field is nillable unless it is {@code required} or its JSON type
 * excludes null. System fields are added as Salesforce has them.
 *
 * <p>Salesforce groups some fields into compound fields in change events: Account's billing fields into
 * {@code BillingAddress}, Contact's names into {@code Name} and its mailing fields into {@code MailingAddress}. The
 * stand-in does the same with the contract fields that belong to one (REST and describe stay flat, as in Salesforce).
 */
final class ObjectCatalog {

    static final List<String> CONTRACTS = List.of("account", "contact", "opportunity");

    private static final Map<String, String> KEY_PREFIXES =
            Map.of("Account", "001", "Contact", "003", "Opportunity", "006");
    /** Contract field → compound field and part, per object, as in Salesforce's change event schemas. */
    private static final Map<String, Map<String, String[]>> COMPOUNDS = Map.of(
            "Account",
                    Map.of(
                            "BillingCity", new String[] {"BillingAddress", "City"},
                            "BillingCountry", new String[] {"BillingAddress", "Country"}),
            "Contact",
                    Map.of(
                            "FirstName", new String[] {"Name", "FirstName"},
                            "LastName", new String[] {"Name", "LastName"},
                            "MailingCity", new String[] {"MailingAddress", "City"},
                            "MailingCountry", new String[] {"MailingAddress", "Country"}));

    private final Map<String, SObjectDef> objects = new LinkedHashMap<>();

    ObjectCatalog(Instant loadedAt) {
        ObjectMapper json = new ObjectMapper();
        Instant lastModified = loadedAt.truncatedTo(ChronoUnit.SECONDS);
        for (String contract : CONTRACTS) {
            String resource = "contracts/objects/" + contract + ".schema.json";
            try (InputStream in = ObjectCatalog.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("data contract " + resource + " is not on the class path");
                }
                SObjectDef def = fromContract(json.readTree(in), lastModified);
                objects.put(def.name(), def);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
    }

    synchronized SObjectDef get(String sobject) {
        return find(sobject)
                .orElseThrow(() -> new IllegalArgumentException("sObject type '" + sobject + "' is not supported"));
    }

    /** The object with this name, case-insensitive as in SOQL and REST paths. */
    synchronized Optional<SObjectDef> find(String sobject) {
        return objects.values().stream()
                .filter(o -> o.name().equalsIgnoreCase(sobject))
                .findFirst();
    }

    synchronized Collection<SObjectDef> all() {
        return List.copyOf(objects.values());
    }

    /** The object whose ids start with this key prefix. */
    synchronized Optional<SObjectDef> byKeyPrefix(String keyPrefix) {
        return objects.values().stream()
                .filter(o -> o.keyPrefix().equals(keyPrefix))
                .findFirst();
    }

    synchronized SObjectDef changeFieldType(String sobject, String field, FieldType newType) {
        SObjectDef def = get(sobject);
        FieldDef old = def.requireField(field);
        if (old.system()) {
            throw new IllegalArgumentException("system field " + old.name() + " cannot change");
        }
        SObjectDef next = def.withField(old.withType(newType), nextChange(def.lastModified()));
        objects.put(def.name(), next);
        return next;
    }

    synchronized SObjectDef removeField(String sobject, String field) {
        SObjectDef def = get(sobject);
        FieldDef old = def.requireField(field);
        if (old.system() || !old.nillable()) {
            throw new IllegalArgumentException(
                    old.name() + " is a system or required field: Salesforce would not " + "let it be deleted");
        }
        SObjectDef next = def.withoutField(old.name(), nextChange(def.lastModified()));
        objects.put(def.name(), next);
        return next;
    }

    /** Puts the object back as its data contract defines it (a describe change like any other). */
    synchronized SObjectDef restore(String sobject) {
        SObjectDef def = get(sobject);
        String resource = "contracts/objects/" + def.name().toLowerCase(Locale.ROOT) + ".schema.json";
        try (InputStream in = ObjectCatalog.class.getClassLoader().getResourceAsStream(resource)) {
            SObjectDef next = fromContract(new ObjectMapper().readTree(in), nextChange(def.lastModified()));
            objects.put(def.name(), next);
            return next;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * Describe's {@code Last-Modified} has whole seconds: a change must move it by at least one, or a client asking
     * {@code If-Modified-Since} the previous value would be told nothing changed.
     */
    private static Instant nextChange(Instant previous) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return now.isAfter(previous) ? now : previous.plusSeconds(1);
    }

    private static SObjectDef fromContract(JsonNode contract, Instant lastModified) {
        String name = contract.path("x-sfcache").path("sobject").asText();
        Set<String> required = new java.util.HashSet<>();
        contract.path("required").forEach(n -> required.add(n.asText()));
        Map<String, String[]> compounds = COMPOUNDS.getOrDefault(name, Map.of());

        List<FieldDef> fields = new ArrayList<>();
        fields.add(FieldDef.system("Id", FieldType.ID, List.of()));
        fields.add(FieldDef.system("IsDeleted", FieldType.BOOLEAN, List.of()));
        contract.path("properties").properties().forEach(entry -> {
            String fieldName = entry.getKey();
            JsonNode property = entry.getValue();
            FieldType type = FieldType.of(property.path("x-salesforce-type").asText());
            boolean jsonNullable = StreamSupport.stream(property.path("type").spliterator(), false)
                    .anyMatch(t -> t.asText().equals("null"));
            boolean nillable = jsonNullable && !required.contains(fieldName);
            int length = property.has("maxLength")
                    ? property.get("maxLength").asInt()
                    : type.isText() ? type.defaultLength() : 0;
            List<String> picklist = new ArrayList<>();
            property.path("enum").forEach(v -> {
                if (!v.isNull()) {
                    picklist.add(v.asText());
                }
            });
            List<String> referenceTo = property.has("x-references")
                    ? List.of(property.get("x-references").asText())
                    : List.of();
            String[] compound = compounds.get(fieldName);
            fields.add(new FieldDef(
                    fieldName,
                    type,
                    length,
                    nillable,
                    picklist,
                    referenceTo,
                    false,
                    compound == null ? null : compound[0],
                    compound == null ? null : compound[1]));
        });
        fields.add(FieldDef.system("CreatedDate", FieldType.DATETIME, List.of()));
        fields.add(FieldDef.system("CreatedById", FieldType.REFERENCE, List.of("User")));
        fields.add(FieldDef.system("LastModifiedDate", FieldType.DATETIME, List.of()));
        fields.add(FieldDef.system("LastModifiedById", FieldType.REFERENCE, List.of("User")));
        fields.add(FieldDef.system("SystemModstamp", FieldType.DATETIME, List.of()));
        String keyPrefix = KEY_PREFIXES.get(name);
        if (keyPrefix == null) {
            throw new IllegalStateException("no key prefix known for " + name.toLowerCase(Locale.ROOT));
        }
        return new SObjectDef(name, keyPrefix, fields, lastModified);
    }
}
