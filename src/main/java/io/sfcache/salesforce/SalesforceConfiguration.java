package io.sfcache.salesforce;

import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.sfcache.SfcacheProperties;

/** The camel-salesforce component, configured from {@code sfcache.salesforce.*} only. */
@Configuration(proxyBeanMethods = false)
public class SalesforceConfiguration {

    @Bean
    ComponentCustomizer salesforceConnection(SfcacheProperties properties) {
        SalesforceProperties salesforce = properties.getSalesforce();
        return ComponentCustomizer.forType(SalesforceComponent.class, component -> {
            component.setLoginUrl(salesforce.getLoginUrl());
            component.setClientId(salesforce.getClientId());
            component.setClientSecret(salesforce.getClientSecret());
            component.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
            component.getConfig().setApiVersion(salesforce.getApiVersion());
            component.setPubSubHost(salesforce.getPubSubHost());
            component.setPubSubPort(salesforce.getPubSubPort());
            // Log in on first use: sfcache starts (and serves reads) while Salesforce is unreachable.
            component.setLazyLogin(true);
        });
    }
}
