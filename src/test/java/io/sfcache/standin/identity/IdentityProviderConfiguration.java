package io.sfcache.standin.identity;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The identity provider's Spring context: Spring Authorization Server with OIDC, on an embedded Tomcat of its own. Only
 * {@link TokenIssuerStandin} registers this class, in a context of its own. It is deliberately not a
 * {@code @Configuration}: sfcache's component scan covers {@code io.sfcache} on the test classpath, and none of these
 * beans (filter chains, user store, keys) may end up in sfcache's context.
 */
@EnableWebSecurity
class IdentityProviderConfiguration {

    /** Where every Hawtio sign-in returns to: sfcache's {@code {baseUrl}/login/oauth2/code/{registrationId}}. */
    static final String HAWTIO_REDIRECT_PATH = "/login/oauth2/code/sfcache";

    /** What {@link TokenIssuerStandin} decides before the context starts. */
    record Setup(
            String issuer,
            int port,
            String audience,
            List<LocalClient> apps,
            LocalClient hawtio,
            List<LocalUser> users,
            SigningKeys keys,
            JwtEncoder encoder,
            Duration appTokenTtl) {}

    @Bean
    TomcatServletWebServerFactory webServer(Setup setup) throws UnknownHostException {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(setup.port());
        factory.setAddress(InetAddress.getByName("127.0.0.1"));
        // Browsers keep cookies per host, not per port: under Tomcat's usual JSESSIONID our sign-in would overwrite
        // sfcache's session on 127.0.0.1, and with it the login sfcache had started (authorization_request_not_found).
        factory.getSession().getCookie().setName("SFCACHE_IDP_SESSION");
        // Tomcat runs filters only for requests mapped to a servlet; everything here is served by Spring Security's
        // filter chain (a Filter bean, which this context maps to /* by itself), the rest is the default servlet's 404.
        factory.setRegisterDefaultServlet(true);
        return factory;
    }

    /** The OAuth 2.0 and OIDC endpoints: discovery, JWKS, authorize, token, userinfo, logout. */
    @Bean
    @Order(1)
    SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
        OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
        http.securityMatcher(server.getEndpointsMatcher())
                .with(
                        server,
                        config -> config.oidc(Customizer.withDefaults())
                                .authorizationEndpoint(
                                        endpoint -> endpoint.authenticationProviders(loopbackRedirectUris())))
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                // A browser at the authorization endpoint without a session signs in first.
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)))
                // The userinfo endpoint takes the access tokens this server issued.
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()));
        return http.build();
    }

    /** The login form (Spring Security's own page) for the people below. */
    @Bean
    @Order(2)
    SecurityFilterChain signIn(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .build();
    }

    @Bean
    UserDetailsService people(Setup setup) {
        // The role names are the authorities; rolesAndAudience copies them into the ID token.
        return new InMemoryUserDetailsManager(setup.users().stream()
                .map(user -> User.withUsername(user.name())
                        .password("{noop}" + user.password())
                        .authorities(user.roles().toArray(String[]::new))
                        .build())
                .toList());
    }

    @Bean
    RegisteredClientRepository clients(Setup setup) {
        List<RegisteredClient> clients = new ArrayList<>();
        for (LocalClient app : setup.apps()) {
            clients.add(RegisteredClient.withId(UUID.randomUUID().toString())
                    .clientId(app.id())
                    .clientSecret("{noop}" + app.secret())
                    // HTTP Basic or the form, as Entra ID takes both.
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .clientSettings(ClientSettings.builder()
                            .setting(TokenIssuerStandin.ROLES_CLAIM, app.roles())
                            .build())
                    .tokenSettings(TokenSettings.builder()
                            .accessTokenTimeToLive(setup.appTokenTtl())
                            .build())
                    .build());
        }
        LocalClient hawtio = setup.hawtio();
        clients.add(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(hawtio.id())
                .clientSecret("{noop}" + hawtio.secret())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                // Any port: sfcache's is random in tests and 8081 in the local run (see loopbackRedirectUris).
                .redirectUri("http://127.0.0.1" + HAWTIO_REDIRECT_PATH)
                .redirectUri("http://localhost" + HAWTIO_REDIRECT_PATH)
                .scope(OidcScopes.OPENID)
                .scope(OidcScopes.PROFILE)
                // PKCE even though the client has a secret (OAuth 2.0 security BCP); no consent page for an in-house
                // app.
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .build());
        return new InMemoryRegisteredClientRepository(clients);
    }

    /**
     * Apps' tokens get the audience sfcache checks and the client's app roles (as Entra ID puts app roles into app-only
     * tokens); ID tokens get the person's roles, where sfcache's Hawtio sign-in reads them.
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> rolesAndAudience(Setup setup) {
        return context -> {
            if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
                List<String> roles =
                        context.getRegisteredClient().getClientSettings().getSetting(TokenIssuerStandin.ROLES_CLAIM);
                context.getClaims().audience(List.of(setup.audience())).claim(TokenIssuerStandin.ROLES_CLAIM, roles);
            } else if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
                context.getClaims()
                        .claim(
                                TokenIssuerStandin.ROLES_CLAIM,
                                context.getPrincipal().getAuthorities().stream()
                                        .map(GrantedAuthority::getAuthority)
                                        .toList());
            }
        };
    }

    /** The JWKS: every published key. */
    @Bean
    JWKSource<SecurityContext> jwkSource(Setup setup) {
        return setup.keys().published();
    }

    /** Signs every token with the current key: the one TokenIssuerStandin.mint uses too. */
    @Bean
    JwtEncoder jwtEncoder(Setup setup) {
        return setup.encoder();
    }

    /** For the userinfo endpoint's bearer tokens. */
    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> jwkSource) {
        return OAuth2AuthorizationServerConfiguration.jwtDecoder(jwkSource);
    }

    @Bean
    AuthorizationServerSettings settings(Setup setup) {
        return AuthorizationServerSettings.builder().issuer(setup.issuer()).build();
    }

    /**
     * Redirect URIs on this machine match whatever their port (RFC 8252 section 7.3; Entra ID ignores the port of
     * localhost redirect URIs too). Spring Authorization Server does this for 127.0.0.1 itself, but wants localhost
     * (the local run's banner URL) to match exactly.
     */
    private static Consumer<List<AuthenticationProvider>> loopbackRedirectUris() {
        Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> redirectUri = context -> {
            OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
            String requested = request.getRedirectUri();
            if (requested != null
                    && "localhost"
                            .equals(UriComponentsBuilder.fromUriString(requested)
                                    .build()
                                    .getHost())
                    && context.getRegisteredClient()
                            .getRedirectUris()
                            .contains(UriComponentsBuilder.fromUriString(requested)
                                    .port(-1)
                                    .toUriString())) {
                return;
            }
            OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_REDIRECT_URI_VALIDATOR.accept(context);
        };
        return providers -> providers.stream()
                .filter(OAuth2AuthorizationCodeRequestAuthenticationProvider.class::isInstance)
                .map(OAuth2AuthorizationCodeRequestAuthenticationProvider.class::cast)
                .forEach(provider -> provider.setAuthenticationValidator(redirectUri.andThen(
                        OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_SCOPE_VALIDATOR)));
    }
}
