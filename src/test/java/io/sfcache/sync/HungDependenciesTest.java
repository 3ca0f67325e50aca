package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A dependency that accepts connections and never answers (the stand-ins' hang faults), next to the refusal and 503
 * cases of {@link SyncReliabilityTest}: reads fail fast with DEPENDENCY_UNAVAILABLE, health goes DOWN within the
 * issue's 60 s (here, with the test's short check interval, within seconds), the consumer pauses with the message
 * kept on the queue, and everything recovers on its own once the dependency answers again.
 */
@SfcacheIntegrationTest
class HungDependenciesTest {

    /** The bound on detection; the test's check settings (application-test.yaml) detect within ~8 s. */
    private static final Duration DETECTION = Duration.ofSeconds(60);

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    IngestCircuitBreaker breaker;

    @LocalServerPort
    int port;

    private final CosmosStandin cosmos = CosmosStandin.shared();
    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());

    @AfterEach
    void answerAgain() {
        cosmos.restore();
        pipeline.messaging().stallEventHubs(false);
    }

    @Test
    void aHungStoreFailsReadsFastTakesThePodOutOfServiceAndPausesConsumptionUntilItAnswers() {
        awaitHealthy();
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();

        cosmos.hang();

        reader().document("query { accounts(first: 5) { edges { node { id } } } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors).singleElement().satisfies(error -> {
                    assertThat(error.getExtensions()).containsEntry("code", "DEPENDENCY_UNAVAILABLE");
                    assertThat(error.getMessage()).contains("record store");
                }));
        await().atMost(DETECTION).untilAsserted(() -> {
            assertThat(status("/actuator/health/readiness")).isEqualTo("DOWN");
            assertThat(status("/actuator/health/sync")).isEqualTo("DOWN");
            assertThat(breaker.getStateAsString()).isEqualTo("opened");
        });
        assertThat(details("cosmosDb"))
                .containsEntry("status", "DOWN")
                .extractingByKey("details")
                .asString()
                .contains("no answer within");
        assertThat(status("/actuator/health/liveness"))
                .as("a hung store is no reason to restart")
                .isEqualTo("UP");

        // Sent while paused: stays on the queue, neither completed nor dead-lettered.
        pipeline.send(create);
        assertThat(pipeline.queue().completed()).noneMatch(m -> create.eventId().equals(m.messageId()));

        cosmos.restore();

        await().atMost(DETECTION).untilAsserted(() -> {
            assertThat(status("/actuator/health/readiness")).isEqualTo("UP");
            assertThat(breaker.getStateAsString()).isEqualTo("closed");
        });
        pipeline.awaitCompleted(create.eventId());
        assertThat(pipeline.record("Account", account.id())).isPresent();
        assertThat(pipeline.deadLetterOf(create.eventId())).isEmpty();
    }

    @Test
    void aHungEventHubPausesConsumptionWhileReadsGoOn() {
        awaitHealthy();
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();

        pipeline.messaging().stallEventHubs(true);

        await().atMost(DETECTION).untilAsserted(() -> {
            assertThat(status("/actuator/health/sync")).isEqualTo("DOWN");
            assertThat(breaker.getStateAsString()).isEqualTo("opened");
        });
        assertThat(details("eventHubs")).containsEntry("status", "DOWN");
        assertThat(status("/actuator/health/readiness"))
                .as("reads do not need Event Hubs")
                .isEqualTo("UP");
        reader().document("query { accounts(first: 1) { edges { node { id } } } }")
                .execute()
                .errors()
                .verify();

        pipeline.send(create);

        pipeline.messaging().stallEventHubs(false);

        await().atMost(DETECTION).untilAsserted(() -> {
            assertThat(details("eventHubs")).containsEntry("status", "UP");
            assertThat(breaker.getStateAsString()).isEqualTo("closed");
        });
        pipeline.awaitCompleted(create.eventId());
        assertThat(pipeline.record("Account", account.id())).isPresent();
        // At least once: a publish that timed out while the hub hung may also arrive, with the same event id.
        assertThat(pipeline.events(account.id()))
                .isNotEmpty()
                .allSatisfy(event -> assertThat(event.path("eventId").asText()).isEqualTo(create.eventId()));
    }

    private void awaitHealthy() {
        await().atMost(DETECTION).untilAsserted(() -> {
            assertThat(details("cosmosDb")).containsEntry("status", "UP");
            assertThat(details("eventHubs")).containsEntry("status", "UP");
            assertThat(breaker.getStateAsString()).isEqualTo("closed");
        });
    }

    private HttpGraphQlTester reader() {
        return GraphqlClients.reader(port, "hung-test");
    }

    private WebTestClient http() {
        return WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    private String status(String path) {
        Map<?, ?> body = http().get()
                .uri(path)
                .exchange()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return String.valueOf(body.get("status"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> details(String component) {
        String ops = TokenIssuerStandin.shared()
                .mint("ops-person", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(10));
        return http().get()
                .uri("/actuator/health/sync/" + component)
                .headers(h -> h.setBearerAuth(ops))
                .exchange()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
    }
}
