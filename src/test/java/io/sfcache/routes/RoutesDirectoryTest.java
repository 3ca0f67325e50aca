package io.sfcache.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.sfcache.SfcacheIntegrationTest;

/** An integration engineer changes a route in the mounted directory; sfcache picks it up without a rebuild. */
// A plain property, not @DynamicPropertySource: route sources are decided before context customizers run.
@SfcacheIntegrationTest
// Its own queue and no JMX, so this second context never competes with the shared one; closed when done.
@TestPropertySource(properties = {"sfcache.routes.directory=target/routes-directory-test",
        "sfcache.servicebus.queue=routes-directory-test", "spring.jmx.enabled=false"})
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
        assertThat(camel.getRoute("sync-change")).as("the other built-in routes stay").isNotNull();
    }
}
