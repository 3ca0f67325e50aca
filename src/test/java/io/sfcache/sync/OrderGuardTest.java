package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.contracts.DataContracts;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The order guard's decision table on its own, no Spring context and no Cosmos: the real data contracts, a fixed
 * clock, and the stored record as the guard itself built it.
 */
class OrderGuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataContracts CONTRACTS = new DataContracts(
            List.of("Account", "Contact", "Opportunity"),
            "classpath:contracts/objects/",
            new DefaultResourceLoader(),
            JSON);
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:05.123Z");
    private static final Instant MODSTAMP = Instant.parse("2026-11-27T10:00:00.100Z");
    private static final String ID = "001000000000001AAA";

    private final OrderGuard guard = new OrderGuard(CONTRACTS, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void nothingStoredIsACreateOfEveryContractFieldAndNothingElse() {
        OrderGuard.Decision decision = guard.decide(
                change(
                        "e1",
                        ChangeType.CREATE,
                        MODSTAMP,
                        0,
                        fields().put("Name", "Acme").put("Secret__c", "not in the contract")),
                null,
                ChangeSource.QUEUE);

        assertThat(decision.kind()).isEqualTo(WriteDecision.CREATE);
        ObjectNode doc = decision.document();
        assertThat(doc.path("id").asText()).isEqualTo(ID);
        assertThat(doc.path("sobject").asText()).isEqualTo("Account");
        assertThat(doc.path("isDeleted").asBoolean()).isFalse();
        assertThat(doc.path("fields").path("Name").asText()).isEqualTo("Acme");
        assertThat(doc.path("fields").has("Secret__c"))
                .as("outside the contract: not stored")
                .isFalse();
        assertThat(doc.path("fields").properties())
                .as("every contract field, null when unknown")
                .hasSize(13);
        assertThat(doc.path("fields").path("Industry").isNull()).isTrue();
        assertThat(doc.path("version").toString())
                .isEqualTo("{\"systemModstamp\":\"2026-11-27T10:00:00.100Z\",\"sequence\":0}");
        assertThat(doc.path("sync").toString())
                .isEqualTo("{\"eventId\":\"e1\",\"changeType\":\"CREATE\","
                        + "\"commitTime\":\"2026-11-27T10:00:00.100Z\",\"syncedAt\":\"2026-11-27T10:00:05.123Z\","
                        + "\"source\":\"QUEUE\"}");
    }

    @Test
    void aNewerChangeReplacesFieldsLeftOutKeepTheirValueAndNullClears() {
        ObjectNode stored =
                stored(fields().put("Name", "Acme").put("Industry", "Energy").put("Phone", "555"));

        OrderGuard.Decision decision = guard.decide(
                change(
                        "e2",
                        ChangeType.UPDATE,
                        MODSTAMP.plusMillis(1),
                        0,
                        fields().put("Name", "Acme Corp").putNull("Phone")),
                stored,
                ChangeSource.CHANGE_DATA_CAPTURE);

        assertThat(decision.kind()).isEqualTo(WriteDecision.REPLACE);
        ObjectNode replaced = decision.document();
        assertThat(replaced.path("fields").path("Name").asText()).isEqualTo("Acme Corp");
        assertThat(replaced.path("fields").path("Industry").asText())
                .as("left out: kept")
                .isEqualTo("Energy");
        assertThat(replaced.path("fields").path("Phone").isNull())
                .as("null: cleared")
                .isTrue();
        assertThat(replaced.path("sync").path("eventId").asText()).isEqualTo("e2");
        assertThat(replaced.path("sync").path("source").asText()).isEqualTo("CHANGE_DATA_CAPTURE");
        assertThat(stored.path("fields").path("Phone").asText())
                .as("the stored record is not touched")
                .isEqualTo("555");
    }

    @Test
    void aLaterSequenceInTheSameMillisecondIsNewer() {
        ObjectNode stored = stored(fields().put("Name", "Acme"));
        assertThat(guard.decide(
                                change("e2", ChangeType.UPDATE, MODSTAMP, 1, fields().put("Name", "Acme 2")),
                                stored,
                                ChangeSource.QUEUE)
                        .kind())
                .isEqualTo(WriteDecision.REPLACE);
    }

    @Test
    void aNewerChangeThatChangesNothingStoredIsUnchangedHoweverJsonWroteTheNumbers() {
        ObjectNode stored = stored(fields().put("Name", "Acme").put("AnnualRevenue", 1200000));

        OrderGuard.Decision sameAmount = guard.decide(
                change(
                        "e2",
                        ChangeType.UPDATE,
                        MODSTAMP.plusSeconds(1),
                        0,
                        fields().put("Name", "Acme").put("AnnualRevenue", 1200000.0)),
                stored,
                ChangeSource.QUEUE);
        OrderGuard.Decision otherAmount = guard.decide(
                change("e3", ChangeType.UPDATE, MODSTAMP.plusSeconds(1), 0, fields().put("AnnualRevenue", 1200000.5)),
                stored,
                ChangeSource.QUEUE);
        OrderGuard.Decision nothingSent = guard.decide(
                change("e4", ChangeType.UPDATE, MODSTAMP.plusSeconds(1), 0, fields()), stored, ChangeSource.QUEUE);

        assertThat(sameAmount.kind()).as("1200000 and 1200000.0").isEqualTo(WriteDecision.UNCHANGED);
        assertThat(sameAmount.document()).as("the newer version is written").isNotNull();
        assertThat(RecordDocument.version(sameAmount.document()).isNewerThan(RecordDocument.version(stored)))
                .as("so a change between the two arriving late is STALE")
                .isTrue();
        assertThat(RecordDocument.eventId(sameAmount.document()))
                .as("not announced: the event id stays the one that announced these fields")
                .isEqualTo(RecordDocument.eventId(stored));
        assertThat(otherAmount.kind()).isEqualTo(WriteDecision.REPLACE);
        assertThat(nothingSent.kind()).as("no monitored field touched").isEqualTo(WriteDecision.UNCHANGED);

        // Stored v1 (1200000), v3 says the same and is kept; v2 (another amount) arrives late: older than v3, so it
        // cannot bring back an amount the newest change no longer has.
        OrderGuard.Decision lateBetween = guard.decide(
                change("e5", ChangeType.UPDATE, MODSTAMP.plusMillis(500), 0, fields().put("AnnualRevenue", 5.0)),
                sameAmount.document(),
                ChangeSource.QUEUE);
        assertThat(lateBetween.kind()).isEqualTo(WriteDecision.STALE);
    }

    @Test
    void anOlderChangeIsStale() {
        ObjectNode stored = stored(fields().put("Name", "Acme"));
        OrderGuard.Decision older = guard.decide(
                change("e0", ChangeType.UPDATE, MODSTAMP.minusMillis(1), 9, fields().put("Name", "Older")),
                stored,
                ChangeSource.QUEUE);
        assertThat(older.kind()).isEqualTo(WriteDecision.STALE);
        assertThat(older.document()).isNull();
    }

    @Test
    void theSameVersionIsARedeliveryOfTheSameEventAndADuplicateOfAnother() {
        ObjectNode stored = stored(fields().put("Name", "Acme"));

        OrderGuard.Decision again = guard.decide(
                change("e1", ChangeType.CREATE, MODSTAMP, 0, fields().put("Name", "Acme")), stored, ChangeSource.QUEUE);
        OrderGuard.Decision byTheOtherPath = guard.decide(
                change("cdc-1", ChangeType.UPDATE, MODSTAMP, 0, fields().put("Name", "Acme")),
                stored,
                ChangeSource.CHANGE_DATA_CAPTURE);

        assertThat(again.kind()).isEqualTo(WriteDecision.REDELIVERED);
        assertThat(again.document()).as("what is stored, to announce again").isSameAs(stored);
        assertThat(byTheOtherPath.kind()).isEqualTo(WriteDecision.DUPLICATE);
        assertThat(byTheOtherPath.document()).isNull();
    }

    @Test
    void aDeleteKeepsATombstoneWithTheLastFieldsAndAnUndeleteRestoresIt() {
        ObjectNode stored = stored(fields().put("Name", "Acme").put("Industry", "Energy"));

        OrderGuard.Decision delete = guard.decide(
                change("e2", ChangeType.DELETE, MODSTAMP.plusSeconds(1), 0, null), stored, ChangeSource.QUEUE);
        OrderGuard.Decision undelete = guard.decide(
                change("e3", ChangeType.UNDELETE, MODSTAMP.plusSeconds(2), 0, fields().put("Name", "Acme")),
                delete.document(),
                ChangeSource.QUEUE);

        assertThat(delete.kind()).isEqualTo(WriteDecision.REPLACE);
        assertThat(delete.document().path("isDeleted").asBoolean()).isTrue();
        assertThat(delete.document().path("fields")).isEqualTo(stored.path("fields"));
        assertThat(delete.document().path("sync").path("changeType").asText()).isEqualTo("DELETE");
        assertThat(undelete.kind()).isEqualTo(WriteDecision.REPLACE);
        assertThat(undelete.document().path("isDeleted").asBoolean()).isFalse();
        assertThat(undelete.document().path("fields").path("Industry").asText()).isEqualTo("Energy");
    }

    @Test
    void aDeleteOfARecordNeverStoredIsATombstoneFromTheStart() {
        OrderGuard.Decision delete =
                guard.decide(change("e1", ChangeType.DELETE, MODSTAMP, 0, null), null, ChangeSource.RECONCILIATION);
        assertThat(delete.kind()).isEqualTo(WriteDecision.CREATE);
        assertThat(delete.document().path("isDeleted").asBoolean()).isTrue();
        assertThat(delete.document().path("fields").path("Name").isNull()).isTrue();
    }

    /** The record as the guard stored it from a create with these fields (event e1, version MODSTAMP#0). */
    private ObjectNode stored(ObjectNode fields) {
        OrderGuard.Decision create =
                guard.decide(change("e1", ChangeType.CREATE, MODSTAMP, 0, fields), null, ChangeSource.QUEUE);
        return create.document().put("_etag", "\"etag-1\"");
    }

    private static ChangeMessage change(
            String eventId, ChangeType type, Instant modstamp, long sequence, ObjectNode fields) {
        return new ChangeMessage(
                eventId, "Account", type, ID, new RecordVersion(modstamp, sequence), modstamp, fields, false, null);
    }

    private static ObjectNode fields() {
        return JSON.createObjectNode();
    }
}
