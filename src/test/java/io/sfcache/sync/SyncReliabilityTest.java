package io.sfcache.sync;

import static io.sfcache.sync.PipelineHarness.FinalState.DEAD_LETTERED;
import static io.sfcache.sync.PipelineHarness.FinalState.STORED_OR_SKIPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.messaging.MessageView;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Outages and recovery: a good record is never lost and never dead-lettered because a dependency was down, and
 * dead letters can be sent through again.
 */
@SfcacheIntegrationTest
class SyncReliabilityTest {

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    RedriveJobs redriveJobs;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    private final CosmosStandin cosmos = CosmosStandin.shared();

    @AfterEach
    void healthy() throws Exception {
        cosmos.restore();
        pipeline.messaging().block(pipeline.hubName(), false);
        camel.getRouteController().startRoute("servicebus-ingest");
    }

    private MessageView onQueue(String messageId) {
        return pipeline.queue().active().stream()
                .filter(m -> messageId.equals(m.messageId()))
                .findFirst()
                .or(() -> pipeline.queue().locked().stream()
                        .filter(m -> messageId.equals(m.messageId()))
                        .findFirst())
                .orElse(null);
    }

    @Test
    void whileCosmosIsDownTheChangeWaitsOnTheQueueAndIsStoredOnceCosmosIsBack() {
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();
        cosmos.makeUnavailable();
        pipeline.send(create);

        // Retried, then given back to Service Bus: delivered again, never completed, never dead-lettered.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            MessageView m = onQueue(create.eventId());
            return m != null && m.deliveryCount() >= 1;
        });
        // (Cosmos is down, so only Service Bus can be asked.)
        assertThat(pipeline.queue().completed()).noneMatch(m -> create.eventId().equals(m.messageId()));
        assertThat(pipeline.queue().deadLettered())
                .noneMatch(m -> create.eventId().equals(m.messageId()));

        cosmos.restore();
        pipeline.awaitCompleted(create.eventId());
        assertThat(pipeline.record("Account", account.id())).isPresent();
        assertThat(pipeline.deadLetterOf(create.eventId())).isEmpty();
        assertThat(pipeline.events(account.id())).hasSize(1);
        assertThat(pipeline.finalState(create.eventId())).isEqualTo(STORED_OR_SKIPPED);
    }

    @Test
    void storedButNotAnnouncedChangeIsAnnouncedOnRedeliveryWithTheSameEventIdAndNotRewritten() {
        // A change stored in Cosmos whose event could not be published (Event Hubs down, or sfcache crashing in
        // between) is not completed; its redelivery finds it stored and publishes the same event.
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();
        pipeline.messaging().block(pipeline.hubName(), true);
        pipeline.send(create);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> pipeline.record("Account", account.id()).isPresent());
        JsonNode firstWrite = pipeline.record("Account", account.id()).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            MessageView m = onQueue(create.eventId());
            return m != null && m.deliveryCount() >= 1;
        });
        assertThat(pipeline.events(account.id())).isEmpty();

        pipeline.messaging().block(pipeline.hubName(), false);
        pipeline.awaitCompleted(create.eventId());

        assertThat(pipeline.events(account.id()))
                .singleElement()
                .satisfies(e -> assertThat(e.path("eventId").asText()).isEqualTo(create.eventId()));
        JsonNode afterRedelivery = pipeline.record("Account", account.id()).orElseThrow();
        assertThat(afterRedelivery.path("_etag"))
                .as("the record was written once")
                .isEqualTo(firstWrite.path("_etag"));
        assertThat(afterRedelivery.path("sync").path("syncedAt"))
                .isEqualTo(firstWrite.path("sync").path("syncedAt"));
        assertThat(pipeline.finalState(create.eventId())).isEqualTo(STORED_OR_SKIPPED);
    }

    @Test
    void redriveSendsDeadLettersThroughAgainAndReportsWhatFailedAgain() throws Exception {
        // A good change that Service Bus dead-lettered on its own (say, after an outage) ...
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder good = account.create();
        camel.getRouteController().stopRoute("servicebus-ingest");
        pipeline.send(good);
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(pipeline.messaging().serviceBusConnectionString())
                .receiver()
                .queueName(pipeline.queueName())
                .disableAutoComplete()
                .buildClient()) {
            ServiceBusReceivedMessage received = receiver.receiveMessages(1, Duration.ofSeconds(10)).stream()
                    .findFirst()
                    .orElseThrow();
            receiver.deadLetter(
                    received,
                    new DeadLetterOptions()
                            .setDeadLetterReason("MaxDeliveryCountExceeded")
                            .setDeadLetterErrorDescription("simulated outage"));
        }
        camel.getRouteController().startRoute("servicebus-ingest");
        // ... and a change that breaks its contract.
        ChangeMessageBuilder bad = messages.account().create().field("AnnualRevenue", "lots");
        pipeline.send(bad);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> pipeline.deadLetterOf(good.eventId()).isPresent()
                        && pipeline.deadLetterOf(bad.eventId()).isPresent());
        JsonNode goodLetter = pipeline.deadLetterOf(good.eventId()).orElseThrow();
        assertThat(goodLetter.path("reason").asText()).isEqualTo("SERVICE_BUS_DEAD_LETTER");
        assertThat(goodLetter.path("description").asText()).contains("MaxDeliveryCountExceeded", "simulated outage");
        assertThat(pipeline.record("Account", account.id())).isEmpty();

        // Through the route, by id: it answers with the job it started, which then runs in the background.
        Object reply = producer.requestBodyAndHeader(
                "direct:redrive",
                null,
                "SfcacheRedriveId",
                goodLetter.path("id").asText());
        assertThat(reply).isInstanceOf(RedriveJob.Snapshot.class);
        String routeJob = ((RedriveJob.Snapshot) reply).id();
        RedriveJob.Snapshot done = await().atMost(Duration.ofSeconds(30))
                .until(() -> redriveJobs.find(routeJob).orElseThrow(), job -> job.status() == RedriveJob.Status.DONE);
        assertThat(done.succeeded()).isEqualTo(1);
        assertThat(pipeline.record("Account", account.id())).isPresent();
        assertThat(pipeline.deadLetterOf(good.eventId())
                        .orElseThrow()
                        .path("status")
                        .asText())
                .isEqualTo("REDRIVEN");

        // Through JMX (what Hawtio calls), by id: the answer names the job; the contract is still broken, so the
        // letter fails again.
        String badId =
                pipeline.deadLetterOf(bad.eventId()).orElseThrow().path("id").asText();
        ObjectName mbean = new ObjectName("io.sfcache:type=Redrive");
        Object started = ManagementFactory.getPlatformMBeanServer()
                .invoke(mbean, "redriveId", new Object[] {badId}, new String[] {String.class.getName()});
        Matcher jobId = Pattern.compile("^job (\\S+) ").matcher(started.toString());
        assertThat(jobId.find()).as(started.toString()).isTrue();
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> ManagementFactory.getPlatformMBeanServer()
                                .invoke(mbean, "job", new Object[] {jobId.group(1)}, new String[] {
                                    String.class.getName()
                                })
                                .toString(),
                        summary -> summary.contains(" DONE ")
                                && summary.contains("matched 1, processed 1, succeeded 0, " + "failed again 1"));
        JsonNode badLetter = pipeline.deadLetterOf(bad.eventId()).orElseThrow();
        assertThat(badLetter.path("status").asText()).isEqualTo("OPEN");
        assertThat(badLetter.path("attempts").asInt()).isEqualTo(2);
        assertThat(badLetter.path("description").asText()).contains("AnnualRevenue");

        assertThat(pipeline.finalState(bad.eventId())).isEqualTo(DEAD_LETTERED);
        assertThat(pipeline.queue().deadLettered())
                .noneMatch(m -> good.eventId().equals(m.messageId()));
    }
}
