package io.sfcache.standin.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.sfcache.standin.LoopbackTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service Bus's HTTPS REST send API on the messaging stand-in, the way the Apex publisher sends: "Send Message"
 * (https://learn.microsoft.com/rest/api/servicebus/send-message-to-queue) and "Send Message Batch"
 * (https://learn.microsoft.com/rest/api/servicebus/send-message-batch), {@code POST /{queue}/messages}, onto the same
 * queues the AMQP side serves. What it does as documented:
 * <ul>
 * <li>a batch is a request whose {@code Content-Type} is exactly {@code application/vnd.microsoft.servicebus.json}:
 * a JSON array of {@code {"Body", "BrokerProperties", "UserProperties", "IsBodyBase64"}}; any other content type
 * (one with a {@code charset} parameter too) is one message whose body is the request body and whose content type
 * is the request's, with the broker properties in the {@code BrokerProperties} header;</li>
 * <li>only the listed broker properties are taken (MessageId, CorrelationId, Label, To, ReplyTo, ReplyToSessionId,
 * SessionId, PartitionKey, TimeToLive; "Broker properties other than the ones listed are ignored",
 * https://learn.microsoft.com/rest/api/servicebus/introduction); user properties become application properties;</li>
 * <li>answers 201 when stored, 400 for a malformed batch, 401 without a valid SAS token (checked with the key) or
 * bearer token, 403 for a request larger than the largest message, 410 for a queue that does not exist.</li>
 * </ul>
 * Not done: scheduled messages (ScheduledEnqueueTimeUtc is ignored), topics, the receive and delete operations of the
 * REST API, and any check of a bearer token (Entra ID tokens are taken as they come: locally only SAS is verified).
 * Errors carry Service Bus's XML error body ({@code <Error><Code>..</Code><Detail>..</Detail></Error>}).
 */
public final class ServiceBusRestEndpoint implements AutoCloseable {

    public static final String BATCH_CONTENT_TYPE = "application/vnd.microsoft.servicebus.json";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceBusRestEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> BROKER_PROPERTIES = List.of(
            "MessageId",
            "CorrelationId",
            "Label",
            "To",
            "ReplyTo",
            "ReplyToSessionId",
            "SessionId",
            "PartitionKey",
            "TimeToLive");

    private final AzureMessagingStandin standin;
    private final String keyName;
    private final String key;
    private final long maxMessageSize;
    private final Clock clock;
    private final HttpsServer server;
    private final ExecutorService executor;

    ServiceBusRestEndpoint(
            AzureMessagingStandin standin, String keyName, String key, long maxMessageSize, Clock clock) {
        this.standin = standin;
        this.keyName = keyName;
        this.key = key;
        this.maxMessageSize = maxMessageSize;
        this.clock = clock;
        try {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the Service Bus REST stand-in's port", e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(LoopbackTls.serverContext()));
        server.createContext("/", this::handle);
        executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "servicebus-rest-standin");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        LOG.info("Service Bus REST stand-in at {}", url());
    }

    /** {@code https://127.0.0.1:<port>}: a namespace's {@code https://<namespace>.servicebus.windows.net}. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] path = exchange.getRequestURI().getPath().split("/");
            if (!"POST".equals(exchange.getRequestMethod()) || path.length != 3 || !"messages".equals(path[2])) {
                answer(exchange, 400, "Only POST /{queue}/messages (send) is served here.");
                return;
            }
            String queue = path[1];
            String refusal =
                    authorizationRefusal(exchange.getRequestHeaders().getFirst("Authorization"), url() + "/" + queue);
            if (refusal != null) {
                answer(
                        exchange,
                        401,
                        "Unauthorized: " + refusal + ". Send a SharedAccessSignature token for this "
                                + "namespace or queue, or a bearer token.");
                return;
            }
            byte[] body = readAtMost(exchange.getRequestBody(), maxMessageSize + 1);
            if (body.length > maxMessageSize) {
                answer(
                        exchange,
                        403,
                        "The request exceeds the largest message size of " + maxMessageSize
                                + " bytes (quota exceeded or message too large).");
                return;
            }
            List<Message> messages;
            try {
                String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                messages = BATCH_CONTENT_TYPE.equals(contentType)
                        ? batch(body)
                        : List.of(single(
                                body, contentType, exchange.getRequestHeaders().getFirst("BrokerProperties")));
            } catch (IllegalArgumentException | IOException e) {
                answer(exchange, 400, "Bad request: " + e.getMessage());
                return;
            }
            if (!standin.enqueueIfExists(queue, messages)) {
                answer(exchange, 410, "The queue " + queue + " does not exist.");
                return;
            }
            exchange.sendResponseHeaders(201, -1);
        } catch (RuntimeException e) {
            LOG.warn("Service Bus REST stand-in failed on {}", exchange.getRequestURI(), e);
            answer(exchange, 500, "Internal error: " + e);
        }
    }

    private String authorizationRefusal(String authorization, String resource) {
        if (authorization != null && authorization.startsWith("Bearer ") && authorization.length() > 7) {
            return null; // Entra ID tokens are not verified locally.
        }
        return SharedAccessSignature.refusal(authorization, resource, keyName, key, clock.instant());
    }

    private static List<Message> batch(byte[] body) throws IOException {
        JsonNode entries = JSON.readTree(body);
        if (entries == null || !entries.isArray() || entries.isEmpty()) {
            throw new IllegalArgumentException("a batch is a non-empty JSON array of messages");
        }
        List<Message> messages = new ArrayList<>();
        for (JsonNode entry : entries) {
            JsonNode text = entry.get("Body");
            if (text == null || !text.isTextual()) {
                throw new IllegalArgumentException("every batch entry needs a string Body");
            }
            byte[] bytes = entry.path("IsBodyBase64").asBoolean(false)
                    ? Base64.getDecoder().decode(text.asText())
                    : text.asText().getBytes(StandardCharsets.UTF_8);
            Message message = message(bytes, null, entry.path("BrokerProperties"));
            Map<String, Object> properties = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields =
                    entry.path("UserProperties").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                properties.put(field.getKey(), value(field.getValue()));
            }
            message.setApplicationProperties(new ApplicationProperties(properties));
            messages.add(message);
        }
        return messages;
    }

    private static Message single(byte[] body, String contentType, String brokerProperties)
            throws JsonProcessingException {
        JsonNode broker = brokerProperties == null ? JSON.createObjectNode() : JSON.readTree(brokerProperties);
        return message(body, contentType, broker);
    }

    private static Message message(byte[] body, String contentType, JsonNode broker) {
        Message message = Proton.message();
        message.setBody(new Data(new Binary(body)));
        Properties properties = new Properties();
        properties.setMessageId(text(broker, "MessageId"));
        properties.setCorrelationId(text(broker, "CorrelationId"));
        properties.setSubject(text(broker, "Label"));
        properties.setTo(text(broker, "To"));
        properties.setReplyTo(text(broker, "ReplyTo"));
        properties.setReplyToGroupId(text(broker, "ReplyToSessionId"));
        properties.setGroupId(text(broker, "SessionId"));
        properties.setContentType(contentType == null ? null : Symbol.valueOf(contentType));
        message.setProperties(properties);
        if (broker.hasNonNull("TimeToLive")) {
            Header header = new Header();
            header.setTtl(UnsignedInteger.valueOf(
                    Duration.ofMillis(Math.round(broker.get("TimeToLive").asDouble() * 1000))
                            .toMillis()));
            message.setHeader(header);
        }
        String partitionKey = text(broker, "PartitionKey");
        if (partitionKey != null) {
            message.setMessageAnnotations(
                    new MessageAnnotations(Map.of(Symbol.valueOf("x-opt-partition-key"), partitionKey)));
        }
        return message;
    }

    private static String text(JsonNode broker, String name) {
        return BROKER_PROPERTIES.contains(name) && broker.hasNonNull(name)
                ? broker.get(name).asText()
                : null;
    }

    private static Object value(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.isNull() ? null : node.asText();
    }

    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        return in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8));
    }

    private static void answer(HttpExchange exchange, int status, String detail) throws IOException {
        byte[] body = ("<Error><Code>" + status + "</Code><Detail>"
                        + detail.replace("&", "&amp;").replace("<", "&lt;") + "</Detail></Error>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
