package io.sfcache.graphql;

import graphql.schema.idl.SchemaParser;
import org.springframework.boot.autoconfigure.graphql.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;

/**
 * Adds each monitored object's part of the schema, written from its contract ({@link ContractSchema}), to the
 * hand-written one, and wires its queries and relations to {@link RecordReader}.
 */
@Configuration(proxyBeanMethods = false)
public class RecordWiring {

    @Bean
    GraphQlSourceBuilderCustomizer contractTypes(ObjectApis apis) {
        String sdl = ContractSchema.sdl(apis);
        return builder -> builder.configureTypeDefinitions(registry -> registry.merge(new SchemaParser().parse(sdl)));
    }

    @Bean
    RuntimeWiringConfigurer recordFetchers(ObjectApis apis, RecordReader reader) {
        return wiring -> apis.all().forEach(api -> {
            wiring.type(
                    "Query",
                    type -> type.dataFetcher(api.one(), env -> reader.one(api, env))
                            .dataFetcher(api.many(), env -> reader.page(api, env)));
            wiring.type(api.type(), type -> {
                api.lookups().forEach(lookup -> type.dataFetcher(lookup.relation(), env -> reader.parent(lookup, env)));
                api.children()
                        .forEach(children ->
                                type.dataFetcher(children.connection(), env -> reader.children(children, env)));
                return type;
            });
        });
    }
}
