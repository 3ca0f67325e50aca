package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.models.PartitionKey;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;

import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.messaging.AzureMessagingStandin;

@SfcacheIntegrationTest
class SyncSmokeTest {

    @Autowired
    CosmosAsyncClient cosmos;

    @Value("${sfcache.servicebus.queue}")
    String queue;

    @Test
    void accountChangeIsStoredAndAnnounced() {
        String body = """
                {"schemaVersion":1,"eventId":"evt-1","sobject":"Account","changeType":"CREATE",
                 "recordId":"001000000000001AAA","version":{"systemModstamp":"2026-11-27T10:00:00.000Z","sequence":0},
                 "commitTime":"2026-11-27T10:00:00.000Z","fields":{"Name":"Acme","OwnerId":"005000000000001AAA"}}
                """;
        AzureMessagingStandin standin = AzureMessagingStandin.shared();
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                .connectionString(standin.serviceBusConnectionString()).sender().queueName(queue).buildClient()) {
            sender.sendMessage(new ServiceBusMessage(body).setMessageId("evt-1").setContentType("application/json"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> standin.queue(queue).completed().size() == 1);
        JsonNode doc = cosmos.getDatabase("sfcache").getContainer("account")
                .readItem("001000000000001AAA", new PartitionKey("001000000000001AAA"), JsonNode.class).block()
                .getItem();
        assertThat(doc.path("fields").path("Name").asText()).isEqualTo("Acme");
        assertThat(standin.events("sfcache-record-events")).hasSize(1);
    }
}
