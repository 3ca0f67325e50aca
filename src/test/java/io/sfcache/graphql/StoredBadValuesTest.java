package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.GraphqlClients;
import io.sfcache.sync.PipelineHarness;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/**
 * A value no contract allows any more, stored before sfcache checked it (a non-finite number kept as the text
 * "Infinity"): the record stays readable, the bad field is an error for that field only, and the rest of the page,
 * sorted on that very field, is served.
 */
@SfcacheIntegrationTest
class StoredBadValuesTest {

    @Autowired
    private PipelineHarness pipeline;

    @LocalServerPort
    private int port;

    @Test
    void aStoredValueTheSchemaCannotServeIsAnErrorForThatFieldAndThePageIsServed() {
        String city = "Badvalues-" + UUID.randomUUID().toString().substring(0, 8);
        ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
        List<ChangeMessageBuilder> creates = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            creates.add(messages.account()
                    .create()
                    .field("Name", "Bad value " + i)
                    .field("BillingCity", city)
                    .field("AnnualRevenue", i * 1000.0));
        }
        creates.forEach(pipeline::send);
        pipeline.awaitCompleted(
                creates.stream().map(ChangeMessageBuilder::eventId).toList());
        String poisoned = creates.get(1).recordId();
        ObjectNode stored = (ObjectNode) pipeline.record("Account", poisoned).orElseThrow();
        ((ObjectNode) stored.get("fields")).put("AnnualRevenue", "Infinity");
        pipeline.storeRaw("Account", stored);

        var response = reader().document(
                        "query { accounts(first: 10, filter: {billingCity: {eq: \"" + city
                                + "\"}}, orderBy: {field: ANNUAL_REVENUE, direction: ASC}) { edges { node { id name annualRevenue } } } }")
                .execute();

        response.errors()
                .satisfy(errors -> assertThat(errors).singleElement().satisfies(error -> {
                    assertThat(error.getPath()).startsWith("accounts.edges[").endsWith("].node.annualRevenue");
                    assertThat(error.getMessage()).contains("'Float'", "'String'");
                }));
        response.path("accounts.edges[*].node.name")
                .entityList(String.class)
                .satisfies(names ->
                        assertThat(names).containsExactlyInAnyOrder("Bad value 1", "Bad value 2", "Bad value 3"));
        response.path("accounts.edges[*].node.annualRevenue")
                .entityList(Object.class)
                .satisfies(values -> assertThat(values).containsExactlyInAnyOrder(1000.0, null, 3000.0));
    }

    private HttpGraphQlTester reader() {
        return GraphqlClients.reader(port, "bad-values-test");
    }
}
