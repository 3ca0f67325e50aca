package io.sfcache.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.ContractValidation;
import io.sfcache.fixtures.Json;
import io.sfcache.fixtures.RecordVersion;
import io.sfcache.fixtures.SObjectType;
import io.sfcache.fixtures.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the simulated publisher sends, generated with a fixed seed and checked as a stream, without Service Bus. */
class SimulatedTrafficTest {

    private static final int MESSAGES = 2_000;
    private static final int POOL_SIZE = 20;
    private static List<Outgoing> stream;

    @BeforeAll
    static void generate() {
        SimulatedTraffic traffic = new SimulatedTraffic(ChangeMessages.seeded(4242), POOL_SIZE, 0.05, 0.05);
        stream = traffic.next(MESSAGES);
    }

    private static long count(Predicate<Outgoing> predicate) {
        return stream.stream().filter(predicate).count();
    }

    @Test
    void invalidAndOutOfOrderSharesAreRoughlyTheConfiguredRatios() {
        // Binomial spread at n = 2,000 and p = 0.05 is about 0.005: 0.015 is three standard deviations.
        assertThat((double) count(m -> m.kind() == Outgoing.Kind.INVALID) / MESSAGES)
                .isCloseTo(0.05, within(0.015));
        assertThat((double) count(Outgoing::outOfOrder) / MESSAGES).isCloseTo(0.05, within(0.015));
        assertThat(count(m -> m.kind() == Outgoing.Kind.REDELIVERED)).isPositive();
        assertThat(count(m -> m.kind() == Outgoing.Kind.LATE)).isPositive();
    }

    @Test
    void otherRatiosAreHonouredToo() {
        List<Outgoing> none = new SimulatedTraffic(ChangeMessages.seeded(1), POOL_SIZE, 0, 0).next(500);
        assertThat(none).allMatch(m -> m.kind() == Outgoing.Kind.CHANGE);

        List<Outgoing> many = new SimulatedTraffic(ChangeMessages.seeded(2), POOL_SIZE, 0.2, 0.2).next(MESSAGES);
        assertThat((double) many.stream()
                                .filter(m -> m.kind() == Outgoing.Kind.INVALID)
                                .count()
                        / MESSAGES)
                .isCloseTo(0.2, within(0.03));
        assertThat((double) many.stream().filter(Outgoing::outOfOrder).count() / MESSAGES)
                .isCloseTo(0.2, within(0.03));
    }

    @Test
    void everyValidMessagePassesTheContractsAndEveryInvalidOneFailsAsItsViolationSays() {
        ContractValidation contracts = new ContractValidation();
        Set<Violation> violationsSeen = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        for (Outgoing message : stream) {
            ContractValidation.Result result = contracts.validate(message.body());
            if (message.kind() != Outgoing.Kind.INVALID) {
                if (!result.valid()) {
                    wrong.add(message.kind() + " " + result.problems() + " " + message.body());
                }
                continue;
            }
            Violation violation = violationOf(result, message.body());
            if (violation == null) {
                wrong.add("INVALID passed or failed unexpectedly: " + result.problems() + " " + message.body());
            } else {
                violationsSeen.add(violation);
            }
        }
        assertThat(wrong).isEmpty();
        // About 100 invalid messages over 15 kinds: each kind shows up.
        assertThat(violationsSeen).containsExactlyInAnyOrderElementsOf(Violation.plausible());
    }

    /** The one Violation whose stage, path and keyword match the single reported problem, or null. */
    private static Violation violationOf(ContractValidation.Result result, String body) {
        if (result.problems().size() != 1) {
            return null;
        }
        ContractValidation.Problem problem = result.problems().get(0);
        List<Violation> matching = new ArrayList<>();
        for (Violation violation : Violation.values()) {
            if (violation.stage() == problem.stage()
                    && Objects.equals(violation.path(), problem.path())
                    && Objects.equals(violation.keyword(), problem.keyword())
                    && (violation.property() == null || violation.property().equals(problem.property()))) {
                matching.add(violation);
            }
        }
        // MALFORMED_JSON and EMPTY_BODY look alike to a validator: tell them apart by the body.
        if (matching.size() > 1) {
            return body.isEmpty() ? Violation.EMPTY_BODY : Violation.MALFORMED_JSON;
        }
        return matching.isEmpty() ? null : matching.get(0);
    }

