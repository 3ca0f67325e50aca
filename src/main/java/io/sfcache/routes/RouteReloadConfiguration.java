package io.sfcache.routes;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * Live route edits that cannot break running flows: the check ({@link RouteFileCheck}, also offered as
 * {@code /actuator/routefiles}), what became of each edit ({@link RouteFiles}, health {@code routeFiles}), and, when
 * {@code sfcache.routes.directory} is set, the reload strategy that applies only what passes
 * ({@link SafeRouteReloadStrategy}) in place of Camel Main's own.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RoutesProperties.class)
public class RouteReloadConfiguration {

    @Bean
    RouteFileCheck routeFileCheck(CamelContext camel) {
        return new RouteFileCheck(camel);
    }

    @Bean("routeFiles")
    RouteFiles routeFiles(MeterRegistry meters, Clock clock) {
        return new RouteFiles(meters, clock);
    }

    @Bean
    RouteFilesEndpoint routeFilesEndpoint(RouteFileCheck check, RouteFiles files) {
        return new RouteFilesEndpoint(check, files);
    }

    @Bean
    CamelContextConfiguration safeRouteReload(RouteFileCheck check, RouteFiles files, RoutesProperties routes) {
        String directory = routes.getDirectory();
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                // nothing before the routes start
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                if (!StringUtils.hasText(directory)) {
                    return;
                }
                Path dir = Path.of(directory).toAbsolutePath().normalize();
                remember(dir, files);
                try {
                    camel.addService(new SafeRouteReloadStrategy(
                            dir.toString(), RouteSourcesEnvironmentPostProcessor.PATTERN, check, files));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot watch " + dir + " for route edits", e);
                }
            }
        };
    }

    /** The files as they were loaded at start-up: what a failed edit goes back to. */
    private static void remember(Path dir, RouteFiles files) {
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path file : paths.filter(p -> p.getFileName().toString().endsWith(".camel.yaml"))
                    .toList()) {
                files.running(file.getFileName().toString(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the route files in " + dir, e);
        }
    }
}
