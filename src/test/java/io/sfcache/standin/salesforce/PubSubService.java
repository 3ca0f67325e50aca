package io.sfcache.standin.salesforce;

import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Pub/Sub API's {@code Subscribe}, {@code GetSchema} and {@code GetTopic} for change data capture topics:
 * {@code /data/<Object>ChangeEvent} for each object and {@code /data/ChangeEvents} for all of them. Publishing is not
 * offered (change events come from record changes). Authentication happens before any call reaches this
 * ({@link PubSubAuth}).
 */
final class PubSubService extends PubSubGrpc.PubSubImplBase implements Subscription.Host {

    static final String ALL_CHANGE_EVENTS = "/data/ChangeEvents";
    private static final Pattern OBJECT_TOPIC = Pattern.compile("/data/(\\w+)ChangeEvent");

    private final OrgData org;
    private final ObjectCatalog catalog;
    private final EventLog log;
    private final String orgId;
    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();
    private final List<ReceivedSubscription> received = new CopyOnWriteArrayList<>();
    private final AtomicLong delivered = new AtomicLong();

    PubSubService(OrgData org, ObjectCatalog catalog, EventLog log, String orgId) {
        this.org = org;
        this.catalog = catalog;
        this.log = log;
        this.orgId = orgId;
    }

    @Override
    public StreamObserver<FetchRequest> subscribe(StreamObserver<FetchResponse> responses) {
        Subscription subscription = new Subscription((ServerCallStreamObserver<FetchResponse>) responses, this);
        open.add(subscription);
        return subscription;
    }

    @Override
    public void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> responses) {
        org.schema(request.getSchemaId())
                .ifPresentOrElse(
                        schema -> {
                            responses.onNext(SchemaInfo.newBuilder()
                                    .setSchemaId(schema.id())
                                    .setSchemaJson(schema.json())
                                    .setRpcId(UUID.randomUUID().toString())
                                    .build());
                            responses.onCompleted();
                        },
                        () -> responses.onError(Status.NOT_FOUND
                                .withDescription("no schema with id " + request.getSchemaId())
                                .asRuntimeException()));
    }

    @Override
    public void getTopic(TopicRequest request, StreamObserver<TopicInfo> responses) {
        String topic = request.getTopicName();
        if (topicFilter(topic) == null) {
            responses.onError(Status.NOT_FOUND
                    .withDescription("topic " + topic + " does not exist")
                    .asRuntimeException());
            return;
        }
        Matcher m = OBJECT_TOPIC.matcher(topic);
        String schemaId = m.matches() ? org.currentSchema(m.group(1)).id() : "";
        responses.onNext(TopicInfo.newBuilder()
                .setTopicName(topic)
                .setTenantGuid(orgId)
                .setCanPublish(false)
                .setCanSubscribe(true)
                .setSchemaId(schemaId)
                .setRpcId(UUID.randomUUID().toString())
                .build());
        responses.onCompleted();
    }

    // ---- for the stand-in ----

    void pumpAll() {
        open.forEach(Subscription::pump);
    }

    void keepAliveAll() {
        open.forEach(Subscription::keepAlive);
    }

    void endAll(Status status, String errorCode) {
        open.forEach(s -> s.end(status, errorCode));
    }

    List<ReceivedSubscription> received() {
        return List.copyOf(received);
    }

    long delivered() {
        return delivered.get();
    }

    int openSubscriptions() {
        return open.size();
    }

    // ---- Subscription.Host ----

    @Override
    public Predicate<EventLog.StoredEvent> topicFilter(String topic) {
        if (ALL_CHANGE_EVENTS.equals(topic)) {
            return event -> true;
        }
        Matcher m = OBJECT_TOPIC.matcher(topic == null ? "" : topic);
        if (!m.matches()) {
            return null;
        }
        return catalog.find(m.group(1))
                .filter(def -> def.name().equals(m.group(1)))
                .<Predicate<EventLog.StoredEvent>>map(
                        def -> event -> event.entity().equals(def.name()))
                .orElse(null);
    }

    @Override
    public EventLog log() {
        return log;
    }

    @Override
    public void received(ReceivedSubscription request) {
        received.add(request);
    }

    @Override
    public void delivered(int events) {
        delivered.addAndGet(events);
    }

    @Override
    public void ended(Subscription subscription) {
        open.remove(subscription);
    }
}
