package io.sfcache.salesforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sfcache.standin.salesforce.DescribeRequest;
import io.sfcache.standin.salesforce.SalesforceStandin;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conditional describe through camel-salesforce's own session and HTTP client, on a private org (its faults
 * would disturb the shared one): 200 with Last-Modified, then 304s, a new Last-Modified after a change, and a new
 * login by the component's security handler when the session expired.
 */
class DescribeClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SalesforceStandin org;
    private CamelContext camel;
    private DescribeClient client;

    @BeforeEach
    void start() {
        org = SalesforceStandin.start();
        camel = new DefaultCamelContext();
        SalesforceComponent salesforce = new SalesforceComponent();
        salesforce.setLoginUrl(org.loginUrl());
        salesforce.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
        salesforce.setClientId(org.clientId());
        salesforce.setClientSecret(org.clientSecret());
        SalesforceEndpointConfig config = new SalesforceEndpointConfig();
        config.setApiVersion(SalesforceStandin.API_VERSION);
        salesforce.setConfig(config);
        camel.addComponent("salesforce", salesforce);
        camel.start();
        client = new DescribeClient(camel);
    }

    @AfterEach
    void stop() throws Exception {
        client.destroy();
        camel.close();
        org.close();
    }

    @Test
    void answersTheDescribeWithLastModifiedThenNotModifiedUntilItChanges() throws Exception {
        DescribeClient.Describe first = client.describe("Account", null);
        assertThat(first.modified()).isTrue();
        assertThat(first.lastModified()).endsWith(" GMT");
        assertThat(JSON.readTree(first.body()).path("name").asText()).isEqualTo("Account");

        DescribeClient.Describe unchanged = client.describe("Account", first.lastModified());
        assertThat(unchanged).isEqualTo(new DescribeClient.Describe(false, first.lastModified(), null));

        org.changeFieldType("Account", "NumberOfEmployees", "double");
        DescribeClient.Describe changed = client.describe("Account", first.lastModified());
        assertThat(changed.modified()).isTrue();
        assertThat(changed.lastModified()).isNotEqualTo(first.lastModified());
        assertThat(field(JSON.readTree(changed.body()), "NumberOfEmployees")
                        .path("type")
                        .asText())
                .isEqualTo("double");
        assertThat(org.describeRequests("Account"))
                .extracting(DescribeRequest::ifModifiedSince, DescribeRequest::status)
                .containsExactly(tuple(null, 200), tuple(first.lastModified(), 304), tuple(first.lastModified(), 200));
    }

    @Test
    void logsInAgainThroughTheComponentWhenTheSessionExpired() {
        String lastModified = client.describe("Contact", null).lastModified();
        int logins = org.loginCount();

        org.expireSessions();

        assertThat(client.describe("Contact", lastModified).modified()).isFalse();
        assertThat(org.loginCount()).isEqualTo(logins + 1);
    }

    @Test
    void anUnknownObjectOrAFailedLoginIsAnErrorNamingTheObject() {
        assertThatThrownBy(() -> client.describe("Nope__c", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("describe Nope__c: Salesforce answered 404");
        org.failLogins(true);
        org.expireSessions();
        assertThatThrownBy(() -> client.describe("Account", null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void camelsRawOperationSendsIfModifiedSinceButDropsLastModifiedWhichIsWhyThisClientExists() {
        // If a later camel-salesforce hands Last-Modified back, the raw operation can replace DescribeClient.
        Exchange reply = camel.createProducerTemplate()
                .request(
                        "salesforce:raw?format=JSON&rawMethod=GET" + "&rawPath=/services/data/v"
                                + SalesforceStandin.API_VERSION + "/sobjects/Account/describe/",
                        e -> {});
        assertThat(reply.getException()).isNull();
        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, String.class))
                .isEqualTo("200");
        assertThat(reply.getMessage().getHeaders().keySet()).noneMatch(k -> k.equalsIgnoreCase("Last-Modified"));
    }

    private static JsonNode field(JsonNode describe, String name) {
        for (JsonNode field : describe.path("fields")) {
            if (field.path("name").asText().equals(name)) {
                return field;
            }
        }
        throw new AssertionError("no field " + name);
    }
}
