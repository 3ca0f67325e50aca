package io.sfcache.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.datadog.DatadogMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.sfcache.SfcacheIntegrationTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * sfcache started with the Datadog registry and OTLP export switched on sends its metrics over Datadog's HTTP API and
 * its spans to an OTLP collector: a local server stands in for both and records what arrives.
 */
@SfcacheIntegrationTest
// Its own queue and no JMX, so this second context never competes with the shared one; closed when done.
// CDC off: the shared context is the JVM's one Change Data Capture subscriber; a second contends for its lock.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.servicebus.queue=telemetry-export-test",
            "spring.jmx.enabled=false",
            "management.datadog.metrics.export.enabled=true",
            "management.datadog.metrics.export.api-key=test-api-key",
            "management.datadog.metrics.export.step=1s",
            // As in production: with two registries Camel finds its own through the global one.
            "management.metrics.use-global-registry=true"
        })
@DirtiesContext
class TelemetryExportTest {

    // Micrometer writes gauges without a value as NaN.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final HttpServer INTAKE = startIntake();

    record Received(String path, String apiKey, String contentType, byte[] body) {

        /** An OTLP/HTTP traces export, decoded with OpenTelemetry's own protobuf classes. */
        ExportTraceServiceRequest traces() {
            try {
                return ExportTraceServiceRequest.parseFrom(body);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("not an OTLP traces export", e);
            }
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @DynamicPropertySource
    static void intake(DynamicPropertyRegistry registry) {
        registry.add(
                "management.datadog.metrics.export.uri",
                () -> "http://127.0.0.1:" + INTAKE.getAddress().getPort());
        registry.add(
                "management.otlp.tracing.endpoint",
                () -> "http://127.0.0.1:" + INTAKE.getAddress().getPort() + "/v1/traces");
    }

    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void stopIntake() {
        INTAKE.stop(0);
    }

    @Test
    void metricsReachDatadogWithTheApiKey() {
        assertThat(((CompositeMeterRegistry) meters).getRegistries()).anyMatch(DatadogMeterRegistry.class::isInstance);

        List<String> exported = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> RECEIVED.stream()
                                .filter(r -> r.path().equals("/api/v1/series"))
                                .filter(r -> "test-api-key".equals(r.apiKey()))
                                .flatMap(r -> r.json().path("series").findValuesAsText("metric").stream())
                                .toList(),
                        names -> names.contains("jvm.memory.used")
                                && names.stream().anyMatch(n -> n.startsWith("camel.route")));

        assertThat(exported)
                .as("the JVM's and Camel's metrics")
                .contains("jvm.memory.used")
                .anyMatch(name -> name.startsWith("camel.route"));
    }

    @Test
    void spansReachTheOtlpCollector() {
        // Camel's spans carry a "component" attribute such as camel-timer (the CDC mode check ticks every second).
        ExportTraceServiceRequest export = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> RECEIVED.stream()
                                .filter(r -> r.path().equals("/v1/traces"))
                                .peek(r -> assertThat(r.contentType()).isEqualTo("application/x-protobuf"))
                                .map(Received::traces)
                                .filter(traces -> spans(traces)
                                        .anyMatch(span -> span.getAttributesList().stream()
                                                .anyMatch(a -> a.getKey().equals("component")
                                                        && a.getValue()
                                                                .getStringValue()
                                                                .startsWith("camel-"))))
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);

        assertThat(export.getResourceSpansList())
                .as("service.name of the export")
                .allSatisfy(resource -> assertThat(resource.getResource().getAttributesList())
                        .anyMatch(a -> a.getKey().equals("service.name")
                                && a.getValue().getStringValue().equals("sfcache")));
    }

    private static java.util.stream.Stream<io.opentelemetry.proto.trace.v1.Span> spans(
            ExportTraceServiceRequest traces) {
        return traces.getResourceSpansList().stream()
                .flatMap(r -> r.getScopeSpansList().stream())
                .flatMap(scope -> scope.getSpansList().stream());
    }

    /** Micrometer 1.15's Datadog registry sends the key as the api_key query parameter (not a DD-API-KEY header). */
    private static String apiKey(String query) {
        return query == null
                ? null
                : java.util.Arrays.stream(query.split("&"))
                        .filter(p -> p.startsWith("api_key="))
                        .map(p -> java.net.URLDecoder.decode(p.substring("api_key=".length()), StandardCharsets.UTF_8))
                        .findFirst()
                        .orElse(null);
    }

    private static HttpServer startIntake() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] raw;
                    try (InputStream in = exchange.getRequestBody()) {
                        raw = in.readAllBytes();
                    }
                    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                        raw = new GZIPInputStream(new ByteArrayInputStream(raw)).readAllBytes();
                    }
                    RECEIVED.add(new Received(
                            exchange.getRequestURI().getPath(),
                            apiKey(exchange.getRequestURI().getRawQuery()),
                            exchange.getRequestHeaders().getFirst("Content-Type"),
                            raw));
                    exchange.sendResponseHeaders(200, -1);
                } catch (IOException | RuntimeException e) {
                    // The registry logs "failed to send metrics" with this status; the test then times out.
                    exchange.sendResponseHeaders(500, -1);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
