package io.sfcache.azure;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;

/** {@code sfcache.eventhubs.*}: the hub that announces stored changes. */
public class EventHubsProperties extends MessagingConnection {

    /** Hub that receives one event per stored change. */
    @NotBlank
    private String hub = "sfcache-record-events";

    public String getHub() {
        return hub;
    }

    public void setHub(String hub) {
        this.hub = hub;
    }

    @AssertTrue(message = "is missing: set sfcache.eventhubs.connection-string (SAS), or sfcache.eventhubs.namespace "
            + "(e.g. contoso.servicebus.windows.net) to use Entra ID / workload identity")
    public boolean isConnectionStringOrNamespace() {
        return connectionConfigured();
    }
}
