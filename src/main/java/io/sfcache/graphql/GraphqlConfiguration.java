package io.sfcache.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.scalars.ExtendedScalars;
import io.sfcache.azure.CosmosProperties;
import io.sfcache.sync.FailureClassifier;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.autoconfigure.graphql.GraphQlSourceBuilderCustomizer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.data.method.annotation.support.SubrangeMethodArgumentResolver;
import org.springframework.graphql.execution.DataFetcherExceptionResolver;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.graphql.server.TimeoutWebGraphQlInterceptor;

/** Scalars, limits and error shapes of the read API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GraphqlProperties.class)
public class GraphqlConfiguration {

    @Bean
    RuntimeWiringConfigurer scalars() {
        return wiring -> wiring.scalar(ExtendedScalars.DateTime)
                .scalar(ExtendedScalars.Date)
                .scalar(ExtendedScalars.Json);
    }

    /**
     * Apps send the same few documents again and again (variables change, the text does not): each is parsed and
     * validated once, then taken from graphql-java's document cache. Parsing and validating was a tenth of a point
     * read's CPU (docs/benchmarks.md).
     */
    @Bean
    GraphQlSourceBuilderCustomizer parsedDocuments() {
        Cache<String, PreparsedDocumentEntry> documents =
                Caffeine.newBuilder().maximumSize(1000).build();
        PreparsedDocumentProvider cache = (input, parseAndValidate) -> CompletableFuture.completedFuture(
                documents.get(input.getQuery(), query -> parseAndValidate.apply(input)));
        return builder -> builder.configureGraphQl(graphQl -> graphQl.preparsedDocumentProvider(cache));
    }

    /** {@code first} and {@code after} of the dead-letter list as one {@code Subrange} argument. */
    @Bean
    SubrangeMethodArgumentResolver<OpsController.DeadLetterPosition> deadLetterRange() {
        return new SubrangeMethodArgumentResolver<>(OpsController.CURSORS);
    }

    @Bean
    MaxQueryDepthInstrumentation maxDepth(GraphqlProperties graphql) {
        return new MaxQueryDepthInstrumentation(graphql.getMaxDepth());
    }

    /** A list field costs its page size times what each element costs, so deep nested lists add up quickly. */
    @Bean
    MaxQueryComplexityInstrumentation maxComplexity(GraphqlProperties graphql) {
        int defaultPage = graphql.getDefaultPageSize();
        FieldComplexityCalculator cost = (env, childComplexity) -> {
            Object first = env.getArguments().get("first");
            int page = first instanceof Integer n
                    ? n
                    : env.getFieldDefinition().getArgument("first") != null ? defaultPage : 1;
            return page * (childComplexity + 1);
        };
        return new MaxQueryComplexityInstrumentation(graphql.getMaxComplexity(), cost);
    }

    /**
     * The whole request's deadline. Each Cosmos operation has a shorter one ({@code sfcache.cosmos.request-timeout}),
     * at most half of this so that a query and its relations' batched read both fit: a store that does not answer is
     * then reported as such ({@code DEPENDENCY_UNAVAILABLE}) instead of as a timed-out request.
     */
    @Bean
    TimeoutWebGraphQlInterceptor requestTimeout(GraphqlProperties graphql, CosmosProperties cosmos) {
        Duration request = graphql.getRequestTimeout();
        Duration store = cosmos.getRequestTimeout();
        if (request.compareTo(store.multipliedBy(2)) < 0) {
            throw new IllegalStateException("sfcache.graphql.request-timeout=" + request + " leaves no room for two "
                    + "Cosmos operations of sfcache.cosmos.request-timeout=" + store + ": set it to at least "
                    + store.multipliedBy(2) + " or lower sfcache.cosmos.request-timeout");
        }
        return new TimeoutWebGraphQlInterceptor(request);
    }

    /**
     * The caller's mistakes as BAD_REQUEST with a code; a store that does not answer, refuses or throttles as
     * DEPENDENCY_UNAVAILABLE (worth retrying later); anything else stays Spring's opaque INTERNAL_ERROR.
     */
    @Bean
    DataFetcherExceptionResolver errorCodes(FailureClassifier failures) {
        return new DataFetcherExceptionResolverAdapter() {
            @Override
            protected GraphQLError resolveToSingleError(Throwable ex, graphql.schema.DataFetchingEnvironment env) {
                if (ex instanceof InvalidQueryException) {
                    return GraphqlErrorBuilder.newError(env)
                            .errorType(ErrorType.BAD_REQUEST)
                            .message(ex.getMessage())
                            .extensions(Map.of("code", "BAD_REQUEST"))
                            .build();
                }
                if (failures.isTransient(ex)) {
                    return GraphqlErrorBuilder.newError(env)
                            .errorType(DependencyUnavailable.INSTANCE)
                            .message(
                                    "The record store did not answer in time or refused the request; try again shortly")
                            .extensions(Map.of("code", DependencyUnavailable.INSTANCE.toString()))
                            .build();
                }
                return null;
            }
        };
    }

    /** The error classification apps retry on. */
    enum DependencyUnavailable implements ErrorClassification {
        INSTANCE;

        @Override
        public String toString() {
            return "DEPENDENCY_UNAVAILABLE";
        }
    }
}
