package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.salesforce.SalesforceStandin;
import io.sfcache.sync.PipelineHarness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The fault-injection tests: each breaks something on the stand-ins, then asserts how long sfcache took to
 * notice (against the short windows of application-test.yaml) and the repaired final state.
 */
@SfcacheIntegrationTest
// Heartbeats go missing within seconds here (the shared context waits an hour); repairs stay manual, as in production
// with healing off, so each test sees its own reconciliation (healing: HealOnAlarmTest). Its own queue and no MBeans,
// so this context does not compete with the shared one; CDC off: the shared context is the JVM's one subscriber.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.servicebus.queue=monitoring-faults-test",
            "spring.jmx.enabled=false",
            // Alarms, heartbeats and checkpoints of its own: the shared context must not read this one's alarms.
            "sfcache.sync.state-container=sync-state-monitoring-faults-test",
            "sfcache.monitoring.heartbeat.missing-after=4s",
            "sfcache.monitoring.schema-drift.enabled=false"
        })
// Closed after the class: its watchdogs and describe polls would otherwise act on the shared stand-ins during
// later tests, as a second replica would.
@DirtiesContext
class MonitoringFaultsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    MeterRegistry meters;

    @Autowired
    HealthEndpoint health;

    @Autowired
    HeartbeatWatchdog heartbeats;

    @Autowired
    PublisherAccounting accounting;

    @Autowired
    ReconciliationRuns reconciliation;

    @Autowired
    org.apache.camel.ProducerTemplate producer;

    @Autowired
    ReaderProbe readerProbe;

    @Autowired
    io.sfcache.sync.SyncState syncState;

    @Value("${sfcache.monitoring.heartbeat.missing-after}")
    Duration missingAfter;

    @Value("${sfcache.monitoring.heartbeat.check-interval}")
    Duration heartbeatCheck;

    @Value("${sfcache.monitoring.stall.after}")
    Duration stallAfter;

    @Value("${sfcache.monitoring.stall.check-interval}")
    Duration stallCheck;

    @LocalServerPort
    int port;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    private final SalesforceStandin salesforce = SalesforceStandin.shared();

    @Test
    void aSilentPublisherWithZeroTrafficRaisesTheHeartbeatAlarmWithinTheWindow() {
        ChangeMessageBuilder beat = messages.heartbeat(SObjectType.CONTACT, 0, null);
        pipeline.awaitCompleted(pipeline.send(beat));
        Instant sentAt = Instant.parse(beat.toNode().get("commitTime").asText());
        await().atMost(DEADLINE).until(() -> gauge("sfcache.heartbeat.missing", "Contact") == 0);

        // Nothing more is sent: no traffic, no errors. Only the missing heartbeat can tell.
        await().atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> gauge("sfcache.heartbeat.missing", "Contact") == 1);
        Duration detectedAfter = Duration.between(sentAt, Instant.now());

        // never early; how soon after the window it goes off is HeartbeatWatchdogTest's, on a clock it moves
        assertThat(detectedAfter).isGreaterThanOrEqualTo(missingAfter);
        Health component = (Health) health.healthForPath("sync", "heartbeats");
        assertThat(component.getStatus()).isEqualTo(Status.DOWN);
        assertThat(component.getDetails().get("Contact").toString()).contains("missing=true");
        assertThat(gauge("sfcache.heartbeat.age", "Contact")).isGreaterThanOrEqualTo(missingAfter.toSeconds());
    }

    @Test
    void messagesLostBetweenThePublisherAndSfcacheShowAsANumber() {
        Instant start = Instant.now().minusSeconds(60);
        pipeline.awaitCompleted(pipeline.send(
                messages.heartbeat(SObjectType.OPPORTUNITY, 0, null).commitTime(start)));
        // The publisher sent five changes in the next interval; two never reach the queue.
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            SalesforceRecord opportunity = messages.opportunity();
            sent.add(pipeline.send(opportunity.create().commitTime(start.plusSeconds(i))));
        }
        pipeline.awaitCompleted(sent);
        Instant second = start.plusSeconds(10);
        pipeline.awaitCompleted(pipeline.send(
                messages.heartbeat(SObjectType.OPPORTUNITY, 5, start).commitTime(second)));
        // Settled one heartbeat later, when late messages have had a whole interval to arrive.
        pipeline.awaitCompleted(pipeline.send(
                messages.heartbeat(SObjectType.OPPORTUNITY, 0, second).commitTime(start.plusSeconds(20))));

        await().atMost(DEADLINE).until(() -> accounting.unaccounted("Opportunity") == 2);
        assertThat(gauge("sfcache.publisher.unaccounted.messages", "Opportunity"))
                .isEqualTo(2.0);
    }

    @Test
    void changesWhoseMessagesNeverArriveAreRepairedByReconciliation() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("Name", "Reconcile Me");
        fields.put("OwnerId", salesforce.userId());
        fields.put("BillingCity", "Porto");
        String id = salesforce.create("Account", fields);
        // Whether or not the change event got there first, a run stores what Salesforce holds.
        reconcileAll();
        assertThat(pipeline.record("Account", id)).isPresent();
        // Changed in Salesforce, but no message and no change event ever comes.
        salesforce.updateSilently("Account", id, Map.of("BillingCity", "Faro", "Rating", "Cold"));
        double repairedBefore = counter("sfcache.reconciliation.repaired");

        reconcileAll();

        JsonNode stored = pipeline.record("Account", id).orElseThrow();
        assertThat(stored.path("fields").path("BillingCity").asText()).isEqualTo("Faro");
        assertThat(counter("sfcache.reconciliation.repaired") - repairedBefore).isGreaterThanOrEqualTo(1);
        assertThat(reconciliation.lastRuns().get("Account").repaired()).isGreaterThanOrEqualTo(1);
        // What an app reading the record sees.
        GraphqlClients.reader(port, "monitoring-test")
                .document("{ account(id: \"" + id + "\") { billingCity freshness { source } } }")
                .execute()
                .path("account.billingCity")
                .entity(String.class)
                .isEqualTo("Faro")
                .path("account.freshness.source")
                .entity(String.class)
                .isEqualTo("RECONCILIATION");
    }

    @Test
    void aStalledConsumerIsDetectedAndRestarted() {
        double restartsBefore = counter("sfcache.consumer.stall.restarts");
        SalesforceRecord account = messages.account();
        pipeline.messaging().silenceReceivers(pipeline.queueName());
        Instant stalledAt = Instant.now();
        String messageId = pipeline.send(account.create());

        await().atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> counter("sfcache.consumer.stall.restarts") > restartsBefore);
        Duration detectedAfter = Duration.between(stalledAt, Instant.now());
        pipeline.awaitCompleted(messageId);

        assertThat(detectedAfter).as("never before the stall window").isGreaterThanOrEqualTo(stallAfter);
        assertThat(pipeline.record("Account", account.id())).isPresent();
        await().atMost(DEADLINE).until(() -> gauge("sfcache.consumer.stalled", null) == 0);
    }

    @Test
    void afterAQueueOutageOfHoursEverythingConvergesAndTheLagTellsTheStory() {
        String queue = pipeline.queueName();
        long lagCountBefore = lagCount();
        pipeline.messaging().block(queue, true);
        try {
            // No heartbeat can arrive: the alarm goes off within the window.
            await().atMost(DEADLINE).until(() -> gauge("sfcache.heartbeat.missing", "Account") == 1);
        } finally {
            pipeline.messaging().block(queue, false);
        }

        // The publisher's retry job sends what three hours of outage held back, then its heartbeat.
        ChangeMessages backlog =
                ChangeMessages.live(new Random(), Clock.offset(Clock.systemUTC(), Duration.ofHours(-3)));
        List<SalesforceRecord> records = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            SalesforceRecord account = backlog.account();
            records.add(account);
            ids.add(pipeline.send(account.create()));
        }
        ChangeMessageBuilder beat = messages.heartbeat(SObjectType.ACCOUNT, 20, null);
        ids.add(pipeline.send(beat));
        pipeline.awaitCompleted(ids);

        assertThat(records)
                .allSatisfy(r -> assertThat(pipeline.record("Account", r.id())).isPresent());
        assertThat(lagCount() - lagCountBefore).isGreaterThanOrEqualTo(20);
        assertThat(meters.get("sfcache.sync.lag")
                        .tags("sobject", "Account", "source", "QUEUE")
                        .timer()
                        .max(java.util.concurrent.TimeUnit.HOURS))
                .isGreaterThanOrEqualTo(2.9);
        Health lag = (Health) health.healthForPath("sync", "syncLag");
        assertThat(lag.getStatus()).isEqualTo(Status.DOWN);
        // The heartbeat after the outage is on record (the short test window lets it go missing again quickly).
        Instant beatSentAt = Instant.parse(beat.toNode().get("commitTime").asText());
        assertThat(syncState.readHeartbeat("Account"))
                .hasValueSatisfying(h -> assertThat(h.sentAt()).isEqualTo(beatSentAt));
        // And the reader's-eye probe reads the newest record through GraphQL.
        await().atMost(DEADLINE).until(() -> readerProbe.observations().containsKey("Account"));
        HealthComponent sync = health.healthForPath("sync");
        assertThat(((CompositeHealth) sync).getComponents())
                .containsKeys(
                        "heartbeats", "syncLag", "consumer", "openDeadLetters", "reconciliation", "changeDataCapture");
    }

    private long lagCount() {
        return meters.find("sfcache.sync.lag").tag("sobject", "Account").timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    private double gauge(String name, String sobject) {
        var search = meters.find(name);
        if (sobject != null) {
            search = search.tag("sobject", sobject);
        }
        return search.gauge().value();
    }

    private double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** What the reconciliation route's timer does, now and waited for. */
    private void reconcileAll() {
        producer.requestBody("direct:reconcile-all", (Object) null);
    }
}
