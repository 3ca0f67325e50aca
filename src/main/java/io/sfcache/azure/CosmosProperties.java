package io.sfcache.azure;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** {@code sfcache.cosmos.*}: the Cosmos DB account that holds the cached records. */
@Validated
@ConfigurationProperties("sfcache.cosmos")
public class CosmosProperties {
    public enum ConnectionMode {
        DIRECT,
        GATEWAY
    }

    /** Account endpoint, e.g. https://contoso.documents.azure.com:443/. */
    @NotBlank(
            message =
                    "is missing: set sfcache.cosmos.endpoint to the account URI, e.g. https://contoso.documents.azure.com:443/")
    private String endpoint;
    /** Account key; empty means Entra ID (DefaultAzureCredential) with a data-plane role. */
    private String key;

    @NotBlank
    private String database = "sfcache";
    /** DIRECT is fastest inside Azure; GATEWAY needs only HTTPS 443 (and is what the local stand-in speaks). */
    @NotNull
    private ConnectionMode connectionMode = ConnectionMode.DIRECT;
    /** Off only for single-region endpoints that cannot be discovered (the local stand-in). */
    private boolean endpointDiscoveryEnabled = true;
    /** Create the database and containers at start-up if missing (needs a key or a control-plane role). */
    private boolean createIfMissing = true;
    /** Shared throughput for a database created at start-up, in RU/s (autoscale maximum). */
    @Min(1000)
    @Max(1_000_000)
    private int autoscaleMaxThroughput = 1000;

    @NotNull
    private Duration requestTimeout = Duration.ofSeconds(4);

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getDatabase() {
        return database;
    }

    public void setDatabase(String database) {
        this.database = database;
    }

    public ConnectionMode getConnectionMode() {
        return connectionMode;
    }

    public void setConnectionMode(ConnectionMode connectionMode) {
        this.connectionMode = connectionMode;
    }

    public boolean isEndpointDiscoveryEnabled() {
        return endpointDiscoveryEnabled;
    }

    public void setEndpointDiscoveryEnabled(boolean endpointDiscoveryEnabled) {
        this.endpointDiscoveryEnabled = endpointDiscoveryEnabled;
    }

    public boolean isCreateIfMissing() {
        return createIfMissing;
    }

    public void setCreateIfMissing(boolean createIfMissing) {
        this.createIfMissing = createIfMissing;
    }

    public int getAutoscaleMaxThroughput() {
        return autoscaleMaxThroughput;
    }

    public void setAutoscaleMaxThroughput(int autoscaleMaxThroughput) {
        this.autoscaleMaxThroughput = autoscaleMaxThroughput;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }
}
