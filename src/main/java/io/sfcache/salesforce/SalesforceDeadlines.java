package io.sfcache.salesforce;

import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The salesforce component's HTTP client waits 60 s to connect and 60 s for an answer by default: longer than the
 * schema-drift and reconciliation runs that call it can wait. {@code sfcache.salesforce.request-timeout} bounds both.
 */
@Configuration(proxyBeanMethods = false)
public class SalesforceDeadlines {

    @Bean
    ComponentCustomizer salesforceRequestTimeout(SalesforceProperties salesforce) {
        long millis = salesforce.getRequestTimeout().toMillis();
        return ComponentCustomizer.forType(SalesforceComponent.class, component -> {
            component.setHttpRequestTimeout(millis);
            component.setHttpClientConnectionTimeout(millis);
        });
    }
}
