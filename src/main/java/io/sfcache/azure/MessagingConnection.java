package io.sfcache.azure;

import org.springframework.util.StringUtils;

/** How sfcache reaches a Service Bus or Event Hubs namespace: a SAS connection string, or Entra ID. */
public abstract class MessagingConnection {

    /** SAS connection string; leave empty to use {@link #getNamespace()} with Entra ID. */
    private String connectionString;
    /** Fully qualified namespace, e.g. contoso.servicebus.windows.net, reached with DefaultAzureCredential. */
    private String namespace;

    public String getConnectionString() {
        return connectionString;
    }

    public void setConnectionString(String connectionString) {
        this.connectionString = connectionString;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public boolean usesConnectionString() {
        return StringUtils.hasText(connectionString);
    }

    protected boolean connectionConfigured() {
        return usesConnectionString() || StringUtils.hasText(namespace);
    }
}
