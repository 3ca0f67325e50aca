package io.sfcache.graphql;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sfcache.azure.CosmosProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A GraphQL request must outlast the Cosmos calls it makes, or a hung store shows as a timed-out request. */
class RequestDeadlinesTest {

    @Test
    void aRequestTimeoutBelowTwoStoreDeadlinesStopsStartUpNamingBothProperties() {
        CosmosProperties cosmos = new CosmosProperties();
        cosmos.setRequestTimeout(Duration.ofSeconds(6));
        GraphqlProperties graphql = new GraphqlProperties();
        graphql.setRequestTimeout(Duration.ofSeconds(10));

        assertThatThrownBy(() -> new GraphqlConfiguration().requestTimeout(graphql, cosmos))
                .hasMessageContaining("sfcache.graphql.request-timeout=PT10S")
                .hasMessageContaining("sfcache.cosmos.request-timeout=PT6S")
                .hasMessageContaining("at least PT12S");
    }

    @Test
    void theDefaultsFit() {
        assertThatCode(() -> new GraphqlConfiguration().requestTimeout(new GraphqlProperties(), new CosmosProperties()))
                .doesNotThrowAnyException();
    }
}