    @Test
    void recordsAreCreatedFirstThenChangedInALifecycleSalesforceAllows() {
        Map<String, String> lastChange = new HashMap<>();
        Set<String> accountsCreated = new HashSet<>();
        Map<SObjectType, Set<String>> records = new HashMap<>();
        int updates = 0;
        for (Outgoing message : stream) {
            if (message.recordId() == null || message.outOfOrder()) {
                continue;
            }
            String previous = lastChange.get(message.recordId());
            String change = message.changeType();
            switch (change) {
                case "CREATE" -> assertThat(previous).as(message.body()).isNull();
                case "UPDATE", "DELETE" ->
                    assertThat(previous).as(message.body()).isIn("CREATE", "UPDATE", "UNDELETE");
                case "UNDELETE" -> assertThat(previous).as(message.body()).isEqualTo("DELETE");
                default -> throw new AssertionError(message.body());
            }
            updates += change.equals("UPDATE") ? 1 : 0;
            lastChange.put(message.recordId(), change);
            records.computeIfAbsent(message.sobject(), type -> new HashSet<>()).add(message.recordId());
            if (message.sobject() == SObjectType.ACCOUNT) {
                accountsCreated.add(message.recordId());
            } else if (change.equals("CREATE")) {
                JsonNode accountId = Json.read(message.body()).path("fields").path("AccountId");
                assertThat(accountId.isNull() || accountsCreated.contains(accountId.asText()))
                        .as("AccountId of %s names an Account sent before", message.recordId())
                        .isTrue();
            }
        }
        // A small pool: most changes hit existing records, and each object keeps roughly its pool size.
        assertThat(updates).isGreaterThan(MESSAGES * 3 / 4);
        for (SObjectType type : SObjectType.values()) {
            assertThat(records.get(type).size()).as(type.apiName()).isBetween(POOL_SIZE, POOL_SIZE + 60);
        }
        assertThat(count(m -> "DELETE".equals(m.changeType()))).isPositive();
        assertThat(count(m -> "UNDELETE".equals(m.changeType()))).isPositive();
    }

    @Test
    void outOfOrderMessagesAreOlderThanOneAlreadySentAndTheRestAreNewer() {
        Map<String, RecordVersion> newest = new HashMap<>();
        Map<String, String> bodies = new HashMap<>();
        int sameTransaction = 0;
        for (Outgoing message : stream) {
            if (message.recordId() == null) {
                continue;
            }
            RecordVersion seen = newest.get(message.recordId());
            switch (message.kind()) {
                case REDELIVERED -> {
                    assertThat(bodies.get(message.messageId()))
                            .as("re-delivered as sent")
                            .isEqualTo(message.body());
                    assertThat(seen.isNewerThan(message.version())).isTrue();
                }
                case LATE -> {
                    assertThat(bodies).as("a late change has its own eventId").doesNotContainKey(message.messageId());
                    assertThat(seen.isNewerThan(message.version())).isTrue();
                }
                case CHANGE -> {
                    assertThat(bodies).doesNotContainKey(message.messageId());
                    assertThat(seen == null || message.version().isNewerThan(seen))
                            .as(message.body())
                            .isTrue();
                    if (seen != null
                            && seen.systemModstamp().equals(message.version().systemModstamp())) {
                        sameTransaction++;
                    }
                    newest.put(message.recordId(), message.version());
                }
                default -> throw new AssertionError(message.kind());
            }
            bodies.putIfAbsent(message.messageId(), message.body());
        }
        assertThat(sameTransaction)
                .as("changes sharing a SystemModstamp, ordered by sequence")
                .isPositive();
    }

    @Test
    void aSeedRepeatsTheSameTraffic() {
        List<String> again = new SimulatedTraffic(ChangeMessages.seeded(4242), POOL_SIZE, 0.05, 0.05)
                .next(MESSAGES).stream().map(Outgoing::body).toList();
        assertThat(again).isEqualTo(stream.stream().map(Outgoing::body).toList());
    }
}
