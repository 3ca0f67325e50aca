package io.sfcache.azure;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** {@code sfcache.eventhubs.*}: the hub that announces stored changes. */
@Validated
@ConfigurationProperties("sfcache.eventhubs")
public class EventHubsProperties extends MessagingConnection {

    /** Hub that receives one event per stored change. */
    @NotBlank
    private String hub = "sfcache-record-events";

    /** How long one publish attempt may take before the SDK retries it. */
    @NotNull
    private Duration tryTimeout = Duration.ofSeconds(10);

    /** SDK-level retries of one publish; the sync flow's own retry comes on top (sfcache.sync.retry). */
    @Min(0)
    @Max(10)
    private int maxRetries = 2;

    public Duration getTryTimeout() {
        return tryTimeout;
    }

    public void setTryTimeout(Duration tryTimeout) {
        this.tryTimeout = tryTimeout;
    }

    public int getMaxRetries() {
        return maxRetries;
    }

    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }

    public String getHub() {
        return hub;
    }

    public void setHub(String hub) {
        this.hub = hub;
    }

    @AssertTrue(
            message = "is missing: set sfcache.eventhubs.connection-string (SAS), or sfcache.eventhubs.namespace "
                    + "(e.g. contoso.servicebus.windows.net) to use Entra ID / workload identity")
    public boolean isConnectionStringOrNamespace() {
        return connectionConfigured();
    }
}
