package io.sfcache.standin.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sfcache.standin.LoopbackTls;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's Pub/Sub API at the gRPC level, for what camel-salesforce does not show: flow control, keep-alives,
 * the error trailers, the retention window and invalidated replay ids.
 */
class PubSubApiStandinTest {

    private static final String TOPIC = "/data/AccountChangeEvent";
    private static final Metadata.Key<String> ERROR_CODE =
            Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private SalesforceStandin standin;
    private ManagedChannel channel;

    /** One Subscribe stream: what came back, and how to ask for more. */
    static final class Stream implements StreamObserver<FetchResponse> {
        final List<FetchResponse> responses = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        StreamObserver<FetchRequest> requests;

        @Override
        public void onNext(FetchResponse response) {
            responses.add(response);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onCompleted() {}

        int events() {
            return responses.stream().mapToInt(FetchResponse::getEventsCount).sum();
        }

        List<ByteString> eventReplayIds() {
            return responses.stream()
                    .flatMap(r -> r.getEventsList().stream())
                    .map(e -> e.getReplayId())
                    .toList();
        }

        FetchResponse lastKeepAlive() {
            return responses.stream()
                    .filter(r -> r.getEventsCount() == 0)
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }

        String errorCode() {
            return Status.trailersFromThrowable(error.get()).get(ERROR_CODE);
        }
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (standin != null) {
            standin.close();
        }
    }

    @Test
    void neverSendsMoreThanRequestedAndKeepAlivesDoNotSkipUndeliveredEvents() {
        start(SalesforceStandin.Options.defaults().withKeepAliveInterval(Duration.ofMillis(100)));
        for (int i = 0; i < 5; i++) {
            standin.create("Account", Map.of("Name", "Flow " + i));
        }
        Stream stream = subscribe(validToken(), ReplayPreset.EARLIEST, ByteString.EMPTY, 2);

        await().atMost(WAIT).until(() -> stream.events() == 2 && stream.responses.size() >= 3);
        // keep-alives while the client has asked for nothing more: still 2 events, and the position they name is
        // the second event's, so a client resuming from it gets the other three
        assertThat(stream.events()).isEqualTo(2);
        FetchResponse keepAlive = stream.lastKeepAlive();
        assertThat(keepAlive.getPendingNumRequested()).isZero();
        assertThat(keepAlive.getLatestReplayId())
                .isEqualTo(stream.eventReplayIds().get(1));

        stream.requests.onNext(FetchRequest.newBuilder().setNumRequested(10).build());
        await().atMost(WAIT).until(() -> stream.events() == 5);
        int sent = stream.responses.size();
        await().atMost(WAIT).until(() -> stream.responses.size() > sent);
        FetchResponse caughtUp = stream.lastKeepAlive();
        assertThat(caughtUp.getPendingNumRequested()).isEqualTo(7);
        assertThat(caughtUp.getLatestReplayId())
                .isEqualTo(stream.eventReplayIds().get(4));
        assertThat(standin.eventsDelivered()).isEqualTo(5);
        assertThat(stream.eventReplayIds())
                .allSatisfy(id -> assertThat(id.size()).isEqualTo(8));
    }

