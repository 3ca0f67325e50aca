package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContract.Field;
import io.sfcache.contracts.DataContracts;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.DefaultResourceLoader;

/** The naming rules that turn contracts into GraphQL names (README, "Where the schema comes from"). */
class ObjectApiTest {

    @Test
    void typeAndQueryNames() {
        assertThat(ObjectApi.typeName("Account")).isEqualTo("Account");
        assertThat(ObjectApi.typeName("Invoice__c")).isEqualTo("Invoice");
        assertThat(ObjectApi.typeName("Line_Item__c")).isEqualTo("LineItem");
        assertThat(ObjectApi.plural("opportunity")).isEqualTo("opportunities");
        assertThat(ObjectApi.plural("address")).isEqualTo("addresses");
        assertThat(ObjectApi.plural("survey")).isEqualTo("surveys");
        assertThat(ObjectApi.plural("invoice")).isEqualTo("invoices");
    }

    @Test
    void fieldAndRelationNames() {
        assertThat(ObjectApi.fieldName(field("AnnualRevenue", "currency", null)))
                .isEqualTo("annualRevenue");
        assertThat(ObjectApi.fieldName(field("Due_Date__c", "date", null))).isEqualTo("dueDate");
        assertThat(ObjectApi.fieldName(field("SLA_Expiry__c", "date", null))).isEqualTo("slaExpiry");
        Field customLookup = field("Account__c", "reference", "Account");
        assertThat(ObjectApi.fieldName(customLookup)).isEqualTo("accountId");
        assertThat(ObjectApi.relationName(customLookup)).isEqualTo("account");
        Field standardLookup = field("ParentId", "reference", "Account");
        assertThat(ObjectApi.fieldName(standardLookup)).isEqualTo("parentId");
        assertThat(ObjectApi.relationName(standardLookup)).isEqualTo("parent");
        Field named = new Field("Amount__c", "currency", false, null, List.of(), null, false, "customAmount", null);
        assertThat(ObjectApi.fieldName(named)).isEqualTo("customAmount");
    }

    @Test
    void twoFieldsWithOneGraphqlNameStopStartUpNamingTheAnnotation() {
        Map<String, Field> fields = new LinkedHashMap<>();
        fields.put("Amount", field("Amount", "currency", null));
        fields.put("Amount__c", field("Amount__c", "currency", null));
        DataContract contract =
                new DataContract("Deal__c", "deal__c", "deal__c", "deal__c.schema.json", null, null, fields);
        assertThatThrownBy(() -> ObjectApi.of(contract, Set.of("Deal__c")))
                .hasMessage("deal__c.schema.json: fields Amount and Amount__c would both be amount in the read API; "
                        + "give one of them another name with \"x-graphql-name\"");
    }

    private static Field field(String name, String type, String references) {
        return new Field(name, type, false, null, List.of(), references, false, null, null);
    }

    @Test
    void aFieldThatTakesTheNameOfAListOfChildrenStopsStartUpNamingTheFix(@TempDir Path contracts) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode account =
                (ObjectNode) json.readTree(getClass().getResourceAsStream("/contracts/objects/account.schema.json"));
        ((ObjectNode) account.path("properties"))
                .putObject("Contacts__c")
                .put("type", "string")
                .put("x-salesforce-type", "string");
        Files.writeString(contracts.resolve("account.schema.json"), account.toString());
        try (InputStream contact = getClass().getResourceAsStream("/contracts/objects/contact.schema.json")) {
            Files.copy(contact, contracts.resolve("contact.schema.json"));
        }
        DataContracts both = new DataContracts(
                List.of("Account", "Contact"), contracts.toUri().toString(), new DefaultResourceLoader(), json);
        assertThatThrownBy(() -> new ObjectApis(both))
                .hasMessageContaining("the Contact records by AccountId would be contacts, taken by the field "
                        + "Contacts__c: set \"x-child-relationship\" on Contact.AccountId");
    }
}
