package io.sfcache.standin.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.credential.TokenRequestContext;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.implementation.ServiceBusSharedKeyCredential;
import io.sfcache.standin.LoopbackTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Service Bus's REST send API on the stand-in, as "Send Message" and "Send Message Batch" document it
 * (https://learn.microsoft.com/rest/api/servicebus/send-message-batch): batches and single messages land on the AMQP
 * queue with their broker and user properties, and the documented refusals come back. SAS tokens are minted by the
 * Azure SDK's own credential (code written elsewhere), so the stand-in's check is proven against it.
 */
class ServiceBusRestEndpointTest {

    private static final String BATCH = "application/vnd.microsoft.servicebus.json";
    private static final long MAX_MESSAGE_SIZE = 64 * 1024;

    private static AzureMessagingStandin standin;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(LoopbackTls.clientContext())
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        AzureMessagingStandin.Options defaults = AzureMessagingStandin.Options.defaults();
        standin = AzureMessagingStandin.start(new AzureMessagingStandin.Options(
                defaults.lockDuration(), defaults.maxDeliveryCount(), defaults.partitionCount(), MAX_MESSAGE_SIZE));
    }

    @AfterAll
    static void stop() {
        standin.close();
    }

    @Test
    void aBatchLandsOnTheQueueWithMessageIdUserPropertiesAndBodies() throws Exception {
        String queue = queue();
        String body = """
                [{"Body": "{\\"a\\":1}", "BrokerProperties": {"MessageId": "m-1", "Label": "first"},
                  "UserProperties": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                     "attempt": 2}},
                 {"Body": "c2Vjb25k", "IsBodyBase64": true, "BrokerProperties": {"MessageId": "m-2"}}]""";

        HttpResponse<String> response = post(queue, BATCH, token(queue), body, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        List<MessageView> active = standin.queue(queue).active();
        assertThat(active).extracting(MessageView::messageId).containsExactly("m-1", "m-2");
        assertThat(active.get(0).bodyAsString()).isEqualTo("{\"a\":1}");
        assertThat(active.get(0).applicationProperties())
                .containsEntry("attempt", 2L)
                .containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(active.get(1).bodyAsString()).as("IsBodyBase64").isEqualTo("second");
    }

    @Test
    void aSingleMessageTakesItsContentTypeAndBrokerPropertiesFromTheHeadersAndIgnoresUnlistedOnes() throws Exception {
        String queue = queue();

        HttpResponse<String> response = post(
                queue,
                "application/json",
                token(queue),
                "{\"b\":2}",
                "{\"MessageId\": \"s-1\", \"CorrelationId\": \"c-1\", \"Priority\": 5}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        try (ServiceBusReceiverClient receiver = new ServiceBusClientBuilder()
                .connectionString(standin.serviceBusConnectionString())
                .receiver()
                .queueName(queue)
                .buildClient()) {
            ServiceBusReceivedMessage message = receiver.receiveMessages(1, Duration.ofSeconds(10))
                    .iterator()
                    .next();
            assertThat(message.getMessageId()).isEqualTo("s-1");
            assertThat(message.getCorrelationId()).isEqualTo("c-1");
            assertThat(message.getContentType()).isEqualTo("application/json");
            assertThat(message.getBody().toString()).isEqualTo("{\"b\":2}");
        }
    }

    @Test
    void aBatchContentTypeWithACharsetIsNoBatchButOneMessageHoldingTheArray() throws Exception {
        String queue = queue();

        HttpResponse<String> response =
                post(queue, BATCH + "; charset=utf-8", token(queue), "[{\"Body\": \"x\"}, {\"Body\": \"y\"}]", null);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(standin.queue(queue).active())
                .singleElement()
                .satisfies(message -> assertThat(message.bodyAsString()).startsWith("[{\"Body\""));
    }

    @Test
    void withoutAValidTokenTheSendIsRefusedWith401() throws Exception {
        String queue = queue();
        String good = token(queue);
        String tampered = good.replaceFirst("sig=[^&]", "sig=A");
        String otherQueue = token(queue());

        for (String token : new String[] {null, "SharedAccessSignature sr=x", tampered, otherQueue}) {
            HttpResponse<String> response = post(queue, BATCH, token, "[{\"Body\": \"x\"}]", null);
            assertThat(response.statusCode()).as("token %s", token).isEqualTo(401);
            assertThat(response.body()).contains("<Code>401</Code>");
        }
        assertThat(standin.queue(queue).active()).isEmpty();
    }

    @Test
    void anExpiredTokenIsRefusedAndABearerTokenIsTakenAsItComes() throws Exception {
        String queue = queue();
        String shortLived = new ServiceBusSharedKeyCredential(
                        AzureMessagingStandin.KEY_NAME, AzureMessagingStandin.KEY, Duration.ofSeconds(1))
                .getTokenSync(new TokenRequestContext().addScopes(resource(queue)))
                .getToken();

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> post(queue, BATCH, shortLived, "[{\"Body\": \"x\"}]", null)
                                .statusCode()
                        == 401);
        HttpResponse<String> expired = post(queue, BATCH, shortLived, "[{\"Body\": \"x\"}]", null);
        assertThat(expired.body()).contains("expired");

        assertThat(post(queue, BATCH, "Bearer eyJ0eXAiOiJKV1QifQ.local.token", "[{\"Body\": \"x\"}]", null)
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void aQueueThatDoesNotExistIs410AndAMalformedBatch400AndAnOversizedRequest403() throws Exception {
        String missing = "no-such-queue-" + UUID.randomUUID();
        assertThat(post(missing, BATCH, token(missing), "[{\"Body\": \"x\"}]", null)
                        .statusCode())
                .isEqualTo(410);

        String queue = queue();
        assertThat(post(queue, BATCH, token(queue), "{\"Body\": \"not an array\"}", null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(post(queue, BATCH, token(queue), "[{\"NoBody\": 1}]", null).statusCode())
                .isEqualTo(400);
        String large = "[{\"Body\": \"" + "x".repeat((int) MAX_MESSAGE_SIZE) + "\"}]";
        HttpResponse<String> tooLarge = post(queue, BATCH, token(queue), large, null);
        assertThat(tooLarge.statusCode()).isEqualTo(403);
        assertThat(tooLarge.body()).contains("message too large");
        assertThat(standin.queue(queue).active()).isEmpty();
    }

    private static String queue() {
        String queue = "rest-" + UUID.randomUUID();
        standin.declareQueue(queue);
        return queue;
    }

    private static String resource(String queue) {
        return standin.rest().url() + "/" + queue;
    }

    /** A SAS token for the queue, minted by the Azure SDK's credential from the stand-in's key. */
    private static String token(String queue) {
        return new ServiceBusSharedKeyCredential(AzureMessagingStandin.KEY_NAME, AzureMessagingStandin.KEY)
                .getTokenSync(new TokenRequestContext().addScopes(resource(queue)))
                .getToken();
    }

    private static HttpResponse<String> post(
            String queue, String contentType, String authorization, String body, String brokerProperties)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(resource(queue) + "/messages"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (brokerProperties != null) {
            request.header("BrokerProperties", brokerProperties);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
