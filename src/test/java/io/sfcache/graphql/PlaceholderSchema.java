package io.sfcache.graphql;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.springframework.boot.autoconfigure.graphql.GraphQlProperties;
import org.springframework.boot.autoconfigure.graphql.GraphQlSourceBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * A {@code type Query { ping: String }} schema for tests and the local run while sfcache's real schema (in
 * {@code src/main/resources/graphql/}, written in parallel) does not exist yet: without any schema Spring serves no
 * {@code /graphql} at all, and the security and GraphiQL tests would have nothing to call. It steps aside by itself
 * once a real schema file is on the classpath; delete it then. Tests only query {@code { __typename }}, which any
 * schema answers.
 */
@TestConfiguration(proxyBeanMethods = false)
public class PlaceholderSchema {

    static final String LOCATION = "graphql-test/placeholder.graphqls";

    /** A customizer bean also satisfies Spring Boot's "is there a schema" condition, so GraphQL starts. */
    @Bean
    GraphQlSourceBuilderCustomizer placeholderSchemaUntilTheRealOneExists(GraphQlProperties properties) {
        return builder -> {
            if (!realSchemaExists(properties)) {
                builder.schemaResources(new ClassPathResource(LOCATION))
                        .configureRuntimeWiring(wiring -> wiring.type("Query",
                                query -> query.dataFetcher("ping", environment -> "pong")));
            }
        };
    }

    private static boolean realSchemaExists(GraphQlProperties properties) {
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
        try {
            for (String location : properties.getSchema().getLocations()) {
                for (String extension : properties.getSchema().getFileExtensions()) {
                    String base = location.endsWith("/") ? location : location + "/";
                    String pattern = base.replaceFirst("^classpath:", "classpath*:") + "**/*" + extension;
                    if (resolver.getResources(pattern).length > 0) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
