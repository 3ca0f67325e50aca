package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.sync.PipelineHarness;
import io.sfcache.sync.SyncProperties;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/**
 * Redrive as a background job over the GraphQL API, at the default rate, on dead letters the real pipeline wrote
 * ({@link RedriveApi}). Joining a running job and the rate bound: {@link RedriveRateTest}.
 */
@SfcacheIntegrationTest
class RedriveJobApiTest {

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    MeterRegistry meters;

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
    void redriveAnswersAtOnceWithAJobThatFinishesInTheBackground() {
        int letters = 40;
        String sobject = api.deadLetters(letters);
        String other = api.deadLetters(3);

        Map<String, Object> started = api.redrive(sobject);
        // Answered with the work still to do: at 20 letters a second, 40 take two seconds.
        assertThat(started.get("status")).isEqualTo("RUNNING");
        assertThat(started.get("finishedAt")).isNull();
        assertThat((Map<String, Object>) started.get("selection"))
                .containsEntry("sobject", sobject)
                .containsEntry("reason", null)
                .containsEntry("id", null);
        // Another selection gets a job of its own.
        Map<String, Object> otherJob = api.redrive(other);
        assertThat(otherJob.get("id")).isNotEqualTo(started.get("id"));
        assertThat(api.ops()
                        .document("{ redriveJobs { id status } }")
                        .execute()
                        .path("redriveJobs[*].id")
                        .entityList(String.class)
                        .get())
                .contains((String) started.get("id"), (String) otherJob.get("id"));

        Map<String, Object> done = api.awaitStatus(started.get("id"), "DONE");
        assertThat(done)
                .containsEntry("matched", letters)
                .containsEntry("processed", letters)
                .containsEntry("succeeded", 0)
                .containsEntry("failedAgain", letters)
                .containsEntry("failedTransiently", 0)
                .containsEntry("skipped", 0)
                .containsEntry("error", null);
        assertThat(done.get("finishedAt")).isNotNull();
        assertThat((List<String>) done.get("failures"))
                .hasSize(letters)
                .allSatisfy(failure -> assertThat(failure).endsWith(": UNKNOWN_OBJECT"));
        assertThat(api.awaitStatus(otherJob.get("id"), "DONE"))
                .containsEntry("matched", 3)
                .containsEntry("failedAgain", 3);

        // Counted by outcome, per object.
        assertThat(meters.get("sfcache.redrive.letters")
                        .tag("sobject", sobject)
                        .tag("outcome", "FAILED_AGAIN")
                        .counter()
                        .count())
                .isEqualTo(letters);
        assertThat(meters.find("sfcache.redrive.letters")
                        .tag("sobject", sobject)
                        .tag("outcome", "SUCCEEDED")
                        .counter())
                .isNull();
    }

    @Test
    void aCancelledJobStopsAndTheNextRequestStartsAFreshOne() {
        String sobject = api.deadLetters(20);
        Map<String, Object> first = api.redrive(sobject);
        api.ops()
                .document("mutation($id: ID!) { cancelRedriveJob(id: $id) { id } }")
                .variable("id", first.get("id"))
                .execute()
                .path("cancelRedriveJob.id")
                .entity(String.class)
                .isEqualTo((String) first.get("id"));
        Map<String, Object> cancelled = api.awaitStatus(first.get("id"), "CANCELLED");
        assertThat((Integer) cancelled.get("processed")).isLessThan(20);
        assertThat(cancelled.get("finishedAt")).isNotNull();

        // Not running any more, so not joined: a new job.
        Map<String, Object> second = api.redrive(sobject);
        assertThat(second.get("id")).isNotEqualTo(first.get("id"));
        assertThat(api.awaitStatus(second.get("id"), "DONE"))
                .containsEntry("matched", 20)
                .containsEntry("failedAgain", 20);
        api.ops()
                .document("{ redriveJob(id: \"no-such-job\") { id } }")
                .execute()
                .path("redriveJob")
                .valueIsNull();
    }

    @Test
    void anotherSelectionIsRefusedWhileTheMostJobsRun() {
        int most = sync.getRedrive().getMaxRunningJobs();
        List<String> objects =
                IntStream.range(0, most).mapToObj(i -> api.deadLetters(10)).toList();
        List<Object> running =
                objects.stream().map(api::redrive).map(job -> job.get("id")).toList();

        api.ops()
                .document("mutation { redrive(sobject: \"Nothing__c\") { id } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors).singleElement().satisfies(e -> {
                    assertThat(e.getErrorType().toString()).isEqualTo("BAD_REQUEST");
                    assertThat(e.getMessage()).contains("max-running-jobs");
                }));
        // Accepted (no error) once they are done.
        running.forEach(id -> api.awaitStatus(id, "DONE"));
        assertThat(api.redrive("Nothing__c").get("id")).isNotNull();
    }

    @Test
    void redriveJobsNeedTheOpsRole() {
        HttpGraphQlTester reader = api.as(TokenIssuerStandin.READER_ROLE);
        for (String document : List.of(
                "mutation { redrive { id } }",
                "{ redriveJob(id: \"x\") { id } }",
                "{ redriveJobs { id } }",
                "mutation { cancelRedriveJob(id: \"x\") { id } }")) {
            reader.document(document)
                    .execute()
                    .errors()
                    .satisfy(errors -> assertThat(errors)
                            .as(document)
                            .anySatisfy(
                                    e -> assertThat(e.getErrorType().toString()).isEqualTo("FORBIDDEN")));
        }
    }
}
