package io.sfcache.security;

import jakarta.servlet.DispatcherType;
import java.util.Collection;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * OAuth 2.0 resource server: every data request carries a JWT from the configured issuer and audience, checked by
 * Boot's decoder ({@code spring.security.oauth2.resourceserver.jwt.*}, set from {@code sfcache.security.*}). Reading
 * needs the reader or ops role; operating (sync status, dead letters, redrive) the ops role, checked per GraphQL
 * field. Health stays open for probes (the status only; details for the ops role, application.yaml). Prometheus is
 * open on a separate management port ({@code management.server.port}, which only the monitoring namespace reaches),
 * and needs the ops role when the actuator shares the apps' port.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
@EnableConfigurationProperties(SecurityProperties.class)
public class SecurityConfiguration {

    public static final String READER = "ROLE_READER";
    public static final String OPS = "ROLE_OPS";

    /**
     * No observation (timer and span) per security filter and authentication: they cost about a fifth of a GraphQL
     * read's CPU (docs/benchmarks.md, profile of the read path); each request keeps http.server.requests.
     */
    @Bean
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, JwtAuthenticationConverter roles, Environment environment)
            throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        // The error page of a request that was already let through (a 404 stays a 404, not a 403).
                        .dispatcherTypeMatchers(DispatcherType.ERROR)
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info")
                        .permitAll()
                        .requestMatchers(new AndRequestMatcher(
                                onSeparateManagementPort(environment),
                                PathPatternRequestMatcher.withDefaults().matcher("/actuator/prometheus")))
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/graphiql", "/graphiql/**", "/webjars/**")
                        .permitAll()
                        .requestMatchers("/graphql")
                        .hasAnyAuthority(READER, OPS)
                        .requestMatchers("/actuator/**")
                        .hasAuthority(OPS)
                        .anyRequest()
                        .denyAll())
                .oauth2ResourceServer(oauth -> oauth.jwt(jwt -> jwt.jwtAuthenticationConverter(roles)))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Bearer tokens, no cookies: nothing for CSRF to ride on.
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    /** A request that came in on the actuator's own port (known once the management server listens). */
    private static RequestMatcher onSeparateManagementPort(Environment environment) {
        return request -> {
            Integer management = environment.getProperty("local.management.port", Integer.class);
            Integer server = environment.getProperty("local.server.port", Integer.class);
            return management != null && !management.equals(server) && request.getLocalPort() == management;
        };
    }

    /** Maps the configured role names in the roles claim to READER and OPS. */
    @Bean
    JwtAuthenticationConverter roles(SecurityProperties security) {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(jwt -> {
            Collection<String> claimed = jwt.hasClaim(security.getRolesClaim())
                    ? jwt.getClaimAsStringList(security.getRolesClaim())
                    : List.of();
            return claimed.stream()
                    .map(role -> role.equals(security.getOpsRole())
                            ? OPS
                            : role.equals(security.getReaderRole()) ? READER : null)
                    .filter(java.util.Objects::nonNull)
                    .<GrantedAuthority>map(SimpleGrantedAuthority::new)
                    .toList();
        });
        return converter;
    }
}
