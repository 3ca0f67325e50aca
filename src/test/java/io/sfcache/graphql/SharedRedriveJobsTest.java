package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.sync.DeadLetterStore;
import io.sfcache.sync.PipelineHarness;
import io.sfcache.sync.RedriveJob;
import io.sfcache.sync.RedriveJobDocuments;
import io.sfcache.sync.RedriveJobs;
import io.sfcache.sync.SyncMeters;
import io.sfcache.sync.SyncProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Redrive jobs with several replicas: a second {@link RedriveJobs} over the same sync-state (the Cosmos stand-in) is
 * another replica, and this context's GraphQL API, the replica a load balancer happened to pick, finds its job, lists
 * it, joins it and cancels it; the job's result outlives the replica; a job whose replica stopped reporting is shown
 * FAILED, not RUNNING for ever.
 */
@SfcacheIntegrationTest
class SharedRedriveJobsTest {

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    DeadLetterStore store;

    @Autowired
    RedriveJobDocuments documents;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    CamelContext camel;

    @Autowired
    SyncMeters meters;

    @Autowired
    SyncProperties sync;

    @LocalServerPort
    int port;

    private RedriveApi api;

    @BeforeEach
    void api() {
        api = new RedriveApi(pipeline, port);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aJobRunningOnAnotherReplicaIsFoundListedJoinedAndCancelledHere() {
        int letters = 60;
        String sobject = api.deadLetters(letters);
        RedriveJobs otherReplica = replica(Duration.ofMillis(200));
        RedriveJob.Snapshot started;
        try {
            started = otherReplica.start(DeadLetterStore.Filter.of(sobject, null, null));

            assertThat(api.job(started.id())).containsEntry("status", "RUNNING");
            assertThat(api.ops()
                            .document("{ redriveJobs { id } }")
                            .execute()
                            .path("redriveJobs[*].id")
                            .entityList(String.class)
                            .get())
                    .contains(started.id());
            // The same selection here joins the other replica's job instead of redriving the letters twice.
            assertThat(api.redrive(sobject)).containsEntry("id", started.id());

            api.ops()
                    .document("mutation($id: ID!) { cancelRedriveJob(id: $id) { id status } }")
                    .variable("id", started.id())
                    .execute()
                    .path("cancelRedriveJob.id")
                    .entity(String.class)
                    .isEqualTo(started.id());
            Map<String, Object> cancelled = api.awaitStatus(started.id(), "CANCELLED");
            assertThat((Integer) cancelled.get("processed")).isLessThan(letters);
            assertThat(cancelled.get("finishedAt")).isNotNull();
        } finally {
            otherReplica.destroy();
        }
        // The replica is gone; its job's result is not.
        assertThat(api.job(started.id())).containsEntry("status", "CANCELLED");
    }

    @Test
    void aJobWhoseReplicaStoppedReportingIsShownFailedAndNotJoined() {
        Instant now = Instant.now();
        String sobject = "Gone" + UUID.randomUUID().toString().substring(0, 8) + "__c";
        RedriveJob.Snapshot running = new RedriveJob.Snapshot(
                UUID.randomUUID().toString(),
                DeadLetterStore.Filter.of(sobject, null, null),
                RedriveJob.Status.RUNNING,
                10,
                3,
                0,
                0,
                0,
                List.of(),
                null,
                now.minusSeconds(120),
                null);
        // Last written longer ago than three share intervals: its replica was killed, or lost Cosmos.
        Instant lastWritten = now.minus(sync.getRedrive().getShareInterval().multipliedBy(4))
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        documents.write(running, "replica-that-was-killed", lastWritten);

        Map<String, Object> seen = api.job(running.id());
        assertThat(seen).containsEntry("status", "FAILED").containsEntry("processed", 3);
        assertThat((String) seen.get("error")).contains("replica-that-was-killed", "redrive them again");
        assertThat(Instant.parse((String) seen.get("finishedAt"))).isEqualTo(lastWritten);
        // A new request for the selection starts a job of its own.
        assertThat(api.redrive(sobject).get("id")).isNotEqualTo(running.id());
    }

    /** Another replica's redrive jobs: the same beans, its own jobs, sharing every {@code shareInterval}. */
    private RedriveJobs replica(Duration shareInterval) {
        SyncProperties settings = new SyncProperties();
        settings.getRedrive().setRatePerSecond(sync.getRedrive().getRatePerSecond());
        settings.getRedrive().setShareInterval(shareInterval);
        return new RedriveJobs(store, documents, producer, camel, meters, Clock.systemUTC(), settings);
    }
}
