package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.models.CosmosContainerProperties;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.azure.cosmosdb.CosmosDbConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real Camel {@code azure-cosmosdb} producer against the stand-in. The endpoint gets a
 * gateway-mode client bean: left alone it would build a direct-mode client the stand-in cannot
 * serve. The database and container are made with the SDK, as the component's
 * create-if-not-exists flags did not create them against this server.
 */
@ExtendWith(CosmosStandinExtension.class)
class CosmosStandinCamelTest {

    @Test
    void routeUpsertsThenQueriesItems(CosmosStandin standin) throws Exception {
        String db = "camel-" + UUID.randomUUID();
        try (CosmosAsyncClient client = standin.newClientBuilder().buildAsyncClient();
                DefaultCamelContext camel = new DefaultCamelContext()) {
            client.createDatabaseIfNotExists(db).block();
            client.getDatabase(db)
                    .createContainerIfNotExists(new CosmosContainerProperties("accounts", "/pk"))
                    .block();

            camel.getRegistry().bind("myClient", client);
            String endpoint = "azure-cosmosdb:" + db + "/accounts?cosmosAsyncClient=#myClient";
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:upsert").to(endpoint + "&operation=upsertItem");
                    from("direct:query").to(endpoint + "&operation=queryItems");
                }
            });
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();

            for (String id : List.of("001A", "001B", "001C")) {
                producer.sendBodyAndHeader(
                        "direct:upsert",
                        Map.of("id", id, "pk", "acme", "name", "Account " + id),
                        CosmosDbConstants.ITEM_PARTITION_KEY,
                        "acme");
            }
            producer.sendBodyAndHeader(
                    "direct:upsert",
                    Map.of("id", "999Z", "pk", "other", "name", "Elsewhere"),
                    CosmosDbConstants.ITEM_PARTITION_KEY,
                    "other");

            List<?> result = producer.requestBodyAndHeader(
                    "direct:query",
                    null,
                    CosmosDbConstants.QUERY,
                    "SELECT c.id, c.name FROM c WHERE c.pk = 'acme' ORDER BY c.id DESC",
                    List.class);

            assertThat(result).hasSize(3);
            assertThat(result).<Object>map(row -> ((Map<?, ?>) row).get("id")).containsExactly("001C", "001B", "001A");
            assertThat(result)
                    .<Object>map(row -> ((Map<?, ?>) row).get("name"))
                    .first()
                    .isEqualTo("Account 001C");

            client.getDatabase(db).delete().block();
        }
    }
}
