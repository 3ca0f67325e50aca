package io.sfcache.graphql;

import static org.awaitility.Awaitility.await;

import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.sync.PipelineHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/**
 * The redrive job API as an operator calls it, and dead letters to redrive: changes of an object of their own that
 * sfcache does not monitor (UNKNOWN_OBJECT), so a selection by that object matches exactly them whatever other tests
 * left behind, and every redrive of them fails again the same way.
 */
final class RedriveApi {

    static final String JOB = "id status matched processed succeeded failedAgain failedTransiently skipped failures "
            + "error startedAt finishedAt selection { sobject reason id }";
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private final PipelineHarness pipeline;
    private final int port;
    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());

    RedriveApi(PipelineHarness pipeline, int port) {
        this.pipeline = pipeline;
        this.port = port;
    }

    HttpGraphQlTester as(String role) {
        return GraphqlClients.as(port, "redrive-test", role);
    }

    HttpGraphQlTester ops() {
        return as(TokenIssuerStandin.OPS_ROLE);
    }

    /** {@code count} dead letters of a new unmonitored object, written by the pipeline; returns the object's name. */
    String deadLetters(int count) {
        String sobject =
                "Redrive" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "__c";
        List<ChangeMessageBuilder> changes = IntStream.range(0, count)
                .mapToObj(i -> messages.account().create().set("sobject", sobject))
                .toList();
        changes.forEach(pipeline::send);
        List<String> ids = changes.stream().map(ChangeMessageBuilder::eventId).toList();
        pipeline.awaitCompleted(ids);
        await().atMost(DEADLINE)
                .until(() ->
                        ids.stream().allMatch(id -> pipeline.deadLetterOf(id).isPresent()));
        return sobject;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> redrive(String sobject) {
        return ops().document("mutation($sobject: String) { redrive(sobject: $sobject) { " + JOB + " } }")
                .variable("sobject", sobject)
                .execute()
                .path("redrive")
                .entity(Map.class)
                .get();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> job(Object id) {
        return ops().document("query($id: ID!) { redriveJob(id: $id) { " + JOB + " } }")
                .variable("id", id)
                .execute()
                .path("redriveJob")
                .entity(Map.class)
                .get();
    }

    Map<String, Object> awaitStatus(Object id, String status) {
        return await().atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> job(id), job -> status.equals(job.get("status")));
    }
}
