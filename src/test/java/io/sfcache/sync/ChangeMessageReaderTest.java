package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.observation.ObservationRegistry;
import io.sfcache.contracts.DataContracts;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The reader on its own, no Spring context: each way a message is refused, with the reason an operator reads in the
 * dead letter, and what an accepted one binds to. A plain ObjectMapper on purpose: binding must not depend on how
 * Boot configures Jackson.
 */
class ChangeMessageReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataContracts CONTRACTS = new DataContracts(
            List.of("Account", "Contact", "Opportunity"),
            "classpath:contracts/objects/",
            new DefaultResourceLoader(),
            JSON);
    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();

    private final ChangeMessages messages = ChangeMessages.seeded(18);
    private final ChangeMessageReader reader = reader(1_048_576);

    @AfterAll
    static void close() throws Exception {
        CAMEL.close();
    }

    @Test
    void anEmptyOrBlankBodyIsEmpty() {
        for (String body : new String[] {"", "  \n\t"}) {
            assertRejected(
                    body,
                    null,
                    RejectionReason.EMPTY_BODY,
                    "The message body is empty: the publisher must send one change message as JSON");
        }
        assertRejected(
                null,
                null,
                RejectionReason.EMPTY_BODY,
                "The message body is empty: the publisher must send one change message as JSON");
    }

    @Test
    void aBodyOverTheLimitIsTooLargeAndSaysWhichLimit() {
        String body = messages.account().create().toJson();
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        assertThatThrownBy(() -> reader(bytes - 1).read(exchange(body, null)))
                .isInstanceOfSatisfying(RejectedChangeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectionReason.TOO_LARGE);
                    assertThat(e.getMessage())
                            .isEqualTo("The message has " + bytes + " bytes, more than "
                                    + "sfcache.sync.max-message-bytes=" + (bytes - 1)
                                    + ": check the publisher (a runaway "
                                    + "long-text field?) or raise the limit (Cosmos items are <= 2 MB)");
                });
        assertThat(reader(bytes).read(exchange(body, null)).sobject())
                .as("at the limit")
                .isEqualTo("Account");
    }

    @Test
    void aContentTypeOtherThanJsonIsUnsupported() {
        String body = messages.account().create().toJson();
        assertRejected(
                body,
                "text/plain",
                RejectionReason.UNSUPPORTED_CONTENT_TYPE,
                "Content type 'text/plain' is not supported: the publisher must send application/json");
        assertThat(reader.read(exchange(body, "Application/JSON; charset=utf-8"))
                        .sobject())
                .isEqualTo("Account");
        assertThat(reader.read(exchange(body, " ")).sobject()).as("none given").isEqualTo("Account");
    }

    @Test
    void aBodyThatIsNotJsonIsMalformedAndSaysWhere() {
        assertRejected(
                "{\"eventId\": \"e1\",\n \"sobject\" Account}",
                null,
                RejectionReason.MALFORMED_JSON,
                "The body is not well-formed JSON: Unexpected character ('A' (code 65)): was expecting a colon to "
                        + "separate field name and value at line 2, column 12");
    }

    @Test
    void jsonThatIsNotAnObjectIsNotAnEnvelope() {
        assertRejected(
                "[1, 2]",
                null,
                RejectionReason.INVALID_ENVELOPE,
                "The body is JSON array, not a change message object");
        assertRejected(
                "\"text\"",
                null,
                RejectionReason.INVALID_ENVELOPE,
                "The body is JSON string, not a change message object");
    }

    @Test
    void anEnvelopeThatBreaksTheSchemaNamesEachProblem() {
        String body = messages.account()
                .update()
                .remove("eventId")
                .set("changeType", "MODIFY")
                .toJson();
        assertThatThrownBy(() -> reader.read(exchange(body, null)))
                .isInstanceOfSatisfying(RejectedChangeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_ENVELOPE);
                    assertThat(e.violations())
                            .containsExactly(
                                    "eventId: required but missing",
                                    "changeType: \"MODIFY\" is not one of the allowed values [\"CREATE\",\"UPDATE\","
                                            + "\"DELETE\",\"UNDELETE\",\"HEARTBEAT\"]");
                    assertThat(e.getMessage())
                            .isEqualTo("The message breaks contracts/change-message.schema.json: "
                                    + String.join("; ", e.violations()));
                });
    }

    @Test
    void anotherSchemaVersionAsksForAnUpgradeFirst() {
        assertRejected(
                messages.account().update().set("schemaVersion", 2).toJson(),
                null,
                RejectionReason.INVALID_ENVELOPE,
                "schemaVersion 2 is not supported: this sfcache reads version 1; "
                        + "upgrade sfcache before the publisher, then redrive");
    }

    @Test
    void anObjectWithoutAContractIsUnknownAndSaysWhatToAdd() {
        ObjectNode lead = messages.account().create().toNode().put("sobject", "Lead");
        assertRejected(
                lead.toString(),
                null,
                RejectionReason.UNKNOWN_OBJECT,
                "Lead is not monitored: add "
                        + "contracts/objects/lead.schema.json and list Lead in sfcache.sync.objects, then redrive");
    }

    @Test
    void whatTheSchemaLetsThroughButJavaCannotHoldIsAnInvalidEnvelope() {
        String body = messages.account()
                .update()
                .toNode()
                .toString()
                .replaceFirst("\"sequence\":\\d+", "\"sequence\":99999999999999999999");
        assertThatThrownBy(() -> reader.read(exchange(body, null)))
                .isInstanceOfSatisfying(RejectedChangeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_ENVELOPE);
                    assertThat(e.getMessage())
                            .startsWith("The message cannot be read as a change message: ")
                            .contains("99999999999999999999");
                });
    }

    @Test
    void anAcceptedChangeIsBoundAndItsHeadersSet() throws Exception {
        ChangeMessageBuilder update =
                messages.account().update().nullField("ParentId").set("unknownToUs", true);
        Exchange exchange = exchange(update.toJson(), "application/json");

        ChangeMessage change = reader.read(exchange);

        assertThat(change.eventId()).isEqualTo(update.eventId());
        assertThat(change.sobject()).isEqualTo("Account");
        assertThat(change.changeType()).isEqualTo(ChangeType.UPDATE);
        assertThat(change.recordId()).isEqualTo(update.recordId());
        assertThat(change.version())
                .isEqualTo(new RecordVersion(
                        update.version().systemModstamp(), update.version().sequence()));
        assertThat(change.commitTime())
                .isEqualTo(Instant.parse(update.toNode().get("commitTime").asText()));
        assertThat(change.fields()).isEqualTo(JSON.readTree(update.toJson()).get("fields"));
        assertThat(change.fields().get("ParentId").isNull()).isTrue();
        assertThat(change.partial()).isFalse();
        assertThat(change.heartbeat()).isNull();
        assertThat(exchange.getProperty(SyncHeaders.CHANGE)).isSameAs(change);
        assertThat(exchange.getMessage().getHeaders())
                .containsEntry(SyncHeaders.OBJECT, "Account")
                .containsEntry(SyncHeaders.OBJECT_KEY, "account")
                .containsEntry(SyncHeaders.RECORD_ID, update.recordId())
                .containsEntry(SyncHeaders.EVENT_ID, update.eventId())
                .containsEntry(SyncHeaders.CHANGE_TYPE, "UPDATE");
    }

    @Test
    void aHeartbeatCarriesWhatThePublisherSaysAndAnOlderOneSaysNothing() {
        Instant previous = Instant.parse("2025-06-02T07:55:00Z");
        Instant sent = Instant.parse("2025-06-02T07:59:30.250Z");
        ChangeMessage heartbeat = reader.read(exchange(
                messages.heartbeat(io.sfcache.fixtures.SObjectType.ACCOUNT, 7, previous)
                        .healthyPublisher(sent)
                        .outbox(2, 1, null)
                        .toJson(),
                null));
        assertThat(heartbeat.changeType()).isEqualTo(ChangeType.HEARTBEAT);
        assertThat(heartbeat.recordId()).isNull();
        assertThat(heartbeat.heartbeat().sentSincePrevious()).isEqualTo(7);
        assertThat(heartbeat.heartbeat().previousHeartbeatTime()).isEqualTo(previous);
        assertThat(heartbeat.heartbeat().publisher())
                .isEqualTo(new PublisherStatus(true, true, 2L, 1L, null, 0L, sent, null));

        ChangeMessage older = reader.read(exchange(
                messages.heartbeat(io.sfcache.fixtures.SObjectType.ACCOUNT, 0, null)
                        .withoutPublisherStatus()
                        .toJson(),
                null));
        assertThat(older.heartbeat().previousHeartbeatTime()).isNull();
        assertThat(older.heartbeat().publisher().saidNothing()).isTrue();
    }

    @Test
    void aChangeMessageWrittenByJacksonIsAValidEnvelopeAndReadsBackTheSame() {
        ChangeMessage change = new ChangeMessage(
                "evt-1",
                "Account",
                ChangeType.UPDATE,
                "001000000000001AAA",
                new RecordVersion(Instant.parse("2026-11-27T10:00:00Z"), 3),
                Instant.parse("2026-11-27T10:00:00.1Z"),
                JSON.createObjectNode().put("Name", "Acme"),
                true,
                null);

        ObjectNode written = JSON.valueToTree(change);

        assertThat(written.toString())
                .isEqualTo("{\"schemaVersion\":1,\"eventId\":\"evt-1\",\"sobject\":\"Account\","
                        + "\"changeType\":\"UPDATE\",\"recordId\":\"001000000000001AAA\",\"version\":{\"systemModstamp\":"
                        + "\"2026-11-27T10:00:00.000Z\",\"sequence\":3},\"commitTime\":\"2026-11-27T10:00:00.100Z\","
                        + "\"fields\":{\"Name\":\"Acme\"},\"partial\":true}");
        assertThat(reader.read(exchange(written.toString(), null))).isEqualTo(change);
        ChangeMessage whole = new ChangeMessage(
                "evt-2",
                "Account",
                ChangeType.DELETE,
                "001000000000001AAA",
                change.version(),
                change.commitTime(),
                null,
                false,
                null);
        assertThat(JSON.valueToTree(whole).has("partial"))
                .as("left out unless true")
                .isFalse();
        assertThat(JSON.valueToTree(whole).has("fields")).isFalse();
    }

    private void assertRejected(String body, String contentType, RejectionReason reason, String description) {
        assertThatThrownBy(() -> reader.read(exchange(body, contentType)))
                .as("%s", body)
                .isInstanceOfSatisfying(RejectedChangeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).isEqualTo(description);
                });
    }

    private static ChangeMessageReader reader(int maxBytes) {
        SyncProperties sync = new SyncProperties();
        sync.setMaxMessageBytes(maxBytes);
        return new ChangeMessageReader(
                JSON, new ContractValidator(CONTRACTS, ObservationRegistry.NOOP), CONTRACTS, sync);
    }

    private static Exchange exchange(String body, String contentType) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.getMessage().setBody(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        exchange.getMessage().setHeader(ChangeMessageReader.SERVICE_BUS_CONTENT_TYPE, contentType);
        return exchange;
    }
}
