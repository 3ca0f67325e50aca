package io.sfcache.graphql;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * GraphiQL at {@code /graphiql}: our own page ({@code static/graphiql/}) on the GraphiQL and React webjars, so it works
 * on a closed network; Spring's built-in page ({@code spring.graphql.graphiql.enabled}) loads its scripts from a CDN
 * and stays off. The page is public and asks for the caller's bearer token; {@code /graphql} itself is not public.
 */
@Configuration(proxyBeanMethods = false)
public class GraphiqlPage implements WebMvcConfigurer {

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        // The slash form, so that the page's relative URLs (its script, the webjars, ../graphql) also resolve
        // under a context path or a proxy's path prefix.
        registry.addRedirectViewController("/graphiql", "/graphiql/");
        registry.addViewController("/graphiql/").setViewName("forward:/graphiql/index.html");
    }
}
