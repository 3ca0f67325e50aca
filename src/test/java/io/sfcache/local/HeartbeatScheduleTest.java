package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.ContractValidation;
import io.sfcache.fixtures.Json;
import io.sfcache.fixtures.SObjectType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatScheduleTest {

    private static final Instant START = Instant.parse("2025-06-02T09:00:00Z");

    private final HeartbeatSchedule schedule = new HeartbeatSchedule(ChangeMessages.seeded(3), Duration.ofSeconds(30));

    @Test
    void firstHeartbeatsGoOutAtOnceThenEveryIntervalWithTheCountSentSincePrevious() {
        List<Outgoing> first = schedule.due(START);
        assertThat(first).extracting(Outgoing::sobject).containsExactly(SObjectType.values());
        assertThat(first).allSatisfy(beat -> {
            assertThat(heartbeat(beat).path("sentSincePrevious").asLong()).isZero();
            assertThat(heartbeat(beat).path("previousHeartbeatTime").isNull()).isTrue();
            assertThat(heartbeat(beat).path("lastSentTime").isNull())
                    .as("nothing sent yet")
                    .isTrue();
        });

        List<Outgoing> traffic = new SimulatedTraffic(ChangeMessages.seeded(9), 5, 0.2, 0.2).next(300);
        Instant sentAt = START.plusSeconds(12);
        traffic.forEach(message -> schedule.sent(message, sentAt));
        assertThat(schedule.due(START.plusSeconds(29)))
                .as("not due before the interval")
                .isEmpty();

        List<Outgoing> second = schedule.due(START.plusSeconds(30));
        assertThat(second).hasSize(3);
        ContractValidation contracts = new ContractValidation();
        for (Outgoing beat : second) {
            long expected = traffic.stream()
                    .filter(m -> m.sobject() == beat.sobject())
                    .filter(m -> m.kind() != Outgoing.Kind.REDELIVERED)
                    .count();
            assertThat(heartbeat(beat).path("sentSincePrevious").asLong())
                    .as(beat.sobject().apiName())
                    .isEqualTo(expected)
                    .isPositive();
            assertThat(heartbeat(beat).path("previousHeartbeatTime").asText()).isEqualTo("2025-06-02T09:00:00.000Z");
            assertThat(Json.read(beat.body()).path("commitTime").asText()).isEqualTo("2025-06-02T09:00:30.000Z");
            assertThat(contracts.validate(beat.body()).problems()).isEmpty();
            assertHealthyPublisher(heartbeat(beat));
            assertThat(heartbeat(beat).path("lastSentTime").asText()).isEqualTo("2025-06-02T09:00:12.000Z");
        }
        // Re-deliveries and unattributable bodies are in the traffic but not in any count.
        long counted = second.stream()
                .mapToLong(beat -> heartbeat(beat).path("sentSincePrevious").asLong())
                .sum();
        assertThat(counted).isLessThan(traffic.size());

        assertThat(schedule.due(START.plusSeconds(60)))
                .allSatisfy(beat -> assertThat(
                                heartbeat(beat).path("sentSincePrevious").asLong())
                        .isZero());
    }

    /** What a healthy publisher says about itself, so the local run's heartbeat health stays UP. */
    private static void assertHealthyPublisher(JsonNode heartbeat) {
        assertThat(heartbeat.path("publishingEnabled").asBoolean(false)).isTrue();
        assertThat(heartbeat.path("triggerActive").asBoolean(false)).isTrue();
        assertThat(heartbeat.path("outboxPending").isIntegralNumber()).isTrue();
        assertThat(heartbeat.path("outboxPending").asLong()).isZero();
        assertThat(heartbeat.path("outboxFailed").asLong(-1)).isZero();
        assertThat(heartbeat.path("failedSincePrevious").asLong(-1)).isZero();
        assertThat(heartbeat.path("oldestPendingTime").isNull()).isTrue();
        assertThat(heartbeat.path("unpublishedSince").isNull()).isTrue();
    }

    private static JsonNode heartbeat(Outgoing beat) {
        return Json.read(beat.body()).path("heartbeat");
    }
}
