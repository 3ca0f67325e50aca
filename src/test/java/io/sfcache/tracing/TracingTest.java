package io.sfcache.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.fixtures.ChangeMessageBuilder;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.messaging.MessageView;
import io.sfcache.sync.PipelineHarness;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One trace from the publisher's Service Bus message through validation, Cosmos DB and Event Hubs, and on into the
 * event's consumers; GraphQL requests traced and measured; logs that say which trace and record they are about.
 */
@SfcacheIntegrationTest
class TracingTest {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]");
    /** The sync flow's per-change DEBUG line (sync-object.camel.yaml). */
    private static final String DECISIONS_LOGGER = "io.sfcache.sync.decisions";

    @Autowired
    PipelineHarness pipeline;

    @Autowired
    InMemorySpanExporter spans;

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @LocalServerPort
    int port;

    private final ChangeMessages messages = ChangeMessages.live(new Random(), Clock.systemUTC());
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aChangeContinuesThePublishersTraceThroughValidationCosmosAndEventHubs() {
        String traceId = randomHex(16);
        String publisherSpanId = randomHex(8);
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();

        pipeline.send(create, Map.of("traceparent", "00-" + traceId + "-" + publisherSpanId + "-01"));
        pipeline.awaitCompleted(create.eventId());

        List<MessageView> events = pipeline.rawEvents(account.id());
        assertThat(events).hasSize(1);
        Object traceparent = events.get(0).applicationProperties().get("traceparent");
        assertThat(traceparent).as("the event's traceparent").isInstanceOf(String.class);
        Matcher passedOn = TRACEPARENT.matcher((String) traceparent);
        assertThat(passedOn.matches()).as("W3C traceparent: %s", traceparent).isTrue();
        assertThat(passedOn.group(1)).as("same trace as the publisher's").isEqualTo(traceId);
        assertThat(passedOn.group(2))
                .as("a span of sfcache's, not the publisher's")
                .isNotEqualTo(publisherSpanId);

        List<SpanData> trace = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> RecordedSpans.ofTrace(spans, traceId),
                        recorded ->
                                recorded.stream().anyMatch(s -> s.getSpanId().equals(passedOn.group(2))));
        SpanData consume = only(
                trace,
                s -> s.getKind() == SpanKind.CONSUMER && "camel-azure-servicebus".equals(component(s)),
                "the Service Bus consume");
        assertThat(consume.getParentSpanId())
                .as("continues the publisher's span")
                .isEqualTo(publisherSpanId);
        assertThat(consume.getName()).isEqualTo(pipeline.queueName());
        SpanData validate = only(trace, s -> s.getName().equals("validate account"), "the validation");
        SpanData store = only(trace, s -> s.getName().equals("store account"), "the batched Cosmos read and write");
        assertThat(trace)
                .as("the hop to sync-change is traced, the hop on to the object's route is not")
                .extracting(SpanData::getName)
                .contains("sync-change")
                .doesNotContain("sync-account");
        SpanData publish = only(trace, s -> "camel-azure-eventhubs".equals(component(s)), "the Event Hubs send");
        assertThat(publish.getSpanId())
                .as("the span the event names as its parent")
                .isEqualTo(passedOn.group(2));
        assertThat(List.of(validate, store, publish))
                .allSatisfy(s -> assertThat(ancestors(trace, s)).contains(consume));
        assertThat(List.of(consume, validate, store, publish))
                .allSatisfy(s -> assertThat(s.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR));
    }

    @Test
    void logLinesOfAChangeCarryItsTraceAndRecordAsTextAndAsJson() {
        String traceId = randomHex(16);
        SalesforceRecord contact = messages.contact();
        ChangeMessageBuilder create = contact.create();

        List<ILoggingEvent> lines = captureDecisionLines(() -> {
            pipeline.send(create, Map.of("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01"));
            pipeline.awaitCompleted(create.eventId());
        });

        ILoggingEvent line = lines.stream()
                .filter(e -> contact.id().equals(e.getMDCPropertyMap().get("recordId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no decision line for " + contact.id() + " in "
                        + lines.stream()
                                .map(e ->
                                        e.getThreadName() + " " + e.getMDCPropertyMap() + " " + e.getFormattedMessage())
                                .toList()));
        assertThat(line.getMDCPropertyMap())
                .containsEntry("traceId", traceId)
                .containsEntry("sobject", "Contact")
                .containsEntry("eventId", create.eventId())
                .containsKey("spanId");

        String text = consoleLayout(line);
        assertThat(text)
                .as("the console line")
                .contains(traceId)
                .contains(contact.id())
                .contains("Contact");

        JsonNode ecs = structured("ecs", line);
        assertThat(ecs.path("traceId").asText()).as("ECS JSON %s", ecs).isEqualTo(traceId);
        assertThat(ecs.path("recordId").asText()).isEqualTo(contact.id());
        assertThat(ecs.path("sobject").asText()).isEqualTo("Contact");
        JsonNode logstash = structured("logstash", line);
        assertThat(logstash.path("recordId").asText())
                .as("Logstash JSON %s", logstash)
                .isEqualTo(contact.id());
        assertThat(logstash.path("traceId").asText()).isEqualTo(traceId);
    }

    @Test
    void theChangeIdsDoNotOutliveTheirMessage() {
        SalesforceRecord account = messages.account();
        ChangeMessageBuilder create = account.create();
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("SfcacheSource", "RECONCILIATION");
        exchange.getMessage().setBody(create.toJson());
        exchange.getMessage().setHeader("CamelAzureServiceBusMessageId", create.eventId());
        MDC.clear();

        // As redrive and reconciliation do: the sync flow runs on the caller's thread, which lives on afterwards.
        Exchange[] done = new Exchange[1];
        List<ILoggingEvent> lines =
                captureDecisionLines(() -> done[0] = producer.send("direct:sync-change?synchronous=true", exchange));

        assertThat(done[0].isFailed()).as("%s", done[0].getException()).isFalse();
        assertThat(pipeline.record("Account", account.id())).isPresent();
        assertThat(lines)
                .as("while the change was handled")
                .anySatisfy(e -> assertThat(e.getMDCPropertyMap())
                        .containsEntry("recordId", account.id())
                        .containsKey("traceId"));
        assertThat(MDC.getCopyOfContextMap())
                .as("the caller's log context after the change")
                .satisfiesAnyOf(
                        m -> assertThat(m).isNull(),
                        m -> assertThat(m).doesNotContainKeys("sobject", "recordId", "eventId", "traceId"));
    }

    @Test
    void theCallersTraceContextSurvivesAProducerThatCompletesBeforeItReturns() throws Exception {
        // The race behind the stale trace ids on redrive and reconciliation threads, made certain: the Azure
        // producers sometimes complete on their own thread before the call that started them has returned.
        camel.addComponent("completes-elsewhere", new CompletesElsewhereComponent());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:tracing-test-race").routeId("tracing-test-race").to("completes-elsewhere:send");
            }
        });
        try {
            MDC.clear();
            Context before = Context.current();

            Exchange done = producer.send("direct:tracing-test-race?synchronous=true", new DefaultExchange(camel));

            assertThat(done.isFailed()).as("%s", done.getException()).isFalse();
            assertThat(Context.current())
                    .as("the caller's trace context after the exchange")
                    .isSameAs(before);
            assertThat(MDC.getCopyOfContextMap())
                    .as("the caller's log context after the exchange")
                    .satisfiesAnyOf(
                            m -> assertThat(m).isNull(), m -> assertThat(m).doesNotContainKeys("traceId", "spanId"));
        } finally {
            camel.getRouteController().stopRoute("tracing-test-race");
            camel.removeRoute("tracing-test-race");
            camel.removeComponent("completes-elsewhere");
        }
    }

    /** A producer that finishes the exchange on a thread of its own, and only then returns (asynchronously). */
    private static final class CompletesElsewhereComponent extends DefaultComponent {
        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
            return new DefaultEndpoint(uri, this) {
                @Override
                public Producer createProducer() {
                    return new DefaultAsyncProducer(this) {
                        @Override
                        public boolean process(Exchange exchange, AsyncCallback callback) {
                            Thread elsewhere = new Thread(() -> callback.done(false), "completes-elsewhere");
                            elsewhere.start();
                            try {
                                elsewhere.join();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return false;
                        }
                    };
                }

                @Override
                public Consumer createConsumer(Processor processor) {
                    throw new UnsupportedOperationException("send only");
                }
            };
        }
    }

    @Test
    void graphqlRequestsAreTracedAndMeasured() {
        String traceId = randomHex(16);
        double before = graphqlRequestCount();
        String token = TokenIssuerStandin.shared()
                .mint("tracing-test", List.of(TokenIssuerStandin.READER_ROLE), Duration.ofMinutes(5));

        WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build()
                .post()
                .uri("/graphql")
                .header("Authorization", "Bearer " + token)
                .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01")
                .header("Content-Type", "application/json")
                .bodyValue("{\"query\":\"{ __typename }\"}")
                .exchange()
                .expectStatus()
                .isOk();

        await().atMost(Duration.ofSeconds(20)).until(() -> graphqlRequestCount() > before);
        List<SpanData> trace = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> RecordedSpans.ofTrace(spans, traceId),
                        recorded -> recorded.stream().anyMatch(s -> s.getName().startsWith("graphql")));
        assertThat(trace).extracting(SpanData::getName).contains("graphql query");
        assertThat(trace).anySatisfy(s -> assertThat(s.getKind()).isEqualTo(SpanKind.SERVER));
    }

    /** Sum of graphql_request_seconds_count over its series on /actuator/prometheus (the ops role on this port). */
    private double graphqlRequestCount() {
        String ops = TokenIssuerStandin.shared()
                .mint("ops-scraper", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
        String page = WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build()
                .get()
                .uri("/actuator/prometheus")
                .headers(h -> h.setBearerAuth(ops))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return page.lines()
                .filter(l -> l.startsWith("graphql_request_seconds_count"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private List<ILoggingEvent> captureDecisionLines(Runnable action) {
        Logger logger = (Logger) LoggerFactory.getLogger(DECISIONS_LOGGER);
        Level level = logger.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        try {
            action.run();
            return List.copyOf(appender.list);
        } finally {
            logger.setLevel(level);
            logger.detachAppender(appender);
        }
    }

    /** The line as the configured console appender writes it (logging.pattern.correlation included). */
    @SuppressWarnings("unchecked")
    private static String consoleLayout(ILoggingEvent event) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) root.getAppender("CONSOLE");
        return ((LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder())
                .getLayout()
                .doLayout(event);
    }

    /** The line as logging.structured.format.console=<format> writes it. */
    private JsonNode structured(String format, ILoggingEvent event) {
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        encoder.setFormat(format);
        encoder.start();
        try {
            return json.readTree(new String(encoder.encode(event), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            encoder.stop();
        }
    }

    private static String component(SpanData span) {
        return span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("component"));
    }

    private static SpanData only(List<SpanData> trace, java.util.function.Predicate<SpanData> which, String what) {
        List<SpanData> found = trace.stream().filter(which).toList();
        assertThat(found).as("%s among %s", what, names(trace)).hasSize(1);
        return found.get(0);
    }

    private static List<SpanData> ancestors(List<SpanData> trace, SpanData span) {
        List<SpanData> chain = new java.util.ArrayList<>();
        String parent = span.getParentSpanId();
        for (SpanData s = find(trace, parent); s != null; s = find(trace, s.getParentSpanId())) {
            chain.add(s);
        }
        return chain;
    }

    private static SpanData find(List<SpanData> trace, String spanId) {
        return trace.stream()
                .filter(s -> s.getSpanId().equals(spanId))
                .findFirst()
                .orElse(null);
    }

    private static List<String> names(List<SpanData> trace) {
        return trace.stream()
                .map(s -> s.getName() + "/" + s.getKind() + "/" + component(s))
                .toList();
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