    @Test
    void badOrExpiredTokensEndCallsWithTheAuthErrorCode() {
        start(SalesforceStandin.Options.defaults());
        Stream forged =
                subscribe(standin.orgId().substring(0, 15) + "!forged", ReplayPreset.LATEST, ByteString.EMPTY, 1);
        await().atMost(WAIT).until(() -> forged.error.get() != null);
        assertThat(Status.fromThrowable(forged.error.get()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(forged.errorCode()).isEqualTo("sfdc.platform.eventbus.grpc.service.auth.error");

        String token = validToken();
        Stream open = subscribe(token, ReplayPreset.LATEST, ByteString.EMPTY, 1);
        await().atMost(WAIT).until(() -> standin.openSubscriptions() == 1);
        standin.expireSessions();
        await().atMost(WAIT).until(() -> open.error.get() != null);
        assertThat(open.errorCode()).isEqualTo("sfdc.platform.eventbus.grpc.service.auth.error");
        assertThatThrownBy(() -> blocking(token)
                        .getTopic(TopicRequest.newBuilder().setTopicName(TOPIC).build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getTrailers().get(ERROR_CODE))
                                .isEqualTo("sfdc.platform.eventbus.grpc.service.auth.error"));
    }

    @Test
    void invalidatedReplayIdsAreCorruptedWhileOpenStreamsGoOn() {
        start(SalesforceStandin.Options.defaults());
        String token = validToken();
        Stream open = subscribe(token, ReplayPreset.LATEST, ByteString.EMPTY, 10);
        await().atMost(WAIT).until(() -> standin.openSubscriptions() == 1);
        standin.create("Account", Map.of("Name", "Before"));
        await().atMost(WAIT).until(() -> open.events() == 1);
        ByteString old = open.eventReplayIds().get(0);

        standin.invalidateReplayIds();
        standin.create("Account", Map.of("Name", "After"));

        await().atMost(WAIT).until(() -> open.events() == 2);
        assertThat(open.error.get()).isNull();
        Stream fromOld = subscribe(token, ReplayPreset.CUSTOM, old, 10);
        await().atMost(WAIT).until(() -> fromOld.error.get() != null);
        assertThat(fromOld.errorCode()).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted");
        Stream fromNew =
                subscribe(token, ReplayPreset.CUSTOM, open.eventReplayIds().get(1), 10);
        standin.create("Account", Map.of("Name", "Later"));
        await().atMost(WAIT).until(() -> fromNew.events() == 1);
        assertThat(fromNew.error.get()).isNull();
    }

    @Test
    void eventsOlderThanTheRetentionWindowAreGoneAndTheirReplayIdsRefused() {
        start(SalesforceStandin.Options.defaults().withEventRetention(Duration.ofMillis(300)));
        String token = validToken();
        Stream open = subscribe(token, ReplayPreset.LATEST, ByteString.EMPTY, 10);
        await().atMost(WAIT).until(() -> standin.openSubscriptions() == 1);
        standin.create("Account", Map.of("Name", "Short-lived 1"));
        standin.create("Account", Map.of("Name", "Short-lived 2"));
        await().atMost(WAIT).until(() -> open.events() == 2);

        await().atMost(WAIT).until(() -> standin.publishedEvents("Account").isEmpty());

        Stream earliest = subscribe(token, ReplayPreset.EARLIEST, ByteString.EMPTY, 10);
        Stream custom =
                subscribe(token, ReplayPreset.CUSTOM, open.eventReplayIds().get(0), 10);
        await().atMost(WAIT).until(() -> custom.error.get() != null);
        assertThat(custom.errorCode()).isEqualTo("sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted");
        assertThat(earliest.events()).isZero();
        assertThat(earliest.error.get()).isNull();
    }

    @Test
    void topicsAndSchemasAreServedAndUnknownTopicsRefused() {
        start(SalesforceStandin.Options.defaults());
        String token = validToken();
        TopicInfo topic = blocking(token)
                .getTopic(TopicRequest.newBuilder().setTopicName(TOPIC).build());
        assertThat(topic.getSchemaId()).isEqualTo(standin.changeEventSchemaId("Account"));
        assertThat(topic.getTenantGuid()).isEqualTo(standin.orgId());
        assertThat(topic.getCanSubscribe()).isTrue();

        Schema schema = new Schema.Parser()
                .parse(blocking(token)
                        .getSchema(SchemaRequest.newBuilder()
                                .setSchemaId(topic.getSchemaId())
                                .build())
                        .getSchemaJson());
        assertThat(schema.getFullName()).isEqualTo("com.sforce.eventbus.AccountChangeEvent");
        assertThat(schema.getFields().get(0).name()).isEqualTo("ChangeEventHeader");
        assertThat(schema.getField("ChangeEventHeader")
                        .schema()
                        .getField("changeType")
                        .schema()
                        .getEnumSymbols())
                .contains(
                        "CREATE",
                        "UPDATE",
                        "DELETE",
                        "UNDELETE",
                        "GAP_CREATE",
                        "GAP_UPDATE",
                        "GAP_DELETE",
                        "GAP_UNDELETE",
                        "GAP_OVERFLOW");
        assertThat(schema.getField("AnnualRevenue").schema().getTypes())
                .extracting(Schema::getType)
                .containsExactly(Schema.Type.NULL, Schema.Type.DOUBLE);
        assertThat(schema.getField("CreatedDate").schema().getTypes())
                .extracting(Schema::getType)
                .containsExactly(Schema.Type.NULL, Schema.Type.LONG);
        assertThat(schema.getField("Id")).isNull();

        Stream unknown = subscribe(token, ReplayPreset.LATEST, ByteString.EMPTY, 1, "/data/LeadChangeEvent");
        await().atMost(WAIT).until(() -> unknown.error.get() != null);
        assertThat(Status.fromThrowable(unknown.error.get()).getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    // ---- helpers ----

    private void start(SalesforceStandin.Options options) {
        standin = SalesforceStandin.start(options);
        LoopbackTls.ensureInstalled();
        channel = NettyChannelBuilder.forAddress(standin.pubSubHost(), standin.pubSubPort())
                .build();
    }

    private Stream subscribe(String token, ReplayPreset preset, ByteString replayId, int numRequested) {
        return subscribe(token, preset, replayId, numRequested, TOPIC);
    }

    private Stream subscribe(String token, ReplayPreset preset, ByteString replayId, int numRequested, String topic) {
        Stream stream = new Stream();
        stream.requests = PubSubGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(token)))
                .subscribe(stream);
        stream.requests.onNext(FetchRequest.newBuilder()
                .setTopicName(topic)
                .setReplayPreset(preset)
                .setReplayId(replayId)
                .setNumRequested(numRequested)
                .build());
        return stream;
    }

    private PubSubGrpc.PubSubBlockingStub blocking(String token) {
        return PubSubGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(token)));
    }

    private Metadata headers(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("accesstoken", Metadata.ASCII_STRING_MARSHALLER), token);
        headers.put(Metadata.Key.of("instanceurl", Metadata.ASCII_STRING_MARSHALLER), standin.instanceUrl());
        headers.put(Metadata.Key.of("tenantid", Metadata.ASCII_STRING_MARSHALLER), standin.orgId());
        return headers;
    }

    private String validToken() {
        String form = "grant_type=client_credentials&client_id="
                + URLEncoder.encode(standin.clientId(), StandardCharsets.UTF_8) + "&client_secret="
                + URLEncoder.encode(standin.clientSecret(), StandardCharsets.UTF_8);
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(standin.loginUrl() + "/services/oauth2/token"))
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .POST(HttpRequest.BodyPublishers.ofString(form))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper()
                    .readTree(response.body())
                    .get("access_token")
                    .asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
