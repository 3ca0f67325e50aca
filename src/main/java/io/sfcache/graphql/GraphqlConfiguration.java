package io.sfcache.graphql;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.DataFetcherExceptionResolver;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.graphql.server.TimeoutWebGraphQlInterceptor;

import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.scalars.ExtendedScalars;
import io.sfcache.SfcacheProperties;

/** Scalars, limits and error shapes of the read API. */
@Configuration(proxyBeanMethods = false)
public class GraphqlConfiguration {

    @Bean
    RuntimeWiringConfigurer scalars() {
        return wiring -> wiring.scalar(ExtendedScalars.DateTime).scalar(ExtendedScalars.Date)
                .scalar(ExtendedScalars.Json);
    }

    @Bean
    MaxQueryDepthInstrumentation maxDepth(SfcacheProperties properties) {
        return new MaxQueryDepthInstrumentation(properties.getGraphql().getMaxDepth());
    }

    /** A list field costs its page size times what each element costs, so deep nested lists add up quickly. */
    @Bean
    MaxQueryComplexityInstrumentation maxComplexity(SfcacheProperties properties) {
        int defaultPage = properties.getGraphql().getDefaultPageSize();
        FieldComplexityCalculator cost = (env, childComplexity) -> {
            Object first = env.getArguments().get("first");
            int page = first instanceof Integer n ? n
                    : env.getFieldDefinition().getArgument("first") != null ? defaultPage : 1;
            return page * (childComplexity + 1);
        };
        return new MaxQueryComplexityInstrumentation(properties.getGraphql().getMaxComplexity(), cost);
    }

    @Bean
    TimeoutWebGraphQlInterceptor requestTimeout(SfcacheProperties properties) {
        return new TimeoutWebGraphQlInterceptor(properties.getGraphql().getRequestTimeout());
    }

    /** The caller's mistakes as BAD_REQUEST with a code; anything else stays Spring's opaque INTERNAL_ERROR. */
    @Bean
    DataFetcherExceptionResolver invalidQueries() {
        return new DataFetcherExceptionResolverAdapter() {
            @Override
            protected GraphQLError resolveToSingleError(Throwable ex, graphql.schema.DataFetchingEnvironment env) {
                if (ex instanceof InvalidQueryException) {
                    return GraphqlErrorBuilder.newError(env).errorType(ErrorType.BAD_REQUEST).message(ex.getMessage())
                            .extensions(Map.of("code", "BAD_REQUEST")).build();
                }
                return null;
            }
        };
    }
}
