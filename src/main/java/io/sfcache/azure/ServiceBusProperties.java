package io.sfcache.azure;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** {@code sfcache.servicebus.*}: the queue the Apex publisher writes to. */
@Validated
@ConfigurationProperties("sfcache.servicebus")
public class ServiceBusProperties extends MessagingConnection {

    /** Queue the Apex publisher sends change messages to. */
    @NotBlank
    private String queue = "sfcache-changes";

    public String getQueue() {
        return queue;
    }

    public void setQueue(String queue) {
        this.queue = queue;
    }

    @AssertTrue(
            message = "is missing: set sfcache.servicebus.connection-string (SAS), or sfcache.servicebus.namespace "
                    + "(e.g. contoso.servicebus.windows.net) to use Entra ID / workload identity")
    public boolean isConnectionStringOrNamespace() {
        return connectionConfigured();
    }
}
