package io.sfcache.standin;

import io.sfcache.standin.cosmos.CosmosStandin;
import io.sfcache.standin.identity.LocalClient;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.salesforce.SalesforceStandin;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the local stand-ins (once per JVM) and points sfcache at them. Used by {@code ./mvnw spring-boot:test-run}
 * and by the integration tests; the production jar never sees any of this.
 */
public final class LocalStandins implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final String PROPERTY_SOURCE = "local-standins";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties()));
    }

    /** The sfcache.* settings that reach the running stand-ins. */
    public static Map<String, Object> properties() {
        // Before anything opens a TLS connection: the JVM reads its trust store once.
        LoopbackTls.ensureInstalled();
        AzureMessagingStandin messaging = AzureMessagingStandin.shared();
        CosmosStandin cosmos = CosmosStandin.shared();
        TokenIssuerStandin identity = TokenIssuerStandin.shared();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("sfcache.servicebus.connection-string", messaging.serviceBusConnectionString());
        properties.put("sfcache.eventhubs.connection-string", messaging.eventHubsConnectionString());
        properties.put("sfcache.cosmos.endpoint", cosmos.endpoint());
        properties.put("sfcache.cosmos.key", cosmos.key());
        // What the Cosmos stand-in speaks: one region, HTTPS only.
        properties.put("sfcache.cosmos.connection-mode", "GATEWAY");
        properties.put("sfcache.cosmos.endpoint-discovery-enabled", "false");
        SalesforceStandin salesforce = SalesforceStandin.shared();
        properties.put("sfcache.salesforce.login-url", salesforce.loginUrl());
        properties.put("sfcache.salesforce.client-id", salesforce.clientId());
        properties.put("sfcache.salesforce.client-secret", salesforce.clientSecret());
        properties.put("sfcache.salesforce.pub-sub-host", salesforce.pubSubHost());
        properties.put("sfcache.salesforce.pub-sub-port", salesforce.pubSubPort());
        properties.put("sfcache.salesforce.pub-sub-use-system-proxy", "false");
        // sfcache reads discovery and keys from the issuer like from Entra ID; tests mint tokens with it.
        properties.put("sfcache.security.issuer-uri", identity.issuer());
        properties.put("sfcache.security.audience", identity.audience());
        // The reader's-eye probe signs in like an app, with a client of its own that has the reader role.
        LocalClient probe = identity.client(TokenIssuerStandin.PROBE_CLIENT);
        properties.put("sfcache.monitoring.reader-probe.token-uri", identity.tokenEndpoint());
        properties.put("sfcache.monitoring.reader-probe.client-id", probe.id());
        properties.put("sfcache.monitoring.reader-probe.client-secret", probe.secret());
        // The identity provider (Spring Authorization Server) is on the test classpath: without this, Spring Boot
        // would auto-configure an authorization server's settings and a signing key inside sfcache as well.
        properties.put(
                "spring.autoconfigure.exclude",
                String.join(
                        ",",
                        "org.springframework.boot.autoconfigure.security.oauth2.server.servlet.OAuth2AuthorizationServerAutoConfiguration",
                        "org.springframework.boot.autoconfigure.security.oauth2.server.servlet.OAuth2AuthorizationServerJwtAutoConfiguration"));
        // Hawtio signs people in at the identity provider, as in production: the operator gets in, the reader not.
        LocalClient hawtio = identity.client(TokenIssuerStandin.HAWTIO_CLIENT);
        properties.put("sfcache.hawtio.oidc.client-id", hawtio.id());
        properties.put("sfcache.hawtio.oidc.client-secret", hawtio.secret());
        return properties;
    }
}
