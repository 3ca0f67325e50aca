package io.sfcache.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Where Camel finds routes: the ones built into the jar, plus, when {@code sfcache.routes.directory} is set (a
 * mounted ConfigMap in Kubernetes), the {@code *.camel.yaml} files there, reloaded live when they change. A file in
 * the directory replaces the built-in route file of the same name, so an integration engineer overrides one flow
 * without copying the others. Edits of those files are applied live, once checked (RouteReloadConfiguration).
 */
public class RouteSourcesEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String DIRECTORY_PROPERTY = "sfcache.routes.directory";
    static final String BUILT_IN = "classpath:routes/*.camel.yaml";
    static final String PATTERN = "*.camel.yaml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String directory = environment.getProperty(DIRECTORY_PROPERTY, "").trim();
        Map<String, Object> camel = new LinkedHashMap<>();
        if (directory.isEmpty()) {
            camel.put("camel.main.routes-include-pattern", BUILT_IN);
        } else {
            Path dir = Path.of(directory).toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException(
                        DIRECTORY_PROPERTY + "=" + directory + " is not a directory: create it, "
                                + "mount the routes ConfigMap there, or leave the property empty to use the built-in routes only");
            }
            // Built-in files are listed by name, leaving out those the directory replaces (Camel's exclude patterns
            // match resolved URLs, which differ between a jar and a build directory).
            List<String> replaced = routeFiles(dir);
            List<String> sources = new ArrayList<>(builtInRouteFiles().stream()
                    .filter(name -> !replaced.contains(name))
                    .map(name -> "classpath:routes/" + name)
                    .toList());
            sources.add("file:" + dir + "/" + PATTERN);
            camel.put("camel.main.routes-include-pattern", String.join(",", sources));
            // Edits are reloaded by SafeRouteReloadStrategy (RouteReloadConfiguration), which checks them first,
            // not by Camel Main's own reload.
        }
        // Lowest precedence: an explicit camel.main.* setting still wins.
        environment.getPropertySources().addLast(new MapPropertySource("sfcache-route-sources", camel));
    }

    private static List<String> builtInRouteFiles() {
        try {
            return Arrays.stream(new PathMatchingResourcePatternResolver().getResources(BUILT_IN))
                    .map(Resource::getFilename)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the built-in routes " + BUILT_IN, e);
        }
    }

    private static List<String> routeFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".camel.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + DIRECTORY_PROPERTY + "=" + dir, e);
        }
    }
}
