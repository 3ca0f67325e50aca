package io.sfcache.standin.salesforce;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.sfcache.fixtures.SalesforceIds;
import io.sfcache.standin.LoopbackTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback Salesforce org for tests and the local run, which the real camel-salesforce component talks to unchanged:
 * OAuth and REST over plain HTTP on {@code 127.0.0.1} ({@link #loginUrl()}), the Pub/Sub API over gRPC with TLS on
 * {@link #pubSubPort()} (the {@link LoopbackTls} certificate, trusted through the JVM trust store).
 *
 * <p>The org has Account, Contact and Opportunity with the fields of sfcache's data contracts plus the system fields.
 * Records live here: a change made through this API shows in REST and, as an Avro change event shaped like
 * Salesforce's, on {@code /data/<Object>ChangeEvent} and {@code /data/ChangeEvents}.
 *
 * <p>Use {@link #shared()} (one per JVM, stopped at exit) or {@code try (var org = SalesforceStandin.start()) {...}}
 * for a private org, which tests that inject faults should prefer.
 *
 * <p>Pieces: {@link OAuthEndpoint} (token, revoke), {@link RestApi} (query with {@link Soql} and {@link QueryCursors},
 * retrieve, {@link DescribeDocument}), {@link ObjectCatalog} (objects from the contracts), {@link OrgData} (records and
 * changes), {@link ChangeEventSchema} and {@link ChangeEventEncoder} (Avro), {@link EventLog} (replay ids, retention),
 * {@link PubSubService}, {@link Subscription} and {@link PubSubAuth} (gRPC).
 *
 * <p>Not reproduced (among others): REST writes, composite and bulk APIs, API limits; SOQL beyond {@link Soql}'s
 * subset; validation rules, triggers, formula or derived fields (Opportunity's IsClosed/IsWon do not follow the
 * stage); tokens that time out on their own; the JWT flow; Publish; {@code diffFields} (always empty);
 * {@code auth_refresh}; replay ids per channel (one sequence serves every topic); Salesforce's own error codes for
 * unknown topics and schemas; automatic gap and overflow events (only {@link #emitGap} and {@link #emitOverflow}).
 */
public final class SalesforceStandin implements AutoCloseable {

    public static final String API_VERSION = "62.0";

    /**
     * Settings of an org.
     *
     * @param queryBatchSize records per query page (Salesforce: 2000 unless the client asks for fewer)
     * @param eventRetention how long events can be replayed (Salesforce: 72 hours)
     * @param keepAliveInterval how often open subscriptions get an empty response (Salesforce: within 270 s)
     */
    public record Options(int queryBatchSize, Duration eventRetention, Duration keepAliveInterval) {

        public static Options defaults() {
            return new Options(2000, Duration.ofHours(72), Duration.ofSeconds(30));
        }

        public Options withQueryBatchSize(int size) {
            return new Options(size, eventRetention, keepAliveInterval);
        }

        public Options withEventRetention(Duration retention) {
            return new Options(queryBatchSize, retention, keepAliveInterval);
        }

        public Options withKeepAliveInterval(Duration interval) {
            return new Options(queryBatchSize, eventRetention, interval);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceStandin.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static SalesforceStandin shared;

    private final OAuthEndpoint.Credentials credentials;
    private final String orgId = SalesforceIds.random("00D", OrgData.INSTANCE, RANDOM);
    private final String userId = SalesforceIds.random("005", OrgData.INSTANCE, RANDOM);
    private final Sessions sessions = new Sessions(orgId);
    private final ObjectCatalog catalog = new ObjectCatalog(Instant.now());
    private final EventLog log;
    private final OrgData org;
    private final PubSubService pubSub;
    private final HttpServer http;
    private final RestApi restApi;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService scheduler;
    private final Server grpc;
    private final String instanceUrl;
    private volatile int queryBatchSize;

    private SalesforceStandin(Options options) throws IOException {
        LoopbackTls.Material tls = LoopbackTls.ensureInstalled();
        credentials = new OAuthEndpoint.Credentials(
                "3MVG9" + random(30),
                random(32),
                "integration@sfcache-standin.example",
                random(12),
                "5Aep861" + random(40));
        queryBatchSize = options.queryBatchSize();
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("salesforce-standin-events"));
        log = new EventLog(options.eventRetention());
        org = new OrgData(catalog, log, userId, this::eventsCommitted);
        pubSub = new PubSubService(org, catalog, log, orgId);

        http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        instanceUrl = "http://127.0.0.1:" + http.getAddress().getPort();
        http.createContext(
                "/services/oauth2/", new OAuthEndpoint(credentials, sessions, orgId, userId, () -> instanceUrl));
        restApi = new RestApi(org, catalog, sessions, () -> queryBatchSize);
        http.createContext("/services/data", restApi);
        httpThreads = Executors.newFixedThreadPool(4, daemon("salesforce-standin-http"));
        http.setExecutor(httpThreads);
        http.start();

        grpc = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
                .sslContext(GrpcSslContexts.forServer(
                                tls.certificatePem().toFile(),
                                tls.privateKeyPem().toFile())
                        .build())
                .addService(ServerInterceptors.intercept(pubSub, new PubSubAuth(sessions, orgId, () -> instanceUrl)))
                .build()
                .start();
        long keepAlive = options.keepAliveInterval().toMillis();
        scheduler.scheduleAtFixedRate(pubSub::keepAliveAll, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
    }

    /** A private org with default settings; close it when done. */
    public static SalesforceStandin start() {
        return start(Options.defaults());
    }

    public static SalesforceStandin start(Options options) {
        try {
            long started = System.nanoTime();
            SalesforceStandin standin = new SalesforceStandin(options);
            LOG.info(
                    "Salesforce stand-in: REST and OAuth at {}, Pub/Sub API (gRPC, TLS) at 127.0.0.1:{}, org {}"
                            + " (up in {} ms)",
                    standin.instanceUrl,
                    standin.pubSubPort(),
                    standin.orgId,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return standin;
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the Salesforce stand-in's loopback ports", e);
        }
    }

    /** One org per JVM, shared by test classes and the local run, stopped at JVM exit. */
    public static synchronized SalesforceStandin shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "salesforce-standin-stop"));
        }
        return shared;
    }

    @Override
    public void close() {
        grpc.shutdownNow();
        http.stop(0);
        httpThreads.shutdownNow();
        scheduler.shutdownNow();
    }

    // ---- where and how to connect ----

    /** {@code http://127.0.0.1:<port>}: the login URL, and the instance URL the token reply names. */
    public String loginUrl() {
        return instanceUrl;
    }

    public String instanceUrl() {
        return instanceUrl;
    }

    public String pubSubHost() {
        return "127.0.0.1";
    }

    public int pubSubPort() {
        return grpc.getPort();
    }

    public String clientId() {
        return credentials.clientId();
    }

    public String clientSecret() {
        return credentials.clientSecret();
    }

    /** User name, password and refresh token, for the username-password and refresh-token flows. */
    public String username() {
        return credentials.username();
    }

    public String password() {
        return credentials.password();
    }

    public String refreshToken() {
        return credentials.refreshToken();
    }

    /** The 18-character org id: the token reply's {@code id} and the gRPC {@code tenantid}. */
    public String orgId() {
        return orgId;
    }

    /** The integration user: owner and {@code commitUser} of changes made through this API. */
    public String userId() {
        return userId;
    }

    /** Spring Boot properties pointing camel-salesforce at this org (client credentials). */
    public Map<String, Object> camelComponentProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("camel.component.salesforce.login-url", loginUrl());
        properties.put("camel.component.salesforce.authentication-type", "CLIENT_CREDENTIALS");
        properties.put("camel.component.salesforce.client-id", clientId());
        properties.put("camel.component.salesforce.client-secret", clientSecret());
        properties.put("camel.component.salesforce.api-version", API_VERSION);
        properties.put("camel.component.salesforce.pub-sub-host", pubSubHost());
        properties.put("camel.component.salesforce.pub-sub-port", pubSubPort());
        properties.put("camel.component.salesforce.pubsub-allow-use-system-proxy", false);
        return properties;
    }

    // ---- records and changes ----

    /** Creates a record (one CREATE event) and returns its 18-character id. */
    public String create(String sobject, Map<String, ?> fields) {
        String[] id = new String[1];
        org.transaction(tx -> id[0] = tx.create(sobject, fields));
        return id[0];
    }

    /** Changes a record (one UPDATE event); fields set to null appear in {@code nulledFields}. */
    public void update(String sobject, String id, Map<String, ?> changes) {
        org.transaction(tx -> tx.update(sobject, id, changes));
    }

    /** The same changes to several records: one UPDATE event naming them all. */
    public void updateMany(String sobject, List<String> ids, Map<String, ?> changes) {
        org.transaction(tx -> tx.updateMany(sobject, ids, changes));
    }

    /**
     * Several changes in one transaction: their events share a {@code transactionKey} and count up
     * {@code sequenceNumber}. A failure midway leaves the earlier changes applied but publishes no event.
     *
     * @return the transaction key
     */
    public String inTransaction(Consumer<OrgTransaction> work) {
        return org.transaction(work);
    }

    public void delete(String sobject, String id) {
        org.transaction(tx -> tx.delete(sobject, id));
    }

    public void undelete(String sobject, String id) {
        org.transaction(tx -> tx.undelete(sobject, id));
    }

    /** Changes REST sees (LastModifiedDate and SystemModstamp move) without any change event. */
    public void updateSilently(String sobject, String id, Map<String, ?> changes) {
        org.updateSilently(sobject, id, changes);
    }

    /** A gap event ({@code GAP_CREATE}, {@code GAP_UPDATE}, {@code GAP_DELETE}, {@code GAP_UNDELETE}): ids, no data. */
    public void emitGap(String sobject, String changeType, List<String> ids) {
        org.emitGap(sobject, changeType, ids);
    }

    /** A {@code GAP_OVERFLOW} event whose record id is the object's key prefix and a wildcard, e.g. {@code 001*}. */
    public void emitOverflow(String sobject) {
        org.emitOverflow(sobject);
    }

    /** The record's current fields (in-memory forms, see {@link FieldType}), deleted ones too; empty if unknown. */
    public Optional<Map<String, Object>> record(String sobject, String id) {
        return org.record(sobject, id);
    }

    // ---- faults ----

    /** Every token handed out so far stops working: REST answers 401, gRPC calls and open streams an auth error. */
    public void expireSessions() {
        sessions.expireAll();
        pubSub.endAll(Status.UNAUTHENTICATED.withDescription("session expired"), PubSubAuth.AUTH_ERROR);
    }

    /** While true, the token endpoint refuses every login with {@code 400 invalid_grant}. */
    public void failLogins(boolean fail) {
        sessions.failLogins(fail);
    }

    /** Ends every open {@code Subscribe} stream with {@code UNAVAILABLE} (no error code), as a server restart would. */
    public void dropStreams() {
        pubSub.endAll(Status.UNAVAILABLE.withDescription("stream dropped by the stand-in"), null);
    }

    /** Drops events committed before the instant: their replay ids become unknown (corrupted on resume). */
    public void forgetEventsBefore(Instant instant) {
        log.forgetEventsBefore(instant);
    }

    /** Every replay id handed out so far becomes unknown; retained events get new ids; open streams go on. */
    public void invalidateReplayIds() {
        log.invalidateReplayIds();
    }

    /** From now on, events older than this are gone. */
    public void eventRetention(Duration retention) {
        log.retention(retention);
    }

    public void queryBatchSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        queryBatchSize = size;
    }

    /**
     * Changes a field's type: describe shows it with a later {@code Last-Modified}, stored values are converted
     * (null where they cannot be), and new events use a new schema (new schema id). No change event, as in
     * Salesforce.
     */
    public void changeFieldType(String sobject, String field, FieldType newType) {
        org.changeFieldType(sobject, field, newType);
    }

    public void changeFieldType(String sobject, String field, String newType) {
        changeFieldType(sobject, field, FieldType.of(newType));
    }

    /** Deletes a custom-like field: gone from describe, REST (INVALID_FIELD in SOQL), records and new events. */
    public void removeField(String sobject, String field) {
        org.removeField(sobject, field);
    }

    /**
     * Puts the object back as its data contract defines it, after {@link #changeFieldType} or {@link #removeField}:
     * describe changes again (later {@code Last-Modified}), stored values are converted back (removed fields come
     * back empty), new events get a new schema. For tests that change the shared org.
     */
    public void restoreObject(String sobject) {
        org.restoreObject(sobject);
    }

    // ---- observation ----

    /** The first request of every {@code Subscribe} stream, oldest first. */
    public List<ReceivedSubscription> subscribeRequests() {
        return pubSub.received();
    }

    public List<ReceivedSubscription> subscribeRequests(String topic) {
        return pubSub.received().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    /** Subscribe streams currently open. */
    public int openSubscriptions() {
        return pubSub.openSubscriptions();
    }

    /** Describe requests of the object so far, oldest first, with what was asked and answered. */
    public List<DescribeRequest> describeRequests(String sobject) {
        return restApi.describeRequests().stream()
                .filter(r -> r.sobject().equalsIgnoreCase(sobject))
                .toList();
    }

    /** Successful logins (tokens handed out). */
    public int loginCount() {
        return sessions.logins();
    }

    public int rejectedLoginCount() {
        return sessions.rejectedLogins();
    }

    /** Events sent to subscribers so far, counting each event once per stream that received it. */
    public long eventsDelivered() {
        return pubSub.delivered();
    }

    /** Retained events of the object (all objects for null), oldest first. */
    public List<PublishedEvent> publishedEvents(String sobject) {
        return log.events().stream()
                .filter(e -> sobject == null || e.entity().equalsIgnoreCase(sobject))
                .map(e -> new PublishedEvent(
                        Base64.getEncoder().encodeToString(log.replayId(e.position())),
                        e.eventUuid(),
                        e.entity(),
                        e.changeType(),
                        e.recordIds(),
                        e.schemaId(),
                        e.commitTime()))
                .toList();
    }

    /** The schema id new change events of the object are written with. */
    public String changeEventSchemaId(String sobject) {
        return org.currentSchema(sobject).id();
    }

    /** The Avro schema (JSON) of the object's new change events. */
    public String changeEventSchemaJson(String sobject) {
        return org.currentSchema(sobject).json();
    }

    // ---- inside ----

    private void eventsCommitted() {
        if (!scheduler.isShutdown()) {
            scheduler.execute(pubSub::pumpAll);
        }
    }

    private static String random(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().withUpperCase().formatHex(random).substring(0, bytes);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
