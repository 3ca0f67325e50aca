package io.sfcache.salesforce;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** The Salesforce org's settings, {@code sfcache.salesforce.*} ({@link SalesforceProperties}, CDC included). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SalesforceProperties.class)
public class SalesforceConfiguration {}
