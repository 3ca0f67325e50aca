package io.sfcache.local;

import com.azure.core.credential.TokenRequestContext;
import com.azure.messaging.servicebus.implementation.ServiceBusSharedKeyCredential;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sfcache.fixtures.Json;
import io.sfcache.standin.LoopbackTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Sends messages the way the Apex publisher does: Service Bus's REST "Send Message Batch", one POST per batch of at
 * most {@link #MAX_BATCH_BYTES} (the publisher's default Max_Batch_Bytes__c), entries built from
 * {@link PublisherWireFormat}, authorised with a SAS token minted by the Azure SDK's own credential from the
 * connection string's key.
 */
final class ServiceBusRestSender {

    static final int MAX_BATCH_BYTES = 230_000;
    private static final Duration TOKEN_VALIDITY = Duration.ofHours(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI uri;
    private final PublisherWireFormat wire;
    private final ServiceBusSharedKeyCredential credential;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .sslContext(LoopbackTls.clientContext())
            .build();

    /** @param endpoint the namespace's https URL; connectionString holds the key (SharedAccessKeyName/Key) */
    ServiceBusRestSender(String endpoint, String connectionString, String queue, PublisherWireFormat wire) {
        this.uri = URI.create(endpoint + "/" + queue + "/messages");
        this.wire = wire;
        this.credential = new ServiceBusSharedKeyCredential(
                part(connectionString, "SharedAccessKeyName"),
                part(connectionString, "SharedAccessKey"),
                TOKEN_VALIDITY);
    }

    /** A request was refused or not answered; the messages before {@link #sent} went through. */
    static final class SendFailure extends RuntimeException {
        final int sent;

        SendFailure(int sent, String message, Throwable cause) {
            super(message, cause);
            this.sent = sent;
        }
    }

    /** Sends the messages in order, in as few requests as the batch size allows. */
    void send(List<Outgoing> messages) {
        ArrayNode batch = Json.MAPPER.createArrayNode();
        int bytes = 2;
        int sent = 0;
        for (Outgoing message : messages) {
            var entry = wire.entry(message.messageId(), message.body());
            int size = entry.toString().getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && bytes + 1 + size > MAX_BATCH_BYTES) {
                sent += post(batch, sent);
                batch = Json.MAPPER.createArrayNode();
                bytes = 2;
            }
            batch.add(entry);
            bytes += size + (batch.size() > 1 ? 1 : 0);
        }
        if (!batch.isEmpty()) {
            post(batch, sent);
        }
    }

    /** Posts one batch; returns its size, or throws a SendFailure that says how many went before it. */
    private int post(ArrayNode batch, int sentBefore) {
        String token = credential
                .getTokenSync(new TokenRequestContext().addScopes(uri.toString().replace("/messages", "")))
                .getToken();
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Authorization", token)
                .header("Content-Type", wire.contentType())
                .POST(HttpRequest.BodyPublishers.ofString(batch.toString(), StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new SendFailure(
                        sentBefore, "Service Bus answered " + response.statusCode() + ": " + response.body(), null);
            }
            return batch.size();
        } catch (IOException e) {
            throw new SendFailure(sentBefore, "no answer from Service Bus at " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SendFailure(sentBefore, "interrupted while sending to " + uri, e);
        }
    }

    private static String part(String connectionString, String name) {
        for (String part : connectionString.split(";")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("the Service Bus connection string has no " + name);
    }
}
