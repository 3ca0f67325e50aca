package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContracts;
import io.sfcache.sync.SyncProperties;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/** Salesforce's change event encoding (bitmaps, epoch dates, several record ids) into sfcache change messages. */
class ChangeEventMapperTest {

    private static ChangeEventMapper mapper;
    private static final Schema HEADER = SchemaBuilder.record("ChangeEventHeader")
            .fields()
            .requiredString("entityName")
            .name("recordIds")
            .type()
            .array()
            .items()
            .stringType()
            .noDefault()
            .requiredString("changeType")
            .requiredString("transactionKey")
            .requiredInt("sequenceNumber")
            .requiredLong("commitTimestamp")
            .name("changedFields")
            .type()
            .array()
            .items()
            .stringType()
            .noDefault()
            .name("nulledFields")
            .type()
            .array()
            .items()
            .stringType()
            .noDefault()
            .name("diffFields")
            .type()
            .array()
            .items()
            .stringType()
            .noDefault()
            .endRecord();
    // Field order matters: bit 0 is the header, bit 1 Id, bit 2 Name, ...
    private static final Schema OPPORTUNITY = SchemaBuilder.record("OpportunityChangeEvent")
            .fields()
            .name("ChangeEventHeader")
            .type(HEADER)
            .noDefault()
            .optionalString("Id")
            .optionalString("Name")
            .optionalString("StageName")
            .optionalDouble("Amount")
            .optionalInt("CloseDate")
            .optionalLong("LastModifiedDate")
            .optionalString("Secret__c")
            .endRecord();

    @BeforeAll
    static void mapper() {
        ObjectMapper json = new ObjectMapper();
        SyncProperties sync = new SyncProperties();
        DataContracts contracts =
                new DataContracts(sync.getObjects(), sync.getContractsLocation(), new DefaultResourceLoader(), json);
        mapper = new ChangeEventMapper(contracts, json);
    }

    private static GenericRecord event(String changeType, List<String> ids, List<String> changed, List<String> nulled) {
        GenericRecord header = new GenericData.Record(HEADER);
        header.put("entityName", "Opportunity");
        header.put("recordIds", ids);
        header.put("changeType", changeType);
        header.put("transactionKey", "tx-1");
        header.put("sequenceNumber", 3);
        header.put("commitTimestamp", Instant.parse("2026-11-27T10:00:00.250Z").toEpochMilli());
        header.put("changedFields", changed);
        header.put("nulledFields", nulled);
        header.put("diffFields", List.of());
        GenericRecord event = new GenericData.Record(OPPORTUNITY);
        event.put("ChangeEventHeader", header);
        return event;
    }

    @Test
    void anUpdateCarriesOnlyTheChangedAndClearedFields() {
        GenericRecord event = event(
                "UPDATE",
                List.of("006000000000001AAA"),
                // bits 4 (Amount), 5 (CloseDate), 6 (LastModifiedDate) changed; bit 3 (StageName) cleared
                List.of("0x78"),
                List.of("0x8"));
        event.put("Amount", 2500.0);
        event.put("CloseDate", (int) LocalDate.parse("2026-12-31").toEpochDay());
        event.put("LastModifiedDate", Instant.parse("2026-11-27T10:00:00Z").toEpochMilli());
        event.put("Name", "not changed, so not sent even though present");

        ChangeEventMapper.Mapped mapped = mapper.map(event, "evt-1");

        assertThat(mapped.changes()).singleElement().satisfies(change -> {
            assertThat(change.path("changeType").asText()).isEqualTo("UPDATE");
            assertThat(change.path("partial").asBoolean()).isTrue();
            assertThat(change.path("eventId").asText()).isEqualTo("evt-1");
            assertThat(change.path("version").path("systemModstamp").asText()).isEqualTo("2026-11-27T10:00:00.250Z");
            assertThat(change.path("version").path("sequence").asInt()).isEqualTo(3);
            ObjectNode fields = (ObjectNode) change.get("fields");
            assertThat(fields.properties())
                    .extracting(java.util.Map.Entry::getKey)
                    .containsExactlyInAnyOrder("Amount", "CloseDate", "StageName");
            assertThat(fields.get("Amount").asDouble()).isEqualTo(2500.0);
            assertThat(fields.get("CloseDate").asText()).isEqualTo("2026-12-31");
            assertThat(fields.get("StageName").isNull()).isTrue();
        });
    }

    @Test
    void aBulkUpdateBecomesOneChangePerRecord() {
        GenericRecord event =
                event("UPDATE", List.of("006000000000001AAA", "006000000000002AAA"), List.of("0x10"), List.of());
        event.put("Amount", 10.0);
        List<ObjectNode> changes = mapper.map(event, "evt-2").changes();
        assertThat(changes)
                .extracting(c -> c.path("recordId").asText())
                .containsExactly("006000000000001AAA", "006000000000002AAA");
        assertThat(changes)
                .extracting(c -> c.path("eventId").asText())
                .containsExactly("evt-2:006000000000001AAA", "evt-2:006000000000002AAA");
    }

    @Test
    void aCreateCarriesEveryNonEmptyContractFieldAndNothingElse() {
        GenericRecord event = event("CREATE", List.of("006000000000001AAA"), List.of(), List.of());
        event.put("Name", "Big deal");
        event.put("StageName", "Prospecting");
        event.put("Secret__c", "not in the contract");
        ObjectNode change = mapper.map(event, "evt-3").changes().get(0);
        assertThat(change.path("partial").asBoolean()).isFalse();
        assertThat(change.get("fields").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("Name", "StageName");
    }

    @Test
    void aDeleteCarriesNoFields() {
        ObjectNode change = mapper.map(event("DELETE", List.of("006000000000001AAA"), List.of(), List.of()), "evt-4")
                .changes()
                .get(0);
        assertThat(change.has("fields")).isFalse();
    }

    @Test
    void gapsAskForARereadAndOverflowsForAReconciliation() {
        ChangeEventMapper.Mapped gap =
                mapper.map(event("GAP_UPDATE", List.of("006000000000001AAA"), List.of(), List.of()), "evt-5");
        assertThat(gap.changes()).isEmpty();
        assertThat(gap.repairIds()).containsExactly("006000000000001AAA");
        ChangeEventMapper.Mapped overflow =
                mapper.map(event("GAP_OVERFLOW", List.of("006*"), List.of(), List.of()), "evt-6");
        assertThat(overflow.needsReconcile()).isTrue();
        assertThat(overflow.overflowAt()).isEqualTo(Instant.parse("2026-11-27T10:00:00.250Z"));
        ChangeEventMapper.Mapped wildcard =
                mapper.map(event("UPDATE", List.of("006*"), List.of("0x10"), List.of()), "evt-7");
        assertThat(wildcard.needsReconcile()).isTrue();
    }

    @Test
    void bitmapsOfCompoundFieldsNameTheirParts() {
        Schema address = SchemaBuilder.record("Address")
                .fields()
                .optionalString("Street")
                .optionalString("City")
                .endRecord();
        Schema account = SchemaBuilder.record("AccountChangeEvent")
                .fields()
                .name("ChangeEventHeader")
                .type(HEADER)
                .noDefault()
                .optionalString("Id")
                .name("BillingAddress")
                .type()
                .optional()
                .type(address)
                .endRecord();
        assertThat(ChangeEventMapper.fieldNames(account, List.of("0x2", "2-0x2")))
                .containsExactly("Id", "BillingAddress.City");
    }
}
