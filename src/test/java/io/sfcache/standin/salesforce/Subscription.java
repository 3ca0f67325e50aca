package io.sfcache.standin.salesforce;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * One {@code Subscribe} stream. The first {@code FetchRequest} names the topic and where to start ({@code LATEST}: after
 * the newest event; {@code EARLIEST}: the oldest retained one; {@code CUSTOM}: after the given replay id, or the
 * stream ends with {@code error-code: sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted}). Each
 * request adds {@code num_requested} to what the stream may send: never more events than requested in total;
 * {@code pending_num_requested} says what is left. Keep-alives are responses with no events and the position reached
 * as {@code latest_replay_id}.
 *
 * <p>All methods are synchronized: gRPC threads (requests), the stand-in's scheduler (new events, keep-alives) and the
 * test thread (faults) take turns, so responses never interleave.
 */
final class Subscription implements StreamObserver<FetchRequest> {

    static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);
    static final String CORRUPTED_REPLAY_ID = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted";
    private static final int MAX_EVENTS_PER_RESPONSE = 100;

    /** What a subscription needs from the Pub/Sub service. */
    interface Host {
        /** Which events a topic carries, or null for an unknown topic. */
        Predicate<EventLog.StoredEvent> topicFilter(String topic);

        EventLog log();

        void received(ReceivedSubscription request);

        void delivered(int events);

        void ended(Subscription subscription);
    }

    private final ServerCallStreamObserver<FetchResponse> out;
    private final Host host;
    private final String rpcId = UUID.randomUUID().toString();
    private String topic;
    private Predicate<EventLog.StoredEvent> filter;
    private long position;
    private int pending;
    private boolean started;
    private boolean ended;

    Subscription(ServerCallStreamObserver<FetchResponse> out, Host host) {
        this.out = out;
        this.host = host;
        out.setOnCancelHandler(this::cancelled);
    }

    @Override
    public synchronized void onNext(FetchRequest request) {
        if (ended) {
            return;
        }
        if (!started && !start(request)) {
            return;
        }
        if (!request.getTopicName().isEmpty() && !request.getTopicName().equals(topic)) {
            end(
                    Status.INVALID_ARGUMENT.withDescription(
                            "topic_name " + request.getTopicName() + " differs from the stream's " + topic),
                    null);
            return;
        }
        if (request.getNumRequested() < 0) {
            end(Status.INVALID_ARGUMENT.withDescription("num_requested must not be negative"), null);
            return;
        }
        pending += request.getNumRequested();
        pump();
    }

    @Override
    public synchronized void onError(Throwable clientGone) {
        ended = true;
        host.ended(this);
    }

    @Override
    public synchronized void onCompleted() {
        if (!ended) {
            ended = true;
            out.onCompleted();
        }
        host.ended(this);
    }

    /** Sends what is requested and available. */
    synchronized void pump() {
        if (!started || ended) {
            return;
        }
        while (pending > 0) {
            EventLog.Batch batch = host.log().after(position, filter, Math.min(pending, MAX_EVENTS_PER_RESPONSE));
            if (batch.events().isEmpty()) {
                position = batch.reached();
                return;
            }
            FetchResponse.Builder response = FetchResponse.newBuilder().setRpcId(rpcId);
            for (EventLog.StoredEvent event : batch.events()) {
                response.addEvents(ConsumerEvent.newBuilder()
                        .setEvent(ProducerEvent.newBuilder()
                                .setId(event.eventUuid())
                                .setSchemaId(event.schemaId())
                                .setPayload(ByteString.copyFrom(event.payload())))
                        .setReplayId(ByteString.copyFrom(host.log().replayId(event.position()))));
            }
            pending -= batch.events().size();
            position = batch.reached();
            out.onNext(response.setLatestReplayId(ByteString.copyFrom(host.log().replayId(position)))
                    .setPendingNumRequested(pending)
                    .build());
            host.delivered(batch.events().size());
        }
    }

    /** An empty response with the position reached: Salesforce sends one at least every 270 s. */
    synchronized void keepAlive() {
        if (!started || ended) {
            return;
        }
        pump();
        // caught up with no request open: the tip is reached too
        position = host.log().after(position, filter, 0).reached();
        out.onNext(FetchResponse.newBuilder()
                .setRpcId(rpcId)
                .setLatestReplayId(ByteString.copyFrom(host.log().replayId(position)))
                .setPendingNumRequested(pending)
                .build());
    }

    /** Ends the stream with an error; {@code errorCode} goes into the {@code error-code} trailer when given. */
    synchronized void end(Status status, String errorCode) {
        if (ended) {
            return;
        }
        ended = true;
        Metadata trailers = new Metadata();
        if (errorCode != null) {
            trailers.put(ERROR_CODE, errorCode);
        }
        out.onError(status.asRuntimeException(trailers));
        host.ended(this);
    }

    private boolean start(FetchRequest request) {
        topic = request.getTopicName();
        ReplayPreset preset = request.getReplayPreset();
        String replayId = request.getReplayId().isEmpty()
                ? null
                : Base64.getEncoder().encodeToString(request.getReplayId().toByteArray());
        filter = host.topicFilter(topic);
        if (filter == null) {
            host.received(new ReceivedSubscription(
                    topic, preset.name(), replayId, request.getNumRequested(), Instant.now(), false));
            end(Status.NOT_FOUND.withDescription("topic " + topic + " does not exist or is not accessible"), null);
            return false;
        }
        try {
            position = switch (preset) {
                case EARLIEST -> host.log().earliest();
                case CUSTOM -> host.log().positionOf(request.getReplayId().toByteArray());
                default -> host.log().tip();
            };
        } catch (EventLog.CorruptedReplayIdException e) {
            host.received(new ReceivedSubscription(
                    topic, preset.name(), replayId, request.getNumRequested(), Instant.now(), false));
            end(
                    Status.INVALID_ARGUMENT.withDescription("The Replay ID validation failed: " + e.getMessage()),
                    CORRUPTED_REPLAY_ID);
            return false;
        }
        started = true;
        host.received(new ReceivedSubscription(
                topic, preset.name(), replayId, request.getNumRequested(), Instant.now(), true));
        return true;
    }

    private synchronized void cancelled() {
        ended = true;
        host.ended(this);
    }
}
