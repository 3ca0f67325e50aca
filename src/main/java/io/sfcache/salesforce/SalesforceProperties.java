package io.sfcache.salesforce;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code sfcache.salesforce.*}: the Salesforce org sfcache reads from directly: for schema-drift checks, reconciliation and the Change Data
 * Capture fallback. Authentication is the OAuth 2.0 client-credentials flow of a Connected App / External Client
 * App whose run-as user has read access to the monitored objects.
 */
@Validated
@ConfigurationProperties("sfcache.salesforce")
public class SalesforceProperties {

    /** My Domain URL of the org, e.g. https://contoso.my.salesforce.com (client credentials need My Domain). */
    @NotBlank(
            message = "is missing: set sfcache.salesforce.login-url to the org's My Domain URL, "
                    + "e.g. https://contoso.my.salesforce.com")
    private String loginUrl;

    @NotBlank(message = "is missing: set sfcache.salesforce.client-id to the Connected App's consumer key")
    private String clientId;

    @NotBlank(
            message = "is missing: set sfcache.salesforce.client-secret to the Connected App's consumer secret "
                    + "(from a Kubernetes secret, never in a values file)")
    private String clientSecret;

    /** Pub/Sub API endpoint (gRPC over TLS) for Change Data Capture. */
    @NotBlank
    private String pubSubHost = "api.pubsub.salesforce.com";

    @Min(1)
    @jakarta.validation.constraints.Max(65535)
    private int pubSubPort = 7443;

    /** Whether the Pub/Sub gRPC channel may go through the JVM's proxy settings. */
    private boolean pubSubUseSystemProxy = true;

    @jakarta.validation.Valid
    private final CdcProperties cdc = new CdcProperties();

    /**
     * Deadline of one REST call (describe, reconciliation query pages, record reads), connecting included: shorter
     * than the timers that make them, so an org that stops answering fails a run instead of holding its thread.
     */
    @NotNull
    private java.time.Duration requestTimeout = java.time.Duration.ofSeconds(20);

    /** REST and Pub/Sub API version. */
    @Pattern(regexp = "\\d{2,3}\\.0", message = "must look like 62.0")
    private String apiVersion = "62.0";

    public java.time.Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(java.time.Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public String getLoginUrl() {
        return loginUrl;
    }

    public void setLoginUrl(String loginUrl) {
        this.loginUrl = loginUrl;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getClientSecret() {
        return clientSecret;
    }

    public void setClientSecret(String clientSecret) {
        this.clientSecret = clientSecret;
    }

    public String getPubSubHost() {
        return pubSubHost;
    }

    public void setPubSubHost(String pubSubHost) {
        this.pubSubHost = pubSubHost;
    }

    public int getPubSubPort() {
        return pubSubPort;
    }

    public void setPubSubPort(int pubSubPort) {
        this.pubSubPort = pubSubPort;
    }

    public boolean isPubSubUseSystemProxy() {
        return pubSubUseSystemProxy;
    }

    public void setPubSubUseSystemProxy(boolean pubSubUseSystemProxy) {
        this.pubSubUseSystemProxy = pubSubUseSystemProxy;
    }

    @Valid
    private final Reconcile reconcile = new Reconcile();

    public Reconcile getReconcile() {
        return reconcile;
    }

    /** Bounds on every reconciliation run, whoever starts it. */
    public static class Reconcile {
        /** Records per second sent through the sync flow by all runs together. */
        @Min(1)
        private int recordsPerSecond = 200;
        /** How long a run waits for another run of the same object, or for its pace. */
        @NotNull
        private java.time.Duration maxWait = java.time.Duration.ofMinutes(10);

        public int getRecordsPerSecond() {
            return recordsPerSecond;
        }

        public void setRecordsPerSecond(int recordsPerSecond) {
            this.recordsPerSecond = recordsPerSecond;
        }

        public java.time.Duration getMaxWait() {
            return maxWait;
        }

        public void setMaxWait(java.time.Duration maxWait) {
            this.maxWait = maxWait;
        }
    }

    public CdcProperties getCdc() {
        return cdc;
    }

    public String getApiVersion() {
        return apiVersion;
    }

    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }
}
