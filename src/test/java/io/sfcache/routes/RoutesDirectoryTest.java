package io.sfcache.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.identity.TokenIssuerStandin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** An integration engineer changes a route in the mounted directory; sfcache picks it up without a rebuild. */
// A plain property, not @DynamicPropertySource: route sources are decided before context customizers run.
@SfcacheIntegrationTest
// Its own queue and no JMX, so this second context never competes with the shared one; closed when done.
// CDC off: the shared context is the JVM's one Change Data Capture subscriber; a second contends for its lock.
@TestPropertySource(
        properties = {
            "sfcache.salesforce.cdc.mode=OFF",
            "sfcache.routes.directory=target/routes-directory-test",
            "sfcache.servicebus.queue=routes-directory-test",
            "spring.jmx.enabled=false"
        })
@DirtiesContext
class RoutesDirectoryTest {

    private static final Path DIRECTORY = createDirectory();

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    private static Path createDirectory() {
        try {
            Path dir = Files.createDirectories(Path.of("target/routes-directory-test"));
            write(dir, "greeting.camel.yaml", "greeting", "hello");
            // Same file name as a built-in route: replaces it (no duplicate route id at start-up).
            write(dir, "heartbeat.camel.yaml", "heartbeat", "overridden");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes then renames, as a ConfigMap update swaps files whole: the watcher never sees a half-written file. */
    private static void write(Path dir, String file, String routeId, String reply) throws IOException {
        Path draft = Files.writeString(dir.resolve(file + ".tmp"), """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(routeId, routeId, reply));
        Files.move(draft, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void routesFromTheDirectoryAreLoadedAndReloadedWhenChanged() throws IOException {
        assertThat(producer.requestBody("direct:greeting", "", String.class)).isEqualTo("hello");

        write(DIRECTORY, "greeting.camel.yaml", "greeting", "hello again");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> "hello again".equals(producer.requestBody("direct:greeting", "", String.class)));
        assertThat(camel.getRoute("greeting")).isNotNull();
    }

    @Test
    void aFileNamedLikeABuiltInRouteReplacesIt() {
        assertThat(producer.requestBody("direct:heartbeat", "", String.class)).isEqualTo("overridden");
        assertThat(camel.getRoute("sync-change"))
                .as("the other built-in routes stay")
                .isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not YAML|greeting|3|not valid YAML",
                "unknown endpoint|greeting|7|no component serves the endpoint scheme nosuchthing",
                "placeholder that does not resolve|greeting|4|does not resolve",
                "unknown key|greeting|6|Camel's YAML DSL schema",
                "route id of another file|collide|2|route id sync-change is already used by"
            })
    void aBrokenEditIsRefusedWithItsLineAndReasonAndTheRunningRoutesStay(
            String kind, String file, int line, String reason) throws IOException {
        String fileName = file + ".camel.yaml";
        String before = producer.requestBody("direct:greeting", "", String.class);
        double refusedBefore = refusals();

        writeText(DIRECTORY, fileName, BROKEN.get(kind));

        await().atMost(Duration.ofSeconds(20)).until(() -> refusals() > refusedBefore);
        RouteFiles.Status status = files.statuses().get(fileName);
        assertThat(status.applied()).isFalse();
        assertThat(status.problems()).anySatisfy(problem -> {
            assertThat(problem.line()).isEqualTo(line);
            assertThat(problem.reason()).contains(reason);
        });
        assertThat(files.health().getStatus().getCode()).isEqualTo("DOWN");
        // Nothing running was touched.
        assertThat(producer.requestBody("direct:greeting", "", String.class)).isEqualTo(before);
        assertThat(camel.getRoute("sync-change").getSourceResource().getLocation())
                .contains("sync-change");
        assertThat(camel.getRouteController().getRouteStatus("sync-change").isStarted())
                .isTrue();

        // A good version clears it.
        if (file.equals("greeting")) {
            write(DIRECTORY, fileName, "greeting", "hello, fixed");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> files.statuses().get(fileName).applied());
            assertThat(producer.requestBody("direct:greeting", "", String.class))
                    .isEqualTo("hello, fixed");
        } else {
            Files.move(
                    DIRECTORY.resolve(fileName),
                    DIRECTORY.resolve(fileName + ".removed"),
                    StandardCopyOption.REPLACE_EXISTING);
            write(DIRECTORY, fileName, file, "mine");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> files.statuses().get(fileName).applied());
        }
    }

    @Test
    void anEditThatOnlyFailsWhenStartedIsRolledBackToTheVersionThatRan() throws IOException {
        String before = producer.requestBody("direct:greeting", "", String.class);
        double refusedBefore = refusals();

        // Passes every check (valid YAML and schema, no endpoint or placeholder), but no such bean exists.
        writeText(DIRECTORY, "greeting.camel.yaml", """
                - route:
                    id: greeting
                    from:
                      uri: direct:greeting
                      steps:
                        - bean:
                            ref: noSuchBean
                """);

        await().atMost(Duration.ofSeconds(20)).until(() -> refusals() > refusedBefore);
        assertThat(files.statuses().get("greeting.camel.yaml").problems())
                .singleElement()
                .satisfies(problem -> assertThat(problem.reason()).contains("could not be started", "noSuchBean"));
        assertThat(producer.requestBody("direct:greeting", "", String.class)).isEqualTo(before);
        write(DIRECTORY, "greeting.camel.yaml", "greeting", before);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> files.statuses().get("greeting.camel.yaml").applied());
    }

    @Test
    void aRouteFileIsCheckedAgainstTheRunningConfigurationWithoutDeployingIt() {
        String ops = TokenIssuerStandin.shared()
                .mint("ops-person", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
        http.post()
                .uri("/actuator/routefiles")
                .headers(h -> h.setBearerAuth(ops))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "greeting.camel.yaml", "content", BROKEN.get("unknown endpoint")))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.ok")
                .isEqualTo(false)
                .jsonPath("$.problems[0].line")
                .isEqualTo(7)
                .jsonPath("$.problems[0].reason")
                .value(reason -> assertThat((String) reason).contains("nosuchthing"));
        assertThat(camel.getRoute("greeting")).as("nothing deployed").isNotNull();
        http.post()
                .uri("/actuator/routefiles")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "draft.camel.yaml", "content", "- route: {}"))
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void everyBuiltInRouteFilePassesTheCheck() throws IOException {
        for (var resource : new org.springframework.core.io.support.PathMatchingResourcePatternResolver()
                .getResources("classpath:routes/*.camel.yaml")) {
            String text = new String(resource.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(check.check(resource.getFilename(), text))
                    .as(resource.getFilename())
                    .isEmpty();
        }
    }

    private static final Map<String, String> BROKEN = Map.of(
            "not YAML", """
                    - route:
                        id: greeting
                       from: [
                    """,
            "unknown endpoint", """
                    - route:
                        id: greeting
                        from:
                          uri: direct:greeting
                          steps:
                            - to:
                                uri: nosuchthing:somewhere
                    """,
            "placeholder that does not resolve", """
                    - route:
                        id: greeting
                        from:
                          uri: direct:{{no.such.setting}}
                          steps:
                            - setBody:
                                constant: "never"
                    """,
            "unknown key", """
                    - route:
                        id: greeting
                        from:
                          uri: direct:greeting
                          steps:
                            - setBodyy:
                                constant: "typo"
                    """,
            "route id of another file", """
                    - route:
                        id: sync-change
                        from:
                          uri: direct:collide
                          steps:
                            - setBody:
                                constant: "collide"
                    """);

    @Autowired
    RouteFiles files;

    @Autowired
    RouteFileCheck check;

    @Autowired
    MeterRegistry meters;

    @Autowired
    WebTestClient http;

    private double refusals() {
        return meters.counter("sfcache.route.reloads", "outcome", "rejected").count();
    }

    private static void writeText(Path dir, String file, String text) throws IOException {
        Path draft = Files.writeString(dir.resolve(file + ".tmp"), text);
        Files.move(draft, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
