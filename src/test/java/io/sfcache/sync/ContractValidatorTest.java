package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.observation.ObservationRegistry;
import io.sfcache.contracts.DataContracts;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;

/** A contract violation names the field as people write it, not as the validator's JSON pointer. */
class ContractValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataContracts CONTRACTS = new DataContracts(
            List.of("Account", "Contact", "Opportunity"),
            "classpath:contracts/objects/",
            new DefaultResourceLoader(),
            JSON);

    private final ContractValidator validator = new ContractValidator(CONTRACTS, ObservationRegistry.NOOP);

    @Test
    void eachViolationNamesTheFieldWhatWasExpectedAndWhatCame() {
        ObjectNode fields = JSON.createObjectNode()
                .put("Name", "Acme")
                .put("AnnualRevenue", "abc")
                .put("BillingCity", "x".repeat(58));
        ChangeMessage change = new ChangeMessage(
                "evt-1",
                "Account",
                ChangeType.UPDATE,
                "001000000000001AAA",
                new RecordVersion(Instant.EPOCH, 0),
                Instant.EPOCH,
                fields,
                true,
                null);

        assertThatThrownBy(() -> validator.validate(change))
                .isInstanceOfSatisfying(
                        RejectedChangeException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.violations())
                                .containsExactly(
                                        "AnnualRevenue: expected [number or null], got string \"abc\"",
                                        "BillingCity: at most 40 characters allowed, got 58"));
    }
}
