package io.sfcache.hawtio;

import io.sfcache.security.SecurityConfiguration;
import io.sfcache.security.SecurityProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.SupplierClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hawtio (and the Jolokia endpoint it reads MBeans through) for the ops role only. A browser console cannot send
 * bearer tokens, so this chain has a session: sign-in with the identity provider apps use for GraphQL (OIDC,
 * authorization code with PKCE, roles from the ID token's roles claim). Hawtio's own authentication is off: Spring
 * Security is in front of every path it serves. Evaluated before the JWT chain.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "sfcache.hawtio", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(HawtioAccessProperties.class)
public class HawtioSecurityConfiguration {

    static final String REGISTRATION_ID = "sfcache";

    static final String[] PATHS = {
        "/actuator/hawtio",
        "/actuator/hawtio/**",
        "/actuator/jolokia",
        "/actuator/jolokia/**",
        "/login",
        "/login/**",
        "/logout",
        "/oauth2/**",
        "/default-ui.css"
    };

    @Bean
    @Order(1)
    SecurityFilterChain hawtio(HttpSecurity http, HawtioAccessProperties access, SecurityProperties security)
            throws Exception {
        // Plain path patterns: Jolokia is its own servlet, which Spring MVC's matchers do not see.
        http.securityMatcher(paths(PATHS))
                .authorizeHttpRequests(requests -> requests.requestMatchers(
                                paths("/login", "/login/**", "/oauth2/**", "/default-ui.css"))
                        .permitAll()
                        .anyRequest()
                        .hasAuthority(SecurityConfiguration.OPS))
                // Jolokia writes (POST) ride on the session cookie: Hawtio echoes the XSRF-TOKEN cookie as a header.
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler()))
                .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class)
                .exceptionHandling(exceptions -> exceptions.accessDeniedHandler(
                        (request, response, denied) -> refuse(request, response, denied, security)))
                .logout(logout -> logout.logoutSuccessUrl("/actuator/hawtio/"));
        if (access.getOidc().isConfigured()) {
            // Discovery is read on first sign-in, not at start-up, so the identity provider may come up later.
            SupplierClientRegistrationRepository registrations = new SupplierClientRegistrationRepository(
                    () -> new InMemoryClientRegistrationRepository(registration(security, access.getOidc())));
            http.oauth2Login(login -> login
                            // Passed as a plain ClientRegistrationRepository: Spring's generated login page iterates
                            // the
                            // registrations it can iterate while the chain is built, which would read discovery at
                            // start-up.
                            .clientRegistrationRepository(registrations::findByRegistrationId)
                            .userInfoEndpoint(userInfo -> userInfo.userAuthoritiesMapper(
                                    authorities -> opsRoleFromIdToken(authorities, security)))
                            .defaultSuccessUrl("/actuator/hawtio/", false))
                    // Straight to the identity provider (the generated login page lists no provider: see above).
                    .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(
                            new LoginUrlAuthenticationEntryPoint("/oauth2/authorization/" + REGISTRATION_ID)));
        } else {
            // Nobody can sign in: every request is refused rather than shown an empty login form.
            http.authorizeHttpRequests(requests -> requests.anyRequest().denyAll());
        }
        return http.build();
    }

    /** The one OIDC client Hawtio signs in with (authorization code with PKCE), from the issuer's discovery. */
    private static ClientRegistration registration(SecurityProperties security, HawtioAccessProperties.Oidc oidc) {
        return ClientRegistrations.fromIssuerLocation(security.getIssuerUri())
                .registrationId(REGISTRATION_ID)
                .clientId(oidc.getClientId())
                .clientSecret(oidc.getClientSecret())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .scope("openid", "profile")
                // PKCE although the client has a secret, as the OAuth 2.0 security BCP (RFC 9700) asks: a stolen
                // authorization code is useless without the verifier. Entra ID accepts it.
                .clientSettings(ClientRegistration.ClientSettings.builder()
                        .requireProofKey(true)
                        .build())
                .build();
    }

    private static RequestMatcher paths(String... patterns) {
        PathPatternRequestMatcher.Builder builder = PathPatternRequestMatcher.withDefaults();
        return new OrRequestMatcher(
                Arrays.stream(patterns).<RequestMatcher>map(builder::matcher).toList());
    }

    /** OPS when the ID token's roles claim holds the ops role; nothing else (readers have no business here). */
    static Collection<GrantedAuthority> opsRoleFromIdToken(
            Collection<? extends GrantedAuthority> authorities, SecurityProperties security) {
        List<GrantedAuthority> mapped = new ArrayList<>();
        for (GrantedAuthority authority : authorities) {
            if (authority instanceof OidcUserAuthority oidc) {
                List<String> roles = oidc.getIdToken().getClaimAsStringList(security.getRolesClaim());
                if (roles != null && roles.contains(security.getOpsRole())) {
                    mapped.add(new SimpleGrantedAuthority(SecurityConfiguration.OPS));
                }
            }
        }
        return mapped;
    }

    /**
     * Someone signed in without the ops role (a reader, say) is told why, instead of getting a bare error page. A
     * missing or wrong CSRF token is refused plainly.
     */
    private static void refuse(
            HttpServletRequest request,
            HttpServletResponse response,
            AccessDeniedException denied,
            SecurityProperties security)
            throws IOException {
        if (denied instanceof CsrfException || request.getUserPrincipal() == null) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter()
                .write("Signed in as " + request.getUserPrincipal().getName() + ", but Hawtio is for the "
                        + security.getOpsRole() + " role only.\n");
    }

    /** Loads the deferred CSRF token on every request, so the XSRF-TOKEN cookie exists before Hawtio's first POST. */
    static final class CsrfCookieFilter extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token != null) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
