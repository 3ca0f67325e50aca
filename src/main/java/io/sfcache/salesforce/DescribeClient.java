package io.sfcache.salesforce;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.internal.client.AbstractClientBase;
import org.apache.camel.support.service.ServiceHelper;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * An sObject's describe, asked with {@code If-Modified-Since} so that an unchanged one costs a 304 and no body.
 *
 * <p>Why not camel-salesforce's operations: {@code getDescription} sends no If-Modified-Since, and {@code raw}
 * sends it but hands back only the {@code Sforce*} response headers, so the {@code Last-Modified} to ask with next
 * time is lost (our own clock instead would miss a change whenever it runs ahead of Salesforce's). So this uses the
 * component's own pieces: its logged-in session, its HTTP client, and its security handler, which logs in again on
 * a 401 exactly as for the component's other calls. No login of our own.
 */
@Component
public class DescribeClient implements DisposableBean {

    /**
     * @param modified     false for a 304: nothing changed since {@code If-Modified-Since}, no body
     * @param lastModified the describe's {@code Last-Modified}, to send as If-Modified-Since next time
     * @param body         the describe JSON (modified ones only)
     */
    public record Describe(boolean modified, String lastModified, String body) {}

    private final CamelContext camel;
    private volatile Client client;

    public DescribeClient(CamelContext camel) {
        this.camel = camel;
    }

    /**
     * @param ifModifiedSince a previous answer's {@code Last-Modified}, or null for the full describe
     * @throws IllegalStateException when Salesforce answers anything but 200 or 304, or not in time
     */
    public Describe describe(String sobject, String ifModifiedSince) {
        SalesforceCalls.refuseIfStopping(camel);
        Client salesforce = client();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put(HttpHeader.ACCEPT.asString(), List.of("application/json"));
        if (ifModifiedSince != null) {
            headers.put(HttpHeader.IF_MODIFIED_SINCE.asString(), List.of(ifModifiedSince));
        }
        ContentResponse response = salesforce.get("/sobjects/" + sobject + "/describe/", headers);
        String lastModified = response.getHeaders().get(HttpHeader.LAST_MODIFIED);
        return switch (response.getStatus()) {
            case 304 -> new Describe(false, lastModified != null ? lastModified : ifModifiedSince, null);
            case 200 -> new Describe(true, lastModified, new String(response.getContent(), StandardCharsets.UTF_8));
            default -> {
                String body = new String(response.getContent(), StandardCharsets.UTF_8);
                throw new IllegalStateException("describe " + sobject + ": Salesforce answered " + response.getStatus()
                        + " " + body.substring(0, Math.min(500, body.length())));
            }
        };
    }

    private Client client() {
        Client current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    // Started with the Camel context: its session, HTTP client and security handler exist by now.
                    SalesforceComponent component = camel.getComponent("salesforce", SalesforceComponent.class);
                    Client created = new Client(component);
                    ServiceHelper.startService(created); // logs in through the session unless it already has
                    client = created;
                }
                current = client;
            }
        }
        return current;
    }

    @Override
    public void destroy() {
        ServiceHelper.stopService(client);
    }

    /** A REST client of the component's kind, so the security handler knows how to refresh its token. */
    private static final class Client extends AbstractClientBase {

        Client(SalesforceComponent component) {
            super(
                    component.getConfig().getApiVersion(),
                    component.getSession(),
                    component.getHttpClient(),
                    component.getLoginConfig());
        }

        @Override
        protected void setAccessToken(Request request) {
            request.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + accessToken));
        }

        ContentResponse get(String path, Map<String, List<String>> headers) {
            Request request = getRequest("GET", instanceUrl + "/services/data/v" + version + path, headers);
            setAccessToken(request);
            try {
                // The request carries the session's timeout; this one only guards against a lost callback.
                return new CompletableResponseListener(request, httpClient.getMaxContentLength())
                        .send()
                        .get(session.getTimeout() * 2 + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking " + path, e);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new IllegalStateException("GET " + path + " failed: " + cause, cause);
            }
        }
    }
}
