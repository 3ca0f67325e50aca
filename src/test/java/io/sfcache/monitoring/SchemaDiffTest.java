package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContract.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The diff of a describe against a contract: every kind of finding, with its exact text, and what is not drift. */
class SchemaDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final DataContract ACCOUNT = contract(
            "Account",
            new Field("Name", "string", true, 255, List.of(), null, true, null, null),
            new Field("AnnualRevenue", "currency", false, null, List.of(), null, true, null, null),
            new Field("Rating", "picklist", false, null, List.of("Hot", "Warm", "Cold"), null, false, null, null),
            new Field("OwnerId", "reference", true, null, List.of(), "User", false, null, null));

    private static final DataContract CONTACT = contract(
            "Contact",
            new Field("LastName", "string", true, 80, List.of(), null, true, null, null),
            new Field("Department", "string", false, 80, List.of(), null, false, null, null));

    /** Account's describe as the contract has it, plus the system fields Salesforce always shows. */
    private static Describe account() {
        return new Describe()
                .system("Id", "id")
                .system("IsDeleted", "boolean")
                .field("Name", "string", 255, "Account Name", false)
                .field("AnnualRevenue", "currency", 0, "Annual Revenue", true)
                .picklist("Rating", "Rating", "Hot", "Warm", "Cold")
                .field("OwnerId", "reference", 18, "Owner ID", false)
                .defaulted("OwnerId")
                .system("SystemModstamp", "datetime");
    }

    private static Describe contact() {
        return new Describe()
                .system("Id", "id")
                .field("LastName", "string", 80, "Last Name", false)
                .field("Department", "string", 80, "Department", true);
    }

    @Test
    void aDescribeThatMatchesTheContractIsNoDrift() {
        assertThat(SchemaDiff.between(ACCOUNT, account().json(), Map.of())).isEmpty();
    }

    @Test
    void fieldsOutsideTheContractAreNoDriftUnlessEveryInsertMustFillThem() {
        Describe describe = account()
                .field("Description", "textarea", 32000, "Description", true) // optional: not the contract's business
                .field("Active__c", "boolean", 0, "Active", false)
                .defaulted("Active__c") // has a default
                .field("Score__c", "double", 0, "Score", false)
                .calculated("Score__c") // a formula: nobody writes it
                .inactive("Rating", "Frozen"); // an inactive picklist value cannot be chosen
        assertThat(SchemaDiff.between(ACCOUNT, describe.json(), Map.of())).isEmpty();
    }

    @Test
    void aTypeChangeIsReportedWithBothTypes() {
        Describe describe = account().set("AnnualRevenue", "type", "string").set("AnnualRevenue", "length", 255);
        assertThat(SchemaDiff.between(ACCOUNT, describe.json(), Map.of()))
                .containsExactly(new DriftFinding(
                        "Account",
                        "AnnualRevenue",
                        DriftFinding.Kind.TYPE_CHANGED,
                        "currency",
                        "string",
                        "Account.AnnualRevenue: type currency -> string"));
    }

    @Test
    void aTypeChangeIsTheOneFindingOfItsField() {
        // picklist -> string: the values and the new length come with the new type
        Describe describe = account()
                .set("Rating", "type", "string")
                .set("Rating", "length", 40)
                .set("Rating", "picklistValues", JSON.createArrayNode());
        assertThat(messages(SchemaDiff.between(ACCOUNT, describe.json(), Map.of())))
                .containsExactly("Account.Rating: type picklist -> string");
    }

    @Test
    void aRemovedFieldIsReported() {
        assertThat(SchemaDiff.between(CONTACT, contact().without("Department").json(), Map.of()))
                .containsExactly(new DriftFinding(
                        "Contact",
                        "Department",
                        DriftFinding.Kind.REMOVED,
                        "Department",
                        null,
                        "Contact.Department: removed"));
    }

    @Test
    void aRemovedFieldWhoseLabelNowBelongsToANewFieldIsARename() {
        Map<String, String> earlierLabels = Map.of("LastName", "Last Name", "Department", "Department");
        Describe describe = contact()
                .without("Department")
                .field("Division__c", "string", 80, "Department", false); // even required: it is the same field
        assertThat(SchemaDiff.between(CONTACT, describe.json(), earlierLabels))
                .containsExactly(new DriftFinding(
                        "Contact",
                        "Department",
                        DriftFinding.Kind.RENAMED,
                        "Department",
                        "Division__c",
                        "Contact.Department: renamed to Division__c (label Department)"));
        // without the earlier label there is nothing to tie them together
        assertThat(messages(SchemaDiff.between(CONTACT, describe.json(), Map.of())))
                .containsExactly("Contact.Department: removed", "Contact.Division__c: new required field");
    }

    @Test
    void picklistValuesAddedAndRemovedAreNamed() {
        Describe describe = account().set("Rating", "picklistValues", values("Hot", "Warm", "Ice"));
        assertThat(SchemaDiff.between(ACCOUNT, describe.json(), Map.of()))
                .containsExactly(new DriftFinding(
                        "Account",
                        "Rating",
                        DriftFinding.Kind.PICKLIST_CHANGED,
                        "Cold",
                        "Ice",
                        "Account.Rating: picklist values added [Ice], removed [Cold]"));
        assertThat(messages(SchemaDiff.between(
                        ACCOUNT, account().inactive("Rating", "Cold").json(), Map.of())))
                .containsExactly("Account.Rating: picklist values removed [Cold]");
        assertThat(messages(SchemaDiff.between(
                        ACCOUNT,
                        account()
                                .set("Rating", "picklistValues", values("Hot", "Warm", "Cold", "Ice", "Fire"))
                                .json(),
                        Map.of())))
                .containsExactly("Account.Rating: picklist values added [Ice, Fire]");
    }

    @Test
    void aLengthChangeIsReportedEitherWay() {
        assertThat(SchemaDiff.between(
                        ACCOUNT, account().set("Name", "length", 80).json(), Map.of()))
                .containsExactly(new DriftFinding(
                        "Account",
                        "Name",
                        DriftFinding.Kind.LENGTH_CHANGED,
                        "255",
                        "80",
                        "Account.Name: length 255 -> 80"));
        // longer values than the contract allows would be dead-lettered
        assertThat(messages(SchemaDiff.between(
                        CONTACT, contact().set("LastName", "length", 120).json(), Map.of())))
                .containsExactly("Contact.LastName: length 80 -> 120");
    }

    @Test
    void aNewRequiredFieldIsReported() {
        Describe describe = account().field("Region__c", "picklist", 255, "Region", false);
        assertThat(SchemaDiff.between(ACCOUNT, describe.json(), Map.of()))
                .containsExactly(new DriftFinding(
                        "Account",
                        "Region__c",
                        DriftFinding.Kind.NEW_REQUIRED,
                        null,
                        null,
                        "Account.Region__c: new required field"));
    }

    @Test
    void everyFindingOfOneDescribeIsReportedInContractOrder() {
        Describe describe = account()
                .set("Name", "length", 80)
                .set("AnnualRevenue", "type", "string")
                .set("Rating", "picklistValues", values("Hot", "Warm", "Ice"))
                .without("OwnerId")
                .field("Region__c", "string", 40, "Region", false);
        assertThat(messages(SchemaDiff.between(ACCOUNT, describe.json(), Map.of())))
                .containsExactly(
                        "Account.Name: length 255 -> 80",
                        "Account.AnnualRevenue: type currency -> string",
                        "Account.Rating: picklist values added [Ice], removed [Cold]",
                        "Account.OwnerId: removed",
                        "Account.Region__c: new required field");
    }

    @Test
    void fieldNamesAreComparedAsSalesforceDoesIgnoringCase() {
        Describe describe = account().set("AnnualRevenue", "name", "annualrevenue");
        assertThat(SchemaDiff.between(ACCOUNT, describe.json(), Map.of())).isEmpty();
    }

    // ---- helpers ----

    private static List<String> messages(List<DriftFinding> findings) {
        return findings.stream().map(DriftFinding::message).toList();
    }

    private static DataContract contract(String sobject, Field... fields) {
        Map<String, Field> byName = new LinkedHashMap<>();
        for (Field field : fields) {
            byName.put(field.name(), field);
        }
        return new DataContract(
                sobject,
                sobject.toLowerCase(java.util.Locale.ROOT),
                sobject.toLowerCase(java.util.Locale.ROOT),
                "test:" + sobject,
                null,
                null,
                byName);
    }

    private static ArrayNode values(String... values) {
        ArrayNode array = JSON.createArrayNode();
        for (String value : values) {
            array.addObject().put("active", true).put("label", value).put("value", value);
        }
        return array;
    }

    /** A describe document with the keys the diff reads, in Salesforce's spelling. */
    private static final class Describe {
        private final Map<String, ObjectNode> fields = new LinkedHashMap<>();

        Describe field(String name, String type, int length, String label, boolean nillable) {
            ObjectNode f = JSON.createObjectNode();
            f.put("name", name)
                    .put("type", type)
                    .put("length", length)
                    .put("label", label)
                    .put("nillable", nillable)
                    .put("createable", true)
                    .put("defaultedOnCreate", false)
                    .put("calculated", false);
            f.set("picklistValues", JSON.createArrayNode());
            fields.put(name, f);
            return this;
        }

        Describe picklist(String name, String label, String... values) {
            field(name, "picklist", 255, label, true);
            fields.get(name).set("picklistValues", values(values));
            return this;
        }

        Describe system(String name, String type) {
            field(name, type, type.equals("id") ? 18 : 0, name, false);
            fields.get(name).put("createable", false).put("defaultedOnCreate", true);
            return this;
        }

        Describe defaulted(String name) {
            fields.get(name).put("defaultedOnCreate", true);
            return this;
        }

        Describe calculated(String name) {
            fields.get(name).put("calculated", true).put("createable", false);
            return this;
        }

        Describe inactive(String name, String value) {
            ArrayNode picklist = (ArrayNode) fields.get(name).get("picklistValues");
            picklist.forEach(v -> {
                if (v.get("value").asText().equals(value)) {
                    ((ObjectNode) v).put("active", false);
                }
            });
            if (picklist.findValues("value").stream().noneMatch(v -> v.asText().equals(value))) {
                picklist.addObject().put("active", false).put("label", value).put("value", value);
            }
            return this;
        }

        Describe set(String name, String key, Object value) {
            ObjectNode f = fields.get(name);
            if (value instanceof JsonNode node) {
                f.set(key, node);
            } else if (value instanceof Integer i) {
                f.put(key, i);
            } else {
                f.put(key, value.toString());
            }
            return this;
        }

        Describe without(String name) {
            fields.remove(name);
            return this;
        }

        JsonNode json() {
            ObjectNode describe = JSON.createObjectNode();
            describe.putArray("fields").addAll(fields.values());
            return describe;
        }
    }
}
