package io.sfcache.standin.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.InvalidReplayIdException;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.SObjectDescription;
import org.apache.camel.component.salesforce.api.dto.SObjectField;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ExceptionHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in through the real camel-salesforce 4.17 component: login, SOQL with paging, retrieve, describe, and
 * Pub/Sub API subscriptions with Avro change events, replay and faults. Change event bitmaps are decoded here
 * independently of the stand-in (hex → bit positions → the event schema's field names).
 */
class SalesforceStandinTest {

    private static final String ACCOUNT_EVENTS = "/data/AccountChangeEvent";
    private static final String REPLAY_ID = "CamelSalesforcePubSubReplayId";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static SalesforceStandin standin;
    private final List<CamelContext> contexts = new ArrayList<>();

    /** An event as the route received it. */
    record Received(GenericRecord event, String replayId) {
        GenericRecord header() {
            return (GenericRecord) event.get("ChangeEventHeader");
        }

        String changeType() {
            return header().get("changeType").toString();
        }

        List<String> recordIds() {
            return strings(header().get("recordIds"));
        }

        List<String> changedFields() {
            return decodeBitmaps(event.getSchema(), strings(header().get("changedFields")));
        }

        List<String> nulledFields() {
            return decodeBitmaps(event.getSchema(), strings(header().get("nulledFields")));
        }

        Object field(String name) {
            Object value = event.get(name);
            return value instanceof CharSequence text ? text.toString() : value;
        }

        /** Fields with a value, header left out. */
        List<String> fieldsWithValues() {
            return event.getSchema().getFields().stream()
                    .map(Schema.Field::name)
                    .filter(n -> !n.equals("ChangeEventHeader") && event.get(n) != null)
                    .toList();
        }
    }

    @BeforeAll
    static void startOrg() {
        standin = SalesforceStandin.start(SalesforceStandin.Options.defaults()
                .withQueryBatchSize(3)
                .withKeepAliveInterval(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stopOrg() {
        standin.close();
    }

    @AfterEach
    void stopCamel() throws Exception {
        closeCamel();
        standin.failLogins(false);
    }

    // ---- OAuth ----

    @Test
    void tokenEndpointAnswersLikeSalesforceForEachGrantAndRefusesWrongClients() throws Exception {
        JsonNode token = token(Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        standin.clientId(),
                        "client_secret",
                        standin.clientSecret()))
                .body();
        assertThat(token.get("instance_url").asText()).isEqualTo(standin.loginUrl());
        assertThat(token.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.get("access_token").asText())
                .startsWith(standin.orgId().substring(0, 15) + "!");
        String id = token.get("id").asText();
        assertThat(id)
                .matches(".*/id/00D[A-Za-z0-9]{15}/005[A-Za-z0-9]{15}")
                .endsWith("/id/" + standin.orgId() + "/" + standin.userId());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(standin.clientSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(token.get("signature").asText())
                .isEqualTo(Base64.getEncoder()
                        .encodeToString(
                                mac.doFinal((id + token.get("issued_at").asText()).getBytes(StandardCharsets.UTF_8))));

        assertThat(token(Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                standin.clientId(),
                                "client_secret",
                                standin.clientSecret(),
                                "username",
                                standin.username(),
                                "password",
                                standin.password()))
                        .status())
                .isEqualTo(200);
        assertThat(token(Map.of(
                                "grant_type",
                                "refresh_token",
                                "client_id",
                                standin.clientId(),
                                "refresh_token",
                                standin.refreshToken()))
                        .status())
                .isEqualTo(200);

        TokenReply wrongSecret = token(Map.of(
                "grant_type",
                "client_credentials",
                "client_id",
                standin.clientId(),
                "client_secret",
                "not-the-secret"));
        assertThat(wrongSecret.status()).isEqualTo(400);
        assertThat(wrongSecret.body().get("error").asText()).isEqualTo("invalid_client");
        TokenReply wrongPassword = token(Map.of(
                "grant_type",
                "password",
                "client_id",
                standin.clientId(),
                "client_secret",
                standin.clientSecret(),
                "username",
                standin.username(),
                "password",
                "nope"));
        assertThat(wrongPassword.body().get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void camelLogsInWithClientCredentialsAndLoginsCanBeMadeToFail() {
        int before = standin.loginCount();
        camel(null);
        assertThat(standin.loginCount()).isEqualTo(before + 1);

        standin.failLogins(true);
        int rejected = standin.rejectedLoginCount();
        assertThatThrownBy(() -> camel(null)).hasStackTraceContaining("invalid_grant");
        assertThat(standin.rejectedLoginCount()).isGreaterThan(rejected);
    }

    // ---- REST ----

    @Test
    void queryPagesThroughNextRecordsUrlAndFiltersLikeSoql() throws Exception {
        String city = "Paging-" + System.nanoTime();
        Instant before = Instant.now().minusMillis(1);
        List<String> ids = IntStream.range(0, 7)
                .mapToObj(i -> standin.create(
                        "Account", Map.of("Name", "Paging " + i, "BillingCity", city, "NumberOfEmployees", i * 10)))
                .toList();
        ProducerTemplate producer = camel(null).createProducerTemplate();

        JsonNode page = query(
                producer,
                "SELECT Id, Name, NumberOfEmployees, SystemModstamp FROM Account " + "WHERE BillingCity = '" + city
                        + "' AND SystemModstamp > " + before + " ORDER BY Name");
        assertThat(page.get("totalSize").asInt()).isEqualTo(7);
        assertThat(page.get("done").asBoolean()).isFalse();
        assertThat(page.get("records")).hasSize(3);
        List<String> seen = new ArrayList<>();
        int pages = 1;
        while (true) {
            page.get("records").forEach(r -> seen.add(r.get("Id").asText()));
            if (page.get("done").asBoolean()) {
                assertThat(page.has("nextRecordsUrl")).isFalse();
                break;
            }
            String next = page.get("nextRecordsUrl").asText();
            assertThat(next).matches("/services/data/v\\d+\\.0/query/01g[A-Za-z0-9]{15}-\\d+");
            page = JSON.readTree(producer.requestBodyAndHeader(
                    "salesforce:queryMore?rawPayload=true", null, "sObjectQuery", next, String.class));
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(ids);

        JsonNode record = query(
                        producer,
                        "SELECT Id, Name, NumberOfEmployees, SystemModstamp FROM Account WHERE Id = '" + ids.get(2)
                                + "'")
                .get("records")
                .get(0);
        assertThat(record.get("attributes").get("type").asText()).isEqualTo("Account");
        assertThat(record.get("attributes").get("url").asText()).endsWith("/sobjects/Account/" + ids.get(2));
        assertThat(record.get("NumberOfEmployees").asInt()).isEqualTo(20);
        assertThat(record.get("SystemModstamp").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");

        JsonNode in = query(
                producer,
                "select id from account where Id IN ('" + ids.get(1) + "', '"
                        + ids.get(5).substring(0, 15) + "') order by NumberOfEmployees desc limit 5");
        assertThat(in.get("records").findValuesAsText("Id")).containsExactly(ids.get(5), ids.get(1));
        JsonNode none = query(
                producer,
                "SELECT Id FROM Account WHERE BillingCity = '" + city + "' AND SystemModstamp >= "
                        + Instant.now().plusSeconds(60));
        assertThat(none.get("totalSize").asInt()).isZero();
        assertThat(none.get("done").asBoolean()).isTrue();

        assertThatThrownBy(() -> query(producer, "SELECT Id, Nope FROM Account"))
                .hasStackTraceContaining("INVALID_FIELD");
        assertThatThrownBy(() -> query(producer, "SELECT Id FROM Account WHERE SystemModstamp > '" + before + "'"))
                .hasStackTraceContaining("INVALID_QUERY_FILTER_OPERATOR");
        assertThatThrownBy(() -> query(producer, "SELECT Id FROM Lead")).hasStackTraceContaining("INVALID_TYPE");
    }

    @Test
    void getSObjectReturnsEveryFieldInSalesforceFormats() throws Exception {
        String opportunity = standin.create(
                "Opportunity",
                Map.of(
                        "Name",
                        "Big deal",
                        "StageName",
                        "Prospecting",
                        "CloseDate",
                        LocalDate.of(2026, 3, 31),
                        "ForecastCategoryName",
                        "Pipeline",
                        "Amount",
                        125000.5));
        ProducerTemplate producer = camel(null).createProducerTemplate();

        JsonNode record = JSON.readTree(producer.requestBodyAndHeaders(
                "salesforce:getSObject?rawPayload=true",
                null,
                Map.of("sObjectName", "Opportunity", "sObjectId", opportunity),
                String.class));

        assertThat(record.get("Id").asText()).isEqualTo(opportunity).startsWith("006");
        assertThat(record.get("CloseDate").asText()).isEqualTo("2026-03-31");
        assertThat(record.get("Amount").asDouble()).isEqualTo(125000.5);
        assertThat(record.get("IsClosed").asBoolean()).isFalse();
        assertThat(record.get("Probability").isNull()).isTrue();
        assertThat(record.get("OwnerId").asText()).isEqualTo(standin.userId());
        assertThat(record.get("IsDeleted").asBoolean()).isFalse();
        assertThat(record.get("CreatedDate").asText()).endsWith("+0000");
        assertThat(record.get("SystemModstamp").asText())
                .isEqualTo(record.get("LastModifiedDate").asText());

        int events = standin.publishedEvents("Opportunity").size();
        standin.updateSilently("Opportunity", opportunity, Map.of("Probability", 40));
        JsonNode silently = JSON.readTree(producer.requestBodyAndHeaders(
                "salesforce:getSObject?rawPayload=true",
                null,
                Map.of("sObjectName", "Opportunity", "sObjectId", opportunity),
                String.class));
        assertThat(silently.get("Probability").asDouble()).isEqualTo(40.0);
        assertThat(silently.get("SystemModstamp").asText())
                .isGreaterThan(record.get("SystemModstamp").asText());
        assertThat(standin.publishedEvents("Opportunity")).as("no change event").hasSize(events);

        standin.delete("Opportunity", opportunity);
        assertThatThrownBy(() -> producer.requestBodyAndHeaders(
                        "salesforce:getSObject?rawPayload=true",
                        null,
                        Map.of("sObjectName", "Opportunity", "sObjectId", opportunity),
                        String.class))
                .hasStackTraceContaining("ENTITY_IS_DELETED");
        JsonNode deleted = JSON.readTree(producer.requestBodyAndHeader(
                "salesforce:queryAll?rawPayload=true",
                null,
                "sObjectQuery",
                "SELECT Id, IsDeleted FROM Opportunity WHERE Id = '" + opportunity + "'",
                String.class));
        assertThat(deleted.get("records").get(0).get("IsDeleted").asBoolean()).isTrue();
    }

    @Test
    void describeShowsTheContractFieldsAndAnswers304UntilAFieldChanges() throws Exception {
        ProducerTemplate producer = camel(null).createProducerTemplate();
        SObjectDescription description = producer.requestBodyAndHeader(
                "salesforce:getDescription", null, "sObjectName", "Account", SObjectDescription.class);
        assertThat(description.getName()).isEqualTo("Account");
        assertThat(description.getFields())
                .extracting(SObjectField::getName)
                .contains(
                        "Id",
                        "Name",
                        "AccountNumber",
                        "BillingCity",
                        "ParentId",
                        "OwnerId",
                        "IsDeleted",
                        "CreatedDate",
                        "LastModifiedDate",
                        "SystemModstamp");
        SObjectField industry = field(description, "Industry");
        assertThat(industry.getType()).isEqualTo("picklist");
        assertThat(industry.getPicklistValues()).extracting(v -> v.getValue()).contains("Banking", "Technology");
        assertThat(field(description, "Name").isNillable()).isFalse();
        assertThat(field(description, "Name").getLength()).isEqualTo(255);
        assertThat(field(description, "AccountNumber").isNillable()).isTrue();
        assertThat(field(description, "ParentId").getReferenceTo()).containsExactly("Account");
        assertThat(field(description, "AnnualRevenue").getType()).isEqualTo("currency");

        // camel's getDescription passes only Sforce*/X-SFDC* headers, so If-Modified-Since goes over plain HTTP
        HttpResponse<String> first = describe("Contact", null);
        assertThat(first.statusCode()).isEqualTo(200);
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
        HttpResponse<String> unchanged = describe("Contact", lastModified);
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        // camel's raw operation can send it (rawHttpHeaders) and reports the 304 as an error with that status
        assertThatThrownBy(() -> producer.requestBodyAndHeader(
                        "salesforce:raw?format=JSON&rawMethod=GET"
                                + "&rawPath=/services/data/v62.0/sobjects/Contact/describe/&rawHttpHeaders=If-Modified-Since",
                        null,
                        "If-Modified-Since",
                        lastModified))
                .isInstanceOf(CamelExecutionException.class)
                .cause()
                .isInstanceOf(SalesforceException.class)
                .extracting(e -> ((SalesforceException) e).getStatusCode())
                .isEqualTo(304);

        standin.changeFieldType("Contact", "Title", FieldType.TEXTAREA);
        HttpResponse<String> changed = describe("Contact", lastModified);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("Last-Modified").orElseThrow()).isNotEqualTo(lastModified);
        JsonNode title = fieldNode(JSON.readTree(changed.body()), "Title");
        assertThat(title.get("type").asText()).isEqualTo("textarea");
        assertThat(describe(
                                "Contact",
                                changed.headers().firstValue("Last-Modified").orElseThrow())
                        .statusCode())
                .isEqualTo(304);
    }

    @Test
    void aRemovedFieldIsGoneFromDescribeQueriesRecordsAndNewEventSchemas() throws Exception {
        String opportunity = standin.create(
                "Opportunity",
                Map.of(
                        "Name",
                        "Lead source",
                        "StageName",
                        "Prospecting",
                        "CloseDate",
                        "2026-06-30",
                        "ForecastCategoryName",
                        "Pipeline",
                        "LeadSource",
                        "Web"));
        String oldSchema = standin.changeEventSchemaId("Opportunity");
        ProducerTemplate producer = camel(null).createProducerTemplate();
        assertThat(query(producer, "SELECT LeadSource FROM Opportunity WHERE Id = '" + opportunity + "'")
                        .get("records")
                        .get(0)
                        .get("LeadSource")
                        .asText())
                .isEqualTo("Web");

        standin.removeField("Opportunity", "LeadSource");

        assertThatThrownBy(() -> query(producer, "SELECT LeadSource FROM Opportunity"))
                .hasStackTraceContaining("INVALID_FIELD");
        SObjectDescription description = producer.requestBodyAndHeader(
                "salesforce:getDescription", null, "sObjectName", "Opportunity", SObjectDescription.class);
        assertThat(description.getFields())
                .extracting(SObjectField::getName)
                .contains("StageName")
                .doesNotContain("LeadSource");
        assertThat(standin.record("Opportunity", opportunity).orElseThrow()).doesNotContainKey("LeadSource");
        assertThat(standin.changeEventSchemaId("Opportunity")).isNotEqualTo(oldSchema);
        assertThat(new Schema.Parser()
                        .parse(standin.changeEventSchemaJson("Opportunity"))
                        .getField("LeadSource"))
                .isNull();
    }

    @Test
    void restoreObjectUndoesTypeChangesAndRemovalsAndDescribeRequestsAreLogged() throws Exception {
        String contact = standin.create("Contact", Map.of("LastName", "Restore", "Phone", "+351 1", "Title", "CTO"));
        String lastModified =
                describe("Contact", null).headers().firstValue("Last-Modified").orElseThrow();
        standin.changeFieldType("Contact", "Phone", FieldType.INT); // "+351 1" cannot be an int: becomes null
        standin.removeField("Contact", "Title");
        HttpResponse<String> drifted = describe("Contact", lastModified);
        assertThat(fieldNode(JSON.readTree(drifted.body()), "Phone").get("type").asText())
                .isEqualTo("int");
        String driftedAt = drifted.headers().firstValue("Last-Modified").orElseThrow();

        standin.restoreObject("Contact");

        HttpResponse<String> restored = describe("Contact", driftedAt);
        assertThat(restored.statusCode()).isEqualTo(200);
        JsonNode phone = fieldNode(JSON.readTree(restored.body()), "Phone");
        assertThat(phone.get("type").asText()).isEqualTo("phone");
        assertThat(phone.get("length").asInt()).isEqualTo(40);
        assertThat(fieldNode(JSON.readTree(restored.body()), "Title")
                        .get("type")
                        .asText())
                .isEqualTo("string");
        assertThat(standin.record("Contact", contact).orElseThrow())
                .containsEntry("LastName", "Restore")
                .containsEntry("Phone", null)
                .containsEntry("Title", null);
        standin.update("Contact", contact, Map.of("Title", "CEO")); // writable again
        assertThat(standin.record("Contact", contact).orElseThrow()).containsEntry("Title", "CEO");

        String restoredAt = restored.headers().firstValue("Last-Modified").orElseThrow();
        assertThat(describe("Contact", restoredAt).statusCode()).isEqualTo(304);
        assertThat(standin.describeRequests("Contact"))
                .extracting(DescribeRequest::ifModifiedSince, DescribeRequest::status)
                .endsWith(tuple(null, 200), tuple(lastModified, 200), tuple(driftedAt, 200), tuple(restoredAt, 304));
    }

    @Test
    void expiredSessionMakesRestAnswer401AndCamelLogsInAgain() throws Exception {
        ProducerTemplate producer = camel(null).createProducerTemplate();
        query(producer, "SELECT Id FROM Account LIMIT 1");
        int logins = standin.loginCount();

        standin.expireSessions();
        HttpResponse<String> stale = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        standin.loginUrl() + "/services/data/v62.0/query/?q=SELECT+Id+FROM+Account"))
                                .header(
                                        "Authorization",
                                        "Bearer " + standin.orgId().substring(0, 15) + "!stale")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(stale.body()).get(0).get("errorCode").asText()).isEqualTo("INVALID_SESSION_ID");

        assertThat(query(producer, "SELECT Id FROM Account LIMIT 1").get("done").asBoolean())
                .isTrue();
        assertThat(standin.loginCount()).isEqualTo(logins + 1);
    }

    // ---- Pub/Sub API ----

    @Test
    void subscriberReceivesCreateUpdateAndMultiRecordEventsEncodedAsSalesforceDoes() {
        List<Received> received = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST");

        String parent = standin.create("Account", Map.of("Name", "Parent Co"));
        String account = standin.create(
                "Account",
                Map.of(
                        "Name",
                        "Acme",
                        "Phone",
                        "+1 555 0100",
                        "Industry",
                        "Banking",
                        "AnnualRevenue",
                        1.5e6,
                        "NumberOfEmployees",
                        250,
                        "BillingCity",
                        "Zürich",
                        "ParentId",
                        parent));
        standin.update("Account", account, mapOf("Name", "Acme AG", "Phone", null, "BillingCity", "Basel"));
        List<String> bulk = List.of(
                standin.create("Account", Map.of("Name", "Bulk 1")),
                standin.create("Account", Map.of("Name", "Bulk 2")),
                standin.create("Account", Map.of("Name", "Bulk 3")));
        standin.updateMany("Account", bulk, Map.of("Rating", "Hot"));

        await().atMost(WAIT).until(() -> received.size() == 7);
        Received create = received.get(1);
        Map<String, Object> stored = standin.record("Account", account).orElseThrow();
        assertThat(create.changeType()).isEqualTo("CREATE");
        assertThat(create.recordIds()).containsExactly(account);
        assertThat(create.header().get("entityName").toString()).isEqualTo("Account");
        assertThat(create.header().get("commitUser").toString()).isEqualTo(standin.userId());
        assertThat(create.changedFields()).isEmpty();
        assertThat(create.field("Name")).isEqualTo("Acme");
        assertThat(create.field("AnnualRevenue")).isEqualTo(1.5e6);
        assertThat(create.field("NumberOfEmployees")).isEqualTo(250);
        assertThat(create.field("CreatedDate")).isEqualTo(((Instant) stored.get("CreatedDate")).toEpochMilli());
        assertThat(create.header().get("commitTimestamp")).isEqualTo(create.field("CreatedDate"));
        assertThat(((GenericRecord) create.event().get("BillingAddress"))
                        .get("City")
                        .toString())
                .isEqualTo("Zürich");
        assertThat(create.fieldsWithValues())
                .containsExactlyInAnyOrder(
                        "Name",
                        "Industry",
                        "AnnualRevenue",
                        "NumberOfEmployees",
                        "Phone",
                        "BillingAddress",
                        "ParentId",
                        "OwnerId",
                        "CreatedDate",
                        "CreatedById",
                        "LastModifiedDate",
                        "LastModifiedById");

        Received update = received.get(2);
        assertThat(update.changeType()).isEqualTo("UPDATE");
        assertThat(strings(update.header().get("changedFields")))
                .hasSize(2)
                .allMatch(b -> b.matches("(\\d+-)?0x[0-9A-F]+"));
        assertThat(update.changedFields()).containsExactly("Name", "Phone", "LastModifiedDate", "BillingAddress.City");
        assertThat(update.nulledFields()).containsExactly("Phone");
        assertThat(update.fieldsWithValues()).containsExactlyInAnyOrder("Name", "BillingAddress", "LastModifiedDate");
        assertThat(update.field("Industry")).as("unchanged fields are null").isNull();
        assertThat(update.field("LastModifiedDate"))
                .isEqualTo(((Instant)
                                standin.record("Account", account).orElseThrow().get("LastModifiedDate"))
                        .toEpochMilli());

        Received many = received.get(6);
        assertThat(many.recordIds()).containsExactlyElementsOf(bulk);
        assertThat(many.changedFields()).containsExactly("Rating", "LastModifiedDate");
        assertThat(many.field("Rating")).isEqualTo("Hot");

        List<BigInteger> replayIds = received.stream()
                .map(r -> new BigInteger(1, Base64.getDecoder().decode(r.replayId())))
                .toList();
        assertThat(replayIds).isSorted().doesNotHaveDuplicates();
        assertThat(Base64.getDecoder().decode(received.get(0).replayId())).hasSize(8);
    }

    @Test
    void transactionsDeletesGapsAndOverflowLookLikeSalesforce() {
        List<Received> received = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST");
        String[] ids = new String[2];
        String key = standin.inTransaction(tx -> {
            ids[0] = tx.create("Account", Map.of("Name", "In a transaction"));
            ids[1] = tx.create("Account", Map.of("Name", "Also in it"));
            tx.update("Account", ids[0], Map.of("Website", "https://example.org"));
        });
        standin.delete("Account", ids[1]);
        standin.undelete("Account", ids[1]);
        standin.emitGap("Account", "GAP_UPDATE", List.of(ids[0], ids[1]));
        standin.emitOverflow("Account");

        await().atMost(WAIT).until(() -> received.size() == 7);
        assertThat(received.subList(0, 3)).allSatisfy(r -> {
            assertThat(r.header().get("transactionKey").toString()).isEqualTo(key);
            assertThat(r.header().get("commitTimestamp"))
                    .isEqualTo(received.get(0).header().get("commitTimestamp"));
        });
        assertThat(received.subList(0, 3))
                .extracting(r -> r.header().get("sequenceNumber"))
                .containsExactly(1, 2, 3);
        assertThat(received.get(3).changeType()).isEqualTo("DELETE");
        assertThat(received.get(3).fieldsWithValues()).isEmpty();
        assertThat(received.get(4).changeType()).isEqualTo("UNDELETE");
        assertThat(received.get(4).field("Name")).isEqualTo("Also in it");
        assertThat(received.get(5).changeType()).isEqualTo("GAP_UPDATE");
        assertThat(received.get(5).recordIds()).containsExactly(ids[0], ids[1]);
        assertThat(received.get(5).fieldsWithValues()).isEmpty();
        assertThat(received.get(6).changeType()).isEqualTo("GAP_OVERFLOW");
        assertThat(received.get(6).recordIds()).containsExactly("001*");
    }

    @Test
    void resubscribingWithAStoredReplayIdResumesRightAfterIt() throws Exception {
        List<Received> first = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST");
        String one = standin.create("Account", Map.of("Name", "Resume 1"));
        String two = standin.create("Account", Map.of("Name", "Resume 2"));
        await().atMost(WAIT).until(() -> first.size() == 2);
        String stored = first.get(0).replayId();
        closeCamel();
        String three = standin.create("Account", Map.of("Name", "Resume 3 (while nobody listens)"));

        List<Received> resumed = subscribe(ACCOUNT_EVENTS, "replayPreset=CUSTOM&pubSubReplayId=RAW(" + stored + ")");

        await().atMost(WAIT).until(() -> resumed.size() == 2);
        assertThat(resumed).extracting(r -> r.recordIds().get(0)).containsExactly(two, three);
        assertThat(one)
                .isNotIn(resumed.stream().flatMap(r -> r.recordIds().stream()).toList());
        ReceivedSubscription request = last(standin.subscribeRequests(ACCOUNT_EVENTS));
        assertThat(request.replayPreset()).isEqualTo("CUSTOM");
        assertThat(request.replayId()).isEqualTo(stored);
        assertThat(request.accepted()).isTrue();
    }

    @Test
    void expiredSessionEndsTheStreamAndCamelLogsInAndResumesWithoutLoss() {
        List<Received> received = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST&backoffIncrement=100");
        standin.create("Account", Map.of("Name", "Before expiry"));
        await().atMost(WAIT).until(() -> received.size() == 1);
        int logins = standin.loginCount();
        int requests = standin.subscribeRequests(ACCOUNT_EVENTS).size();

        standin.expireSessions();
        String after = standin.create("Account", Map.of("Name", "While camel logs in again"));

        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received.get(1).recordIds()).containsExactly(after);
        assertThat(standin.loginCount()).isGreaterThan(logins);
        List<ReceivedSubscription> requestsNow = standin.subscribeRequests(ACCOUNT_EVENTS);
        assertThat(requestsNow).hasSizeGreaterThan(requests);
        assertThat(last(requestsNow).replayPreset()).isEqualTo("CUSTOM");
        assertThat(last(requestsNow).accepted()).isTrue();
    }

    @Test
    void droppedStreamsAreResumedByCamelFromTheLastReplayId() {
        List<Received> received = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST&backoffIncrement=100");
        standin.create("Account", Map.of("Name", "Before the drop"));
        await().atMost(WAIT).until(() -> received.size() == 1);

        standin.dropStreams();
        String after = standin.create("Account", Map.of("Name", "After the drop"));

        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received.get(1).recordIds()).containsExactly(after);
        assertThat(last(standin.subscribeRequests(ACCOUNT_EVENTS)).replayPreset())
                .isEqualTo("CUSTOM");
    }

    @Test
    void aReplayIdOutsideTheRetainedEventsReachesCamelAsCorrupted() throws Exception {
        List<Received> first = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST");
        standin.create("Account", Map.of("Name", "Soon forgotten 1"));
        standin.create("Account", Map.of("Name", "Soon forgotten 2"));
        await().atMost(WAIT).until(() -> first.size() == 2);
        String stored = first.get(0).replayId();
        closeCamel();
        standin.forgetEventsBefore(Instant.now().plusSeconds(1));

        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ExceptionHandler handler = new ExceptionHandler() {
            @Override
            public void handleException(Throwable exception) {
                errors.add(exception);
            }

            @Override
            public void handleException(String message, Throwable exception) {
                errors.add(exception);
            }

            @Override
            public void handleException(String message, org.apache.camel.Exchange exchange, Throwable exception) {
                errors.add(exception);
            }
        };
        subscribe(
                ACCOUNT_EVENTS,
                "replayPreset=CUSTOM&pubSubReplayId=RAW(" + stored + ")&exceptionHandler=#replayErrors",
                Map.of("replayErrors", handler));

        await().atMost(WAIT).until(() -> !errors.isEmpty());
        assertThat(errors.get(0)).isInstanceOf(InvalidReplayIdException.class);
        assertThat(((InvalidReplayIdException) errors.get(0)).getReplayId()).isEqualTo(stored);
        ReceivedSubscription refused = standin.subscribeRequests(ACCOUNT_EVENTS).stream()
                .filter(r -> stored.equals(r.replayId()))
                .findFirst()
                .orElseThrow();
        assertThat(refused.accepted()).isFalse();
    }

    @Test
    void aChangedFieldTypeGivesNewEventsANewSchemaThatCamelFetches() {
        List<Received> received = subscribe(ACCOUNT_EVENTS, "replayPreset=LATEST");
        String account = standin.create("Account", Map.of("Name", "Schema drift", "NumberOfEmployees", 12));
        String oldSchema = standin.changeEventSchemaId("Account");

        standin.changeFieldType("Account", "NumberOfEmployees", "double");
        try {
            standin.update("Account", account, Map.of("NumberOfEmployees", 12.5));

            await().atMost(WAIT).until(() -> received.size() == 2);
            assertThat(standin.changeEventSchemaId("Account")).isNotEqualTo(oldSchema);
            assertThat(received.get(0).field("NumberOfEmployees")).isEqualTo(12);
            assertThat(received.get(1).field("NumberOfEmployees")).isEqualTo(12.5);
            assertThat(received.get(1).changedFields()).containsExactly("NumberOfEmployees", "LastModifiedDate");
            assertThat(standin.publishedEvents("Account"))
                    .extracting(PublishedEvent::schemaId)
                    .contains(oldSchema, standin.changeEventSchemaId("Account"));
        } finally {
            standin.changeFieldType("Account", "NumberOfEmployees", "int"); // other tests expect the contract's type
        }
    }

    // ---- helpers ----

    private CamelContext camel(RouteBuilder routes) {
        return camel(routes, Map.of());
    }

    private CamelContext camel(RouteBuilder routes, Map<String, Object> beans) {
        DefaultCamelContext camel = new DefaultCamelContext();
        contexts.add(camel);
        beans.forEach(camel.getRegistry()::bind);
        SalesforceComponent salesforce = new SalesforceComponent();
        salesforce.setLoginUrl(standin.loginUrl());
        salesforce.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
        salesforce.setClientId(standin.clientId());
        salesforce.setClientSecret(standin.clientSecret());
        salesforce.setPubSubHost(standin.pubSubHost());
        salesforce.setPubSubPort(standin.pubSubPort());
        salesforce.setPubsubAllowUseSystemProxy(false);
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion(SalesforceStandin.API_VERSION);
        salesforce.setConfig(config);
        camel.addComponent("salesforce", salesforce);
        try {
            if (routes != null) {
                camel.addRoutes(routes);
            }
            camel.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return camel;
    }

    private void closeCamel() throws Exception {
        for (CamelContext camel : contexts) {
            camel.close();
        }
        contexts.clear();
    }

    private List<Received> subscribe(String topic, String options) {
        return subscribe(topic, options, Map.of());
    }

    /** Starts a subscribing route and waits until the stand-in has the subscription. */
    private List<Received> subscribe(String topic, String options, Map<String, Object> beans) {
        List<Received> received = new CopyOnWriteArrayList<>();
        int before = standin.subscribeRequests(topic).size();
        camel(
                new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("salesforce:pubSubSubscribe:" + topic + "?pubSubDeserializeType=AVRO&" + options)
                                .process(e -> received.add(new Received(
                                        e.getIn().getBody(GenericRecord.class),
                                        e.getIn().getHeader(REPLAY_ID, String.class))));
                    }
                },
                beans);
        await().atMost(WAIT).until(() -> standin.subscribeRequests(topic).size() > before);
        return received;
    }

    private static JsonNode query(ProducerTemplate producer, String soql) throws Exception {
        return JSON.readTree(producer.requestBodyAndHeader(
                "salesforce:query?rawPayload=true", null, "sObjectQuery", soql, String.class));
    }

    record TokenReply(int status, JsonNode body) {}

    private static TokenReply token(Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(standin.loginUrl() + "/services/oauth2/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return new TokenReply(response.statusCode(), JSON.readTree(response.body()));
    }

    private static HttpResponse<String> describe(String sobject, String ifModifiedSince) throws Exception {
        String token = token(Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        standin.clientId(),
                        "client_secret",
                        standin.clientSecret()))
                .body()
                .get("access_token")
                .asText();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(standin.loginUrl() + "/services/data/v62.0/sobjects/" + sobject + "/describe/"))
                .header("Authorization", "Bearer " + token);
        if (ifModifiedSince != null) {
            request.header("If-Modified-Since", ifModifiedSince);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SObjectField field(SObjectDescription description, String name) {
        return description.getFields().stream()
                .filter(f -> f.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static JsonNode fieldNode(JsonNode describe, String name) {
        for (JsonNode field : describe.get("fields")) {
            if (field.get("name").asText().equals(name)) {
                return field;
            }
        }
        throw new AssertionError("no field " + name);
    }

    private static List<String> strings(Object avroArray) {
        List<String> strings = new ArrayList<>();
        ((List<?>) avroArray).forEach(o -> strings.add(o.toString()));
        return strings;
    }

    /**
     * Salesforce's field bitmaps, decoded without the stand-in's help: {@code 0x..} is a hex number whose bit n names
     * the schema's field n; {@code n-0x..} names parts of the compound field n (its record's fields).
     */
    static List<String> decodeBitmaps(Schema schema, List<String> bitmaps) {
        List<String> names = new ArrayList<>();
        for (String bitmap : bitmaps) {
            if (bitmap.startsWith("0x")) {
                BigInteger bits = new BigInteger(bitmap.substring(2), 16);
                for (int i = 0; i < bits.bitLength(); i++) {
                    if (bits.testBit(i)) {
                        names.add(schema.getFields().get(i).name());
                    }
                }
            } else {
                String[] parts = bitmap.split("-", 2);
                Schema.Field parent = schema.getFields().get(Integer.parseInt(parts[0]));
                Schema record = parent.schema().getTypes().stream()
                        .filter(t -> t.getType() == Schema.Type.RECORD)
                        .findFirst()
                        .orElseThrow();
                BigInteger bits = new BigInteger(parts[1].substring(2), 16);
                for (int i = 0; i < bits.bitLength(); i++) {
                    if (bits.testBit(i)) {
                        names.add(
                                parent.name() + "." + record.getFields().get(i).name());
                    }
                }
            }
        }
        return names;
    }

    private static Map<String, Object> mapOf(Object... keysAndValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
