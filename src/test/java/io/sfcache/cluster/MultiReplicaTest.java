package io.sfcache.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.InvalidChangeMessage;
import io.sfcache.fixtures.Json;
import io.sfcache.fixtures.RecordVersion;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.fixtures.Violation;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.ProjectDir;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.MessageView;
import io.sfcache.standin.messaging.QueueLoader;
import io.sfcache.standin.messaging.QueueOutcome;
import io.sfcache.standin.messaging.QueueSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Several sfcache replicas, each a JVM of its own ({@link ReplicaProcess}), sharing this JVM's stand-ins (Service Bus
 * and Event Hubs in this JVM, the Node Cosmos DB, Salesforce, the identity provider): three replicas drain a backlog of
 * changes in which {@value #HOT_RECORDS} hot records are each updated many times, sent in random order; once a third
 * of it is settled a follower is SIGKILLed and started again (same cluster id), once two thirds are settled the
 * leader is SIGKILLed and started again; the publisher's last fifth goes out once both are back, so they take part.
 * Then:
 *
 * <ul>
 *   <li>every record holds its newest version and that change's event id (a newer change whose fields equal the
 *       stored ones, {@code UNCHANGED}, moves the stored version on and keeps the announced event id: before, 18-24 records per run kept an older version, and a
 *       change between the two arriving late could have brought back older fields);
 *   <li>every message was settled exactly once: each message id completed on Service Bus exactly as often as it was
 *       sent (publisher resends included), nothing left on the queue or in its dead-letter sub-queue, every invalid
 *       message in sfcache's dead letters (one document, with a reason and a description), no valid one there;
 *   <li>every stored change's event was published at least once under a stable event id: an event id always
 *       announces the record and version it was sent with, each record's stored change has its event, and no invalid
 *       change has one;
 *   <li>produced versus consumed: the publisher's heartbeats claim every change message, and the replicas' counters
 *       ({@code sfcache_publisher_sent_messages_total} minus {@code sfcache_sync_received_messages_total}, summed over
 *       every replica JVM, the killed ones as last scraped before the kill) leave none unaccounted, within what a
 *       SIGKILL can blur (below);
 *   <li>exactly one replica led each leader-only route group ({@code master:} routes: reconciliation, schema drift) at
 *       any moment, from each replica's log; no group was without a leader for long, killing a follower changed no
 *       leader, and after the leader's kill another replica led within {@link #HANDOVER_BOUND} (printed: about 6-7 s
 *       with a 1 s lock interval, Camel's file cluster service waiting 5 intervals for a dead leader's heartbeat);
 *   <li>the restarted replicas received messages again.
 * </ul>
 *
 * <p><b>Size and time.</b> The full 5,000 changes fit: on the 2-core machine the test takes 80-90 s (three
 * replica JVMs ready in 22-25 s, the drain about 45 s with the wait for the two restarts, then the checks), so that
 * is the default; {@code -Dsfcache.multi-replica.changes=N} runs another size.
 *
 * <p><b>Counts across a SIGKILL.</b> sfcache counts a message as received in its route, before Service Bus has the
 * completion, and keeps the counters in the replica's memory. A replica killed mid-flight takes along what it counted
 * since its last scrape, and a message it counted but did not complete is counted again by the replica it is
 * redelivered to. The test scrapes the victim's counters just before the kill (a scrape takes up to a second or two on
 * a busy replica), so the sum must be exact up to, per kill, the completions Service Bus saw from that scrape until
 * the victim was gone (counts lost) and the victim's concurrent calls (counted twice). The gauge
 * {@code sfcache_publisher_unaccounted_messages} (settled against the sum of every replica's stored counts) is
 * printed, not asserted: a killed replica's counts since its last check are lost with it.
 *
 * <p>Nothing is skipped: the replicas need only Java and the stand-ins every integration test uses. It runs in a
 * surefire fork of its own (tag {@code multi-replica}, pom.xml), so only its replicas use those stand-ins. Their logs:
 * {@code target/multi-replica/<run>/replica-<n>-<incarnation>.log}.
 */
@Tag("multi-replica")
class MultiReplicaTest {

    static final String CHANGES_PROPERTY = "sfcache.multi-replica.changes";
    static final int DEFAULT_CHANGES = 5_000;
    static final int HOT_RECORDS = 200;
    static final int REPLICAS = 3;
    static final List<String> LEADER_GROUPS = List.of("reconciliation", "schema-drift");
    /**
     * File cluster service (camel-file): a follower checks the lock every second, and takes over once the dead
     * leader's heartbeat is older than 5 x that (Camel's multiplier); plus the route's start and a busy 2-core machine.
     */
    static final Duration LOCK_INTERVAL = Duration.ofSeconds(1);

    static final Duration HANDOVER_BOUND = Duration.ofSeconds(20);
    /** A lock that lapses well after sfcache renews it, and redelivers a killed replica's messages within seconds. */
    static final Duration LOCK_DURATION = Duration.ofSeconds(10);

    static final int MAX_CONCURRENT_CALLS = 8;
    static final Duration START = Duration.ofMinutes(3);
    static final Duration DRAIN = Duration.ofMinutes(6);

    /** What the test reads of each replica's metrics while it runs (the last scrape at the end reads everything). */
    static final List<String> COUNTERS = List.of(
            // Prometheus' own names (a counter's without _total) are what includedNames matches.
            "sfcache_sync_received_messages",
            "sfcache_sync_received_messages_total",
            "sfcache_publisher_sent_messages",
            "sfcache_publisher_sent_messages_total",
            "sfcache_sync_changes",
            "sfcache_sync_changes_total",
            "sfcache_sync_dead_letters",
            "sfcache_sync_dead_letters_total",
            "sfcache_publisher_unaccounted_messages");
    /** The share of the changes the publisher sends once the killed replicas are back, so they take part. */
    static final double TAIL = 0.2;

    private final List<ReplicaProcess> replicas = new ArrayList<>();
    private final ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopEverything() {
        scraper.shutdownNow();
        replicas.forEach(ReplicaProcess::destroyAll);
    }

    @Test
    void threeReplicasDrainWhileAFollowerAndThenTheLeaderAreKilledAndRestarted() {
        long testStarted = System.nanoTime();
        int total = Integer.getInteger(CHANGES_PROPERTY, DEFAULT_CHANGES);
        long seed = System.nanoTime();
        String run = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).format(java.time.LocalDateTime.now())
                + "-" + Long.toHexString(seed & 0xffff);
        String queue = "multi-replica-" + run;
        String hub = "multi-replica-events-" + run;
        String database = "sfcache-multi-replica-" + run;
        Path dir = ProjectDir.get().resolve("target/multi-replica/" + run);

        Map<String, String> settings = new LinkedHashMap<>();
        LocalStandins.properties().forEach((key, value) -> settings.put(key, String.valueOf(value)));
        AzureMessagingStandin messaging = AzureMessagingStandin.shared();
        messaging.configureQueue(queue, LOCK_DURATION, 100);
        settings.putAll(replicaSettings(queue, hub, database, dir.resolve("cluster")));
        Plan plan = Plan.generate(seed, total, HOT_RECORDS);
        System.out.printf(
                "Multi-replica run %s (seed %d): %d change messages (%d hot records, %d hot changes, %d cold records,"
                        + " %d invalid, %d publisher resends), queue %s, logs in %s%n",
                run,
                seed,
                plan.changes.size(),
                HOT_RECORDS,
                plan.hotChanges,
                plan.coldRecords,
                plan.invalid.size(),
                plan.resends,
                queue,
                dir);

        // --- three replicas, started together ---
        List<String> jvm = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
        for (int i = 1; i <= REPLICAS; i++) {
            replicas.add(new ReplicaProcess("replica-" + i, dir, jvm, settings));
        }
        long startBegin = System.nanoTime();
        replicas.forEach(ReplicaProcess::start);
        replicas.forEach(r -> r.awaitReady(START));
        Duration startup = Duration.ofNanos(System.nanoTime() - startBegin);
        await("three consumers on the queue")
                .atMost(Duration.ofSeconds(60))
                .until(() -> messaging.queue(queue).consumers() >= REPLICAS);
        await("a leader for every leader-only group")
                .atMost(Duration.ofSeconds(60))
                .until(() -> LEADER_GROUPS.stream().allMatch(group -> leaderOf(group) != null));
        scraper.scheduleWithFixedDelay(this::scrapeAll, 0, 1, TimeUnit.SECONDS);

        // --- the backlog: the publisher's first heartbeats, then most changes (the rest once the killed are back) ---
        long drainBegin = System.nanoTime();
        int tailStart = (int) Math.round(plan.queueOrder.size() * (1 - TAIL));
        List<ServiceBusMessage> backlog = new ArrayList<>(plan.firstHeartbeats);
        backlog.addAll(plan.queueOrder.subList(0, tailStart));
        List<ServiceBusMessage> tail = plan.queueOrder.subList(tailStart, plan.queueOrder.size());
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, backlog);
        Duration loading = Duration.ofNanos(System.nanoTime() - drainBegin);
        int expected = plan.firstHeartbeats.size() + plan.queueOrder.size();

        // --- a follower killed a third of the way through, started again at once ---
        await("a third settled").atMost(DRAIN).until(() -> completed(messaging, queue) >= backlog.size() / 3);
        ReplicaProcess follower = replicas.stream()
                .filter(r -> LeadershipLog.leading(r.current()).isEmpty())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no follower: every replica leads a group"));
        Map<String, String> leadersBefore = leaders();
        Kill followerKill = kill(follower, messaging, queue);
        follower.start();

        // --- the leader killed two thirds of the way through, started again at once ---
        await("two thirds settled").atMost(DRAIN).until(() -> completed(messaging, queue) >= 2 * backlog.size() / 3);
        // The leader: of the most groups, if one replica does not lead them all.
        ReplicaProcess leader = replicas.stream()
                .filter(r -> !LeadershipLog.leading(r.current()).isEmpty())
                .max((a, b) -> Integer.compare(
                        LeadershipLog.leading(a.current()).size(),
                        LeadershipLog.leading(b.current()).size()))
                .orElseThrow(() -> new AssertionError("no replica leads a group"));
        List<String> groupsLed = LeadershipLog.leading(leader.current());
        Map<String, String> leadersAfterFollowerKill = leaders();
        Kill leaderKill = kill(leader, messaging, queue);
        Map<String, Duration> handovers = new TreeMap<>();
        for (String group : groupsLed) {
            await("a new leader of " + group)
                    .atMost(HANDOVER_BOUND.plusSeconds(30))
                    .until(() -> leaderOf(group) != null);
            LeadershipLog.Term next = replicas.stream()
                    .flatMap(r -> r.incarnations().stream())
                    .flatMap(i -> LeadershipLog.terms(i).stream())
                    .filter(t -> t.group().equals(group) && t.from().isAfter(leaderKill.incarnation.killed))
                    .min((a, b) -> a.from().compareTo(b.from()))
                    .orElseThrow();
            handovers.put(group, Duration.between(leaderKill.incarnation.killed, next.from()));
            System.out.printf(
                    "Handover of %s: %s SIGKILLed at %s, %s leads from %s: %d ms%n",
                    group,
                    leaderKill.incarnation.name(),
                    leaderKill.incarnation.killed,
                    next.holder(),
                    next.from(),
                    handovers.get(group).toMillis());
        }
        leader.start();

        // --- the restarted replicas back, the publisher's last changes, everything settled ---
        follower.awaitReady(START);
        leader.awaitReady(START);
        await("the restarted replicas consume again")
                .atMost(Duration.ofSeconds(60))
                .until(() -> messaging.queue(queue).consumers() >= REPLICAS);
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, tail);
        try {
            await("every message settled")
                    .atMost(DRAIN)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> completed(messaging, queue) >= expected
                            && messaging.queue(queue).pending() == 0);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(unsettled(messaging.queue(queue), expected), e);
        }
        Duration drain = Duration.ofNanos(System.nanoTime() - drainBegin);

        // --- the publisher's next heartbeats: every change claimed, then one more to settle that interval ---
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, plan.claimingHeartbeats);
        await("the claiming heartbeats settled")
                .atMost(Duration.ofSeconds(60))
                .until(() -> completed(messaging, queue) >= expected + plan.claimingHeartbeats.size());
        QueueLoader.load(messaging.serviceBusConnectionString(), queue, plan.settlingHeartbeats);
        int allMessages = expected + plan.claimingHeartbeats.size() + plan.settlingHeartbeats.size();
        await("the settling heartbeats settled")
                .atMost(Duration.ofSeconds(60))
                .until(() -> completed(messaging, queue) >= allMessages);
        scraper.shutdownNow();
        replicas.forEach(r -> assertThat(ReplicaProcess.scrape(r.current()))
                .as("a last scrape of %s", r.current())
                .isPresent());

        SoftAssertions softly = new SoftAssertions();
        QueueSnapshot snapshot = messaging.queue(queue);
        Settlement settlement = checkSettledExactlyOnce(softly, snapshot, plan, allMessages);
        CosmosAsyncClient cosmos = CosmosStandin.shared().newClientBuilder().buildAsyncClient();
        Stored stored;
        try {
            CosmosAsyncDatabase db = cosmos.getDatabase(database);
            stored = checkNewestVersions(softly, db, plan);
            checkDeadLetters(softly, db, plan);
            checkEvents(softly, messaging.events(hub), stored.documents(), plan);
        } finally {
            cosmos.close();
        }
        Accounting accounting = checkProducedVersusConsumed(softly, plan, List.of(followerKill, leaderKill));
        for (ReplicaProcess restarted : List.of(follower, leader)) {
            softly.assertThat(
                            PrometheusText.sum(restarted.current().lastScrape, "sfcache_sync_received_messages_total"))
                    .as("%s, started again after the SIGKILL with the same cluster id, took part", restarted.current())
                    .isPositive();
        }

        // --- stop, then read who led when ---
        Instant stopping = Instant.now();
        replicas.forEach(ReplicaProcess::requestStop);
        replicas.forEach(r -> softly.assertThat(r.awaitStopped(Duration.ofSeconds(60)))
                .as("%s stops within 60 s of SIGTERM", r.current())
                .isTrue());
        checkOneLeaderAtATime(softly, stopping, List.of(followerKill, leaderKill));
        softly.assertThat(leadersAfterFollowerKill)
                .as("killing a follower changes no leader")
                .isEqualTo(leadersBefore);
        softly.assertThat(handovers).as("handovers after the leader's kill").isNotEmpty();
        handovers.forEach((group, handover) ->
                softly.assertThat(handover).as("handover of %s", group).isLessThanOrEqualTo(HANDOVER_BOUND));

        Duration wall = Duration.ofNanos(System.nanoTime() - testStarted);
        System.out.printf(
                "Multi-replica result: %d messages (%d changes + %d heartbeats) in %.1f s (loaded in %.1f s, %.0f"
                        + " messages/s over the whole drain, waiting for the restarts included); replicas ready %.1f s after start%n"
                        + "  settled: %d completed, %d abandoned, %d locks expired, %d redelivered after a kill or"
                        + " lock loss and completed once; %d dead-lettered by sfcache (all %d invalid ones), %d on"
                        + " Service Bus' own dead-letter queue%n"
                        + "  decisions (counters, killed replicas as last scraped): %s%n"
                        + "  records: %d, %d of them hold their newest data under an older version (UNCHANGED)%n"
                        + "  produced vs consumed: sent %d, received %d, unaccounted %d (allowed %d..%d); per-replica"
                        + " gauge sfcache_publisher_unaccounted_messages: %s%n"
                        + "  received per replica JVM (killed ones as last scraped): %s%n"
                        + "  kills: follower %s (window %d completions, %d locked), leader %s (window %d completions,"
                        + " %d locked); handover %s%n"
                        + "  wall time %.1f s%n",
                allMessages,
                plan.changes.size(),
                allMessages - plan.changes.size(),
                drain.toMillis() / 1000.0,
                loading.toMillis() / 1000.0,
                expected * 1000.0 / drain.toMillis(),
                startup.toMillis() / 1000.0,
                snapshot.outcome(QueueOutcome.COMPLETED),
                snapshot.outcome(QueueOutcome.ABANDONED),
                snapshot.outcome(QueueOutcome.LOCK_EXPIRED),
                settlement.redelivered,
                settlement.deadLettered,
                plan.invalid.size(),
                snapshot.deadLettered().size(),
                accounting.decisions,
                plan.newest.size(),
                stored.lagging(),
                accounting.sent,
                accounting.received,
                accounting.sent - accounting.received,
                accounting.lowest,
                accounting.highest,
                accounting.gauges,
                accounting.receivedPerReplica,
                followerKill.incarnation.name(),
                followerKill.completedInWindow,
                followerKill.lockedAtKill,
                leaderKill.incarnation.name(),
                leaderKill.completedInWindow,
                leaderKill.lockedAtKill,
                handovers.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().toMillis() + " ms")
                        .collect(Collectors.joining(", ")),
                wall.toMillis() / 1000.0);
        softly.assertAll();
    }

    // --- the replicas' settings ---

    private static Map<String, String> replicaSettings(String queue, String hub, String database, Path clusterRoot) {
        Map<String, String> settings = ReplicaProcess.queuePathSettings(queue, hub, database, clusterRoot);
        settings.put("sfcache.sync.max-concurrent-calls", Integer.toString(MAX_CONCURRENT_CALLS));
        // Not looked at here, off to spare the two cores.
        settings.put("management.tracing.enabled", "false");
        // A follower checks the lock every second (LOCK_INTERVAL), so the handover is measured in seconds.
        settings.put("camel.cluster.file.acquire-lock-delay", Long.toString(LOCK_INTERVAL.toMillis()));
        settings.put("camel.cluster.file.acquire-lock-interval", Long.toString(LOCK_INTERVAL.toMillis()));
        settings.put("spring.lifecycle.timeout-per-shutdown-phase", "10s");
        settings.put("camel.main.shutdown-timeout", "10");
        // LeadershipLog reads the time from the start of each line.
        settings.put("logging.pattern.console", "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %5p [%t] %c{1} : %m%n");
        return settings;
    }

    // --- the backlog ---

    /** One change message as sent, and what the test knows about it. */
    record Change(String messageId, String sobject, String recordId, RecordVersion version, boolean valid) {}

    /**
     * The messages of one run. Hot records get a create and many updates; cold records one create; invalid messages
     * break their object's contract in one way each (the publisher's envelope is fine: they are counted as sent);
     * publisher resends repeat an earlier message as it was (same message id, as the Apex outbox's retry does). The
     * queue order is a seeded shuffle of all of them, so a hot record's updates arrive in any order, its create
     * often after them. Heartbeats: one per object before the changes (nothing sent before), one after them claiming
     * every change message of its object, one more to settle that interval.
     */
    static final class Plan {
        final List<Change> changes = new ArrayList<>();
        final List<ServiceBusMessage> queueOrder = new ArrayList<>();
        final List<ServiceBusMessage> firstHeartbeats = new ArrayList<>();
        final List<ServiceBusMessage> claimingHeartbeats = new ArrayList<>();
        final List<ServiceBusMessage> settlingHeartbeats = new ArrayList<>();
        final Map<String, Change> newest = new HashMap<>();
        final Map<String, Change> byEventId = new HashMap<>();
        /** The fields each valid change carries (every monitored field: creates and full updates). */
        final Map<String, JsonNode> fieldsByEventId = new HashMap<>();

        final Map<String, Integer> copies = new HashMap<>();
        final List<Change> invalid = new ArrayList<>();
        int hotChanges;
        int coldRecords;
        int resends;

        static Plan generate(long seed, int total, int hotRecords) {
            Plan plan = new Plan();
            Random random = new Random(seed);
            ChangeMessages changes = ChangeMessages.seeded(seed);
            SObjectType[] types = SObjectType.values();
            Map<SObjectType, Instant> first = new LinkedHashMap<>();
            for (SObjectType type : types) {
                ChangeMessageBuilder beat = changes.heartbeat(type, 0, null);
                first.put(type, commitTime(beat));
                plan.firstHeartbeats.add(message(beat.toJson(), "heartbeat-0-" + type.apiName()));
            }
            int invalidCount = Math.max(1, total / 50);
            int resendCount = total / 100;
            int coldCount = total * 18 / 100;
            int hotCount = total - invalidCount - resendCount - coldCount;
            // Commit order: a shuffle of who changes next (0..hot-1: a hot record, -1 cold, -2 invalid).
            List<Integer> who = new ArrayList<>();
            for (int i = 0; i < hotCount; i++) {
                who.add(i % hotRecords);
            }
            for (int i = 0; i < coldCount; i++) {
                who.add(-1);
            }
            for (int i = 0; i < invalidCount; i++) {
                who.add(-2);
            }
            Collections.shuffle(who, random);
            List<Violation> violations = Arrays.stream(Violation.values())
                    .filter(v -> v.stage() == Violation.Stage.CONTRACT)
                    .toList();
            Map<Integer, SalesforceRecord> hot = new HashMap<>();
            List<String> bodies = new ArrayList<>();
            for (int w : who) {
                if (w == -2) {
                    InvalidChangeMessage bad =
                            changes.invalid().of(violations.get(plan.invalid.size() % violations.size()));
                    Change change = new Change(bad.messageId(), bad.sobject(), null, null, false);
                    plan.invalid.add(change);
                    plan.add(change, bad.body(), bodies);
                    continue;
                }
                ChangeMessageBuilder builder;
                if (w == -1) {
                    builder = record(changes, types[plan.coldRecords++ % types.length])
                            .create();
                } else {
                    SalesforceRecord record = hot.get(w);
                    if (record == null) {
                        record = record(changes, types[w % types.length]);
                        hot.put(w, record);
                        builder = record.create();
                    } else {
                        builder = record.update();
                    }
                    plan.hotChanges++;
                }
                Change change =
                        new Change(builder.eventId(), builder.sobject(), builder.recordId(), builder.version(), true);
                plan.byEventId.put(change.messageId(), change);
                plan.fieldsByEventId.put(change.messageId(), builder.fields());
                plan.newest.merge(
                        change.recordId(), change, (a, b) -> a.version().isNewerThan(b.version()) ? a : b);
                plan.add(change, builder.toJson(), bodies);
            }
            // Resends: an earlier valid message again, as it was.
            List<Change> valid = plan.changes.stream().filter(Change::valid).toList();
            List<String> validBodies = new ArrayList<>();
            for (int i = 0; i < plan.changes.size(); i++) {
                if (plan.changes.get(i).valid()) {
                    validBodies.add(bodies.get(i));
                }
            }
            for (int i = 0; i < resendCount; i++) {
                int pick = random.nextInt(valid.size());
                plan.add(valid.get(pick), validBodies.get(pick), bodies);
                plan.resends++;
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < plan.changes.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            for (int i : order) {
                plan.queueOrder.add(message(bodies.get(i), plan.changes.get(i).messageId()));
            }
            Map<String, Long> perObject =
                    plan.changes.stream().collect(Collectors.groupingBy(Change::sobject, Collectors.counting()));
            Map<SObjectType, Instant> claimed = new LinkedHashMap<>();
            for (SObjectType type : types) {
                ChangeMessageBuilder beat =
                        changes.heartbeat(type, perObject.getOrDefault(type.apiName(), 0L), first.get(type));
                claimed.put(type, commitTime(beat));
                plan.claimingHeartbeats.add(message(beat.toJson(), "heartbeat-1-" + type.apiName()));
            }
            for (SObjectType type : types) {
                ChangeMessageBuilder beat = changes.heartbeat(type, 0, claimed.get(type));
                plan.settlingHeartbeats.add(message(beat.toJson(), "heartbeat-2-" + type.apiName()));
            }
            return plan;
        }

        private void add(Change change, String body, List<String> bodies) {
            changes.add(change);
            bodies.add(body);
            copies.merge(change.messageId(), 1, Integer::sum);
        }

        private static SalesforceRecord record(ChangeMessages changes, SObjectType type) {
            return changes.record(type, null);
        }

        private static Instant commitTime(ChangeMessageBuilder builder) {
            return Instant.parse(builder.toNode().path("commitTime").asText());
        }

        private static ServiceBusMessage message(String body, String messageId) {
            return new ServiceBusMessage(body).setMessageId(messageId).setContentType("application/json");
        }
    }

    // --- kills and scrapes ---

    /**
     * A SIGKILL and what Service Bus saw around it.
     *
     * @param completedInWindow completions Service Bus saw from the victim's last scrape until it was gone
     * @param lockedAtKill      messages locked (delivered, not settled) on the whole queue right after the kill
     */
    record Kill(ReplicaProcess.Incarnation incarnation, int completedInWindow, int lockedAtKill) {}

    /**
     * Scrapes the victim (its counters as Prometheus last saw them), SIGKILLs it at once, and notes the completions
     * Service Bus saw from the scrape's start until the victim was gone: at most that many messages were counted by
     * the victim after the scrape (those counts die with it).
     */
    private static Kill kill(ReplicaProcess replica, AzureMessagingStandin messaging, String queue) {
        ReplicaProcess.Incarnation victim = replica.current();
        int before = completed(messaging, queue);
        assertThat(ReplicaProcess.scrape(victim, COUNTERS))
                .as("the last scrape of %s", victim)
                .isPresent();
        int consumers = messaging.queue(queue).consumers();
        replica.signalKill();
        int locked = messaging.queue(queue).locked().size();
        replica.awaitKilled();
        // Service Bus detaches a dead client's links when its connection drops; until then it would send it messages.
        await("Service Bus drops the receive link of " + victim)
                .atMost(Duration.ofSeconds(10))
                .until(() -> messaging.queue(queue).consumers() < consumers);
        // Each test-API call is a turn of the broker's reactor, which reads what the dead JVM's socket still held
        // (its last completions) as it goes: the second read comes after those.
        completed(messaging, queue);
        int after = completed(messaging, queue);
        System.out.printf(
                "SIGKILL %s at %s (%d completions from its last scrape until it was gone, %d messages locked at the"
                        + " kill)%n",
                victim, victim.killed, after - before, locked);
        return new Kill(victim, after - before, locked);
    }

    private void scrapeAll() {
        for (ReplicaProcess replica : replicas) {
            ReplicaProcess.Incarnation incarnation = replica.current();
            if (incarnation.alive() && incarnation.killed == null) {
                ReplicaProcess.scrape(incarnation, COUNTERS);
            }
        }
    }

    /**
     * What is left when the drain does not end: the queue's counts, the messages still on it, and each replica's
     * state and last warnings, so a failure on CI (where only the report survives) says where the messages stopped.
     */
    private String unsettled(QueueSnapshot snapshot, int expected) {
        StringBuilder text = new StringBuilder(String.format(
                "not every message settled: %d of %d completed, outcomes %s, %d consumers%n",
                snapshot.outcome(QueueOutcome.COMPLETED), expected, snapshot.outcomes(), snapshot.consumers()));
        Map<String, List<MessageView>> left = new LinkedHashMap<>();
        left.put("active", snapshot.active());
        left.put("locked", snapshot.locked());
        left.put("dead-lettered by Service Bus", snapshot.deadLettered());
        left.put("deferred", snapshot.deferred());
        left.forEach((state, messages) -> {
            text.append(String.format("  %s: %d%n", state, messages.size()));
            messages.stream()
                    .limit(20)
                    .forEach(m -> text.append(String.format(
                            "    %s seq %d, delivered %d times, enqueued %s%s%n",
                            m.messageId(),
                            m.sequenceNumber(),
                            m.deliveryCount(),
                            m.enqueuedTime(),
                            m.deadLetterReason() == null
                                    ? ""
                                    : ", " + m.deadLetterReason() + ": " + m.deadLetterErrorDescription())));
        });
        for (ReplicaProcess replica : replicas) {
            for (ReplicaProcess.Incarnation incarnation : replica.incarnations()) {
                List<String> warnings = incarnation.logLines().stream()
                        .filter(line -> line.contains(" WARN ") || line.contains("ERROR"))
                        // The invalid changes' dead letters are expected, one each.
                        .filter(line -> !line.contains(" dead-letter : Dead letter "))
                        .toList();
                text.append(String.format(
                        "  %s: alive %s, killed %s, %d warnings and errors, the last ones:%n",
                        incarnation, incarnation.alive(), incarnation.killed, warnings.size()));
                warnings.subList(Math.max(0, warnings.size() - 8), warnings.size())
                        .forEach(line -> text.append("    ").append(line).append(System.lineSeparator()));
            }
        }
        return text.toString();
    }

    private static int completed(AzureMessagingStandin messaging, String queue) {
        return messaging.outcomes(queue).getOrDefault(QueueOutcome.COMPLETED, 0);
    }

    /** The current leader of each group (the incarnation's name), or absent ones left out. */
    private Map<String, String> leaders() {
        Map<String, String> leaders = new TreeMap<>();
        for (String group : LEADER_GROUPS) {
            String leader = leaderOf(group);
            if (leader != null) {
                leaders.put(group, leader);
            }
        }
        return leaders;
    }

    private String leaderOf(String group) {
        List<String> holders = replicas.stream()
                .map(ReplicaProcess::current)
                .filter(i -> LeadershipLog.leading(i).contains(group))
                .map(ReplicaProcess.Incarnation::name)
                .toList();
        if (holders.size() > 1) {
            throw new AssertionError(group + " has several leaders at once: " + holders);
        }
        return holders.isEmpty() ? null : holders.get(0);
    }

    // --- checks ---

    /** How messages were settled. */
    record Settlement(int redelivered, int deadLettered) {}

    private static Settlement checkSettledExactlyOnce(
            SoftAssertions softly, QueueSnapshot snapshot, Plan plan, int allMessages) {
        softly.assertThat(snapshot.pending()).as("messages still on the queue").isZero();
        softly.assertThat(snapshot.deadLettered())
                .as("Service Bus' own dead-letter queue (drained into sfcache's dead letters)")
                .isEmpty();
        Map<String, Long> completions = snapshot.completed().stream()
                .collect(Collectors.groupingBy(MessageView::messageId, Collectors.counting()));
        Map<String, Long> sent = new HashMap<>();
        plan.copies.forEach((id, n) -> sent.put(id, (long) n));
        for (List<ServiceBusMessage> beats :
                List.of(plan.firstHeartbeats, plan.claimingHeartbeats, plan.settlingHeartbeats)) {
            beats.forEach(m -> sent.merge(m.getMessageId(), 1L, Long::sum));
        }
        softly.assertThat(completions)
                .as("completions per message id = copies sent (each message settled exactly once)")
                .isEqualTo(sent);
        softly.assertThat(snapshot.completed()).hasSize(allMessages);
        int redelivered = (int)
                snapshot.completed().stream().filter(m -> m.deliveryCount() > 0).count();
        return new Settlement(redelivered, plan.invalid.size());
    }

    /** The stored documents by id, and how many hold their newest data under an older version. */
    record Stored(Map<String, JsonNode> documents, int lagging) {}

    private static RecordVersion version(JsonNode node) {
        return new RecordVersion(
                Instant.parse(node.path("version").path("systemModstamp").asText()),
                node.path("version").path("sequence").asLong());
    }

    private static Stored checkNewestVersions(SoftAssertions softly, CosmosAsyncDatabase db, Plan plan) {
        Map<String, JsonNode> stored = new HashMap<>();
        for (SObjectType type : SObjectType.values()) {
            List<JsonNode> documents = db.getContainer(type.apiName().toLowerCase(Locale.ROOT))
                    .queryItems("SELECT * FROM c", new CosmosQueryRequestOptions(), JsonNode.class)
                    .collectList()
                    .block(Duration.ofSeconds(60));
            documents.forEach(d -> stored.put(d.path("id").asText(), d));
        }
        List<String> wrong = new ArrayList<>();
        List<String> lagging = new ArrayList<>();
        plan.newest.forEach((recordId, newest) -> {
            JsonNode document = stored.get(recordId);
            if (document == null) {
                wrong.add(recordId + ": missing, newest " + newest.version());
                return;
            }
            RecordVersion version = version(document);
            String eventId = document.path("sync").path("eventId").asText();
            if (version.equals(newest.version()) && eventId.equals(newest.messageId())) {
                return;
            }
            Change storedChange = plan.byEventId.get(eventId);
            JsonNode newestFields = plan.fieldsByEventId.get(newest.messageId());
            List<String> differing = new ArrayList<>();
            newestFields.fieldNames().forEachRemaining(name -> {
                if (!sameValue(newestFields.get(name), document.path("fields").get(name))) {
                    differing.add(name + " stored " + document.path("fields").get(name) + ", newest "
                            + newestFields.get(name));
                }
            });
            // The newest change was UNCHANGED: the version moved on, the event id stayed the one that announced the
            // same fields (an earlier change of this record).
            boolean announcedEarlier = storedChange != null
                    && storedChange.recordId().equals(recordId)
                    && newest.version().isNewerThan(storedChange.version())
                    && differing.isEmpty();
            if (version.equals(newest.version()) && announcedEarlier) {
                return;
            }
            if (newest.version().isNewerThan(version) && announcedEarlier) {
                // An older version holding the newest data: an UNCHANGED change that was not written (the bug fixed).
                lagging.add(recordId + " " + version + " < " + newest.version());
            } else {
                wrong.add(recordId + ": stored " + version + " (event " + eventId + "), newest " + newest.version()
                        + " (event " + newest.messageId() + "); "
                        + (differing.isEmpty() ? "same fields" : "fields differ: " + differing));
            }
        });
        softly.assertThat(wrong)
                .as("records (of %d) holding neither their newest version nor its data", plan.newest.size())
                .isEmpty();
        softly.assertThat(lagging)
                .as("records holding their newest data under an older version (an UNCHANGED change not written)")
                .isEmpty();
        List<String> invalidStored = plan.invalid.stream()
                .map(Change::messageId)
                .filter(id -> stored.values().stream()
                        .anyMatch(d -> id.equals(d.path("sync").path("eventId").asText())))
                .toList();
        softly.assertThat(invalidStored).as("invalid changes stored").isEmpty();
        return new Stored(stored, lagging.size());
    }

    /** JSON values as sfcache compares them: numbers by value, a missing field as null. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        boolean aNull = a == null || a.isNull();
        boolean bNull = b == null || b.isNull();
        if (aNull || bNull) {
            return aNull && bNull;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static void checkDeadLetters(SoftAssertions softly, CosmosAsyncDatabase db, Plan plan) {
        List<JsonNode> letters = db.getContainer("dead-letters")
                .queryItems("SELECT * FROM c", new CosmosQueryRequestOptions(), JsonNode.class)
                .collectList()
                .block(Duration.ofSeconds(60));
        Map<String, List<JsonNode>> byMessage = letters.stream()
                .collect(Collectors.groupingBy(d -> d.path("messageId").asText()));
        Set<String> invalidIds = plan.invalid.stream().map(Change::messageId).collect(Collectors.toSet());
        softly.assertThat(byMessage.keySet())
                .as("sfcache's dead letters: exactly the invalid messages")
                .isEqualTo(invalidIds);
        byMessage.forEach((id, docs) -> {
            softly.assertThat(docs).as("dead letters of %s", id).hasSize(1);
            softly.assertThat(docs.get(0).path("reason").asText())
                    .as("reason of dead letter %s", id)
                    .isNotBlank();
            softly.assertThat(docs.get(0).path("description").asText())
                    .as("description of dead letter %s", id)
                    .isNotBlank();
        });
    }

    private static void checkEvents(
            SoftAssertions softly, List<MessageView> events, Map<String, JsonNode> stored, Plan plan) {
        Map<String, List<JsonNode>> byEventId = new HashMap<>();
        for (MessageView event : events) {
            JsonNode body = Json.read(event.bodyAsString());
            byEventId
                    .computeIfAbsent(body.path("eventId").asText(), k -> new ArrayList<>())
                    .add(body);
        }
        // Stable: an event id announces one change, the one it was sent with, however often it is published.
        List<String> unstable = new ArrayList<>();
        byEventId.forEach((eventId, bodies) -> {
            Change change = plan.byEventId.get(eventId);
            if (change == null) {
                return; // a reconciliation's record from the Salesforce stand-in, not this test's
            }
            for (JsonNode body : bodies) {
                RecordVersion version = new RecordVersion(
                        Instant.parse(
                                body.path("version").path("systemModstamp").asText()),
                        body.path("version").path("sequence").asLong());
                if (!body.path("recordId").asText().equals(change.recordId()) || !version.equals(change.version())) {
                    unstable.add(eventId + " announced " + body + " for change " + change);
                }
            }
        });
        softly.assertThat(unstable).as("event ids announcing another change").isEmpty();
        // Every record's stored change was announced.
        List<String> unannounced = plan.newest.keySet().stream()
                .map(stored::get)
                .filter(java.util.Objects::nonNull)
                .map(d -> d.path("id").asText() + " "
                        + d.path("sync").path("eventId").asText())
                .filter(idAndEvent -> !byEventId.containsKey(idAndEvent.substring(idAndEvent.indexOf(' ') + 1)))
                .toList();
        softly.assertThat(unannounced)
                .as("records (of %d) whose stored change has no event", plan.newest.size())
                .isEmpty();
        List<String> invalidAnnounced = plan.invalid.stream()
                .map(Change::messageId)
                .filter(byEventId::containsKey)
                .toList();
        softly.assertThat(invalidAnnounced).as("invalid changes announced").isEmpty();
    }

    /** Produced versus consumed, from every replica JVM's counters. */
    record Accounting(
            long sent,
            long received,
            long lowest,
            long highest,
            Map<String, Long> decisions,
            String gauges,
            String receivedPerReplica) {}

    private Accounting checkProducedVersusConsumed(SoftAssertions softly, Plan plan, List<Kill> kills) {
        List<ReplicaProcess.Incarnation> all =
                replicas.stream().flatMap(r -> r.incarnations().stream()).toList();
        Function<String, Long> sum = metric -> all.stream()
                .mapToLong(i -> Math.round(PrometheusText.sum(i.lastScrape, metric)))
                .sum();
        long sent = sum.apply("sfcache_publisher_sent_messages_total");
        long received = sum.apply("sfcache_sync_received_messages_total");
        // Lost with a victim: what it counted after its last scrape (at most the completions from that scrape to the
        // kill). Counted twice: what it counted and did not complete (at most its concurrent calls), redelivered.
        long lost = kills.stream().mapToLong(Kill::completedInWindow).sum();
        long doubled = (long) kills.size() * MAX_CONCURRENT_CALLS;
        softly.assertThat(sent)
                .as("the publisher's claims as sfcache counted them (heartbeats are handled after the kills)")
                .isEqualTo(plan.changes.size());
        softly.assertThat(sent - received)
                .as("unaccounted: sent %d - received %d, summed over %s", sent, received, all)
                .isBetween(-doubled, lost);
        // Kill-independent: each JVM counts a handled message as received once, whether it was stored, skipped or
        // dead-lettered (a scrape reads both counters at once; a killed JVM may be mid-way between the two steps).
        long handled = sum.apply("sfcache_sync_changes_total") + sum.apply("sfcache_sync_dead_letters_total");
        softly.assertThat(received - handled)
                .as("received %d - handled (decisions + dead letters) %d, summed over %s", received, handled, all)
                .isBetween(-doubled, doubled);
        Map<String, Long> decisions = new TreeMap<>();
        for (ReplicaProcess.Incarnation incarnation : all) {
            incarnation.lastScrape.forEach((series, value) -> {
                if (series.startsWith("sfcache_sync_changes_total{")) {
                    String outcome = series.replaceAll(".*outcome=\"([^\"]*)\".*", "$1");
                    decisions.merge(outcome, Math.round(value), Long::sum);
                }
            });
        }
        String gauges = all.stream()
                .map(i -> i.name() + " "
                        + i.lastScrape.entrySet().stream()
                                .filter(e -> e.getKey().startsWith("sfcache_publisher_unaccounted_messages{"))
                                .map(e -> e.getKey().replaceAll(".*sobject=\"([^\"]*)\".*", "$1") + "="
                                        + Math.round(e.getValue()))
                                .sorted()
                                .collect(Collectors.joining(",", "[", "]")))
                .collect(Collectors.joining("; "));
        String receivedPerReplica = all.stream()
                .map(i -> i.name() + " "
                        + Math.round(PrometheusText.sum(i.lastScrape, "sfcache_sync_received_messages_total")))
                .collect(Collectors.joining(", "));
        return new Accounting(sent, received, -doubled, lost, decisions, gauges, receivedPerReplica);
    }

    private void checkOneLeaderAtATime(SoftAssertions softly, Instant stopping, List<Kill> kills) {
        List<LeadershipLog.Term> terms = replicas.stream()
                .flatMap(r -> r.incarnations().stream())
                .flatMap(i -> LeadershipLog.terms(i).stream())
                // The final shutdown hands leadership around while every replica stops: not part of the test.
                .filter(t -> t.from().isBefore(stopping))
                .map(t -> t.to() == null || t.to().isAfter(stopping)
                        ? new LeadershipLog.Term(t.group(), t.holder(), t.from(), stopping, t.endedByKill())
                        : t)
                .toList();
        for (String group : LEADER_GROUPS) {
            List<LeadershipLog.Term> ofGroup = terms.stream()
                    .filter(t -> t.group().equals(group))
                    .sorted((a, b) -> a.from().compareTo(b.from()))
                    .toList();
            System.out.printf(
                    "Leadership of %s: %s%n",
                    group,
                    ofGroup.stream()
                            .map(t -> t.holder() + " " + t.from() + " .. " + t.to()
                                    + (t.endedByKill() ? " (killed)" : ""))
                            .collect(Collectors.joining("; ")));
            softly.assertThat(ofGroup).as("terms of %s", group).isNotEmpty();
            for (int i = 0; i < ofGroup.size(); i++) {
                for (int j = i + 1; j < ofGroup.size(); j++) {
                    softly.assertThat(ofGroup.get(i).overlaps(ofGroup.get(j)))
                            .as("%s led by two at once: %s and %s", group, ofGroup.get(i), ofGroup.get(j))
                            .isFalse();
                }
            }
            // No moment without a leader, except right after a leader's SIGKILL, and then not for long.
            for (int i = 0; i + 1 < ofGroup.size(); i++) {
                LeadershipLog.Term ended = ofGroup.get(i);
                LeadershipLog.Term next = ofGroup.get(i + 1);
                Duration gap = Duration.between(ended.to(), next.from());
                if (ended.endedByKill()) {
                    softly.assertThat(gap)
                            .as("%s without a leader after %s was killed", group, ended.holder())
                            .isLessThanOrEqualTo(HANDOVER_BOUND);
                } else {
                    softly.assertThat(gap)
                            .as("%s without a leader between %s and %s", group, ended, next)
                            .isLessThanOrEqualTo(Duration.ofSeconds(5));
                }
            }
            if (!ofGroup.isEmpty()) {
                softly.assertThat(ofGroup.get(ofGroup.size() - 1).to())
                        .as("%s has a leader until the replicas stop", group)
                        .isEqualTo(stopping);
            }
        }
        softly.assertThat(kills)
                .allSatisfy(k -> assertThat(k.incarnation().killed).isNotNull());
    }
}
