package io.sfcache.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.util.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

/**
 * Freshness as an app sees it: the {@code reader-probe} route asks sfcache's own GraphQL API (camel-graphql, with a
 * reader token from the identity provider) for the newest record stored per object and exports the age the API
 * reports ({@code sfcache_reader_probe_age_seconds}). It proves the whole read path, not just the pipeline.
 */
@Component("readerProbe")
public class ReaderProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ReaderProbe.class);
    static final String VARIABLES = "SfcacheProbeVariables";
    static final String OBJECT = "SfcacheProbeObject";
    private static final String REGISTRATION = "sfcache-reader-probe";

    /** @param ageSeconds freshness.ageSeconds as the API answered; @param at when it answered */
    public record Observation(String recordId, double ageSeconds, String source, Instant at) {}

    private final DataContracts contracts;
    private final LagRecorder lag;
    private final ObjectMapper json;
    private final Clock clock;
    private final MeterRegistry meters;
    private final AuthorizedClientServiceOAuth2AuthorizedClientManager tokens;
    private final Map<String, Observation> observations = new ConcurrentHashMap<>();

    public ReaderProbe(
            DataContracts contracts,
            LagRecorder lag,
            ObjectMapper json,
            Clock clock,
            MeterRegistry meters,
            MonitoringProperties monitoring) {
        this.contracts = contracts;
        this.lag = lag;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        this.tokens = tokenManager(monitoring.getReaderProbe());
        for (DataContract contract : contracts.all()) {
            String sobject = contract.sobject();
            Gauge.builder("sfcache.reader.probe.age", () -> ageNow(sobject))
                    .description("Age of the newest stored record as sfcache's GraphQL API reports it to apps")
                    .baseUnit("seconds")
                    .tag("sobject", sobject)
                    .register(meters);
        }
    }

    private static AuthorizedClientServiceOAuth2AuthorizedClientManager tokenManager(
            MonitoringProperties.ReaderProbe settings) {
        if (!settings.isEnabled()) {
            return null;
        }
        ClientRegistration.Builder registration = ClientRegistration.withRegistrationId(REGISTRATION)
                .tokenUri(settings.getTokenUri())
                .clientId(settings.getClientId())
                .clientSecret(settings.getClientSecret())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS);
        if (settings.getScope() != null && !settings.getScope().isBlank()) {
            registration.scope(settings.getScope());
        }
        var registrations = new InMemoryClientRegistrationRepository(registration.build());
        var manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(
                registrations, new InMemoryOAuth2AuthorizedClientService(registrations));
        // Cached until shortly before it expires, then fetched again.
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
                .clientCredentials()
                .build());
        return manager;
    }

    /** Split source: the objects that have a stored record to read. */
    public List<String> targets() {
        return contracts.all().stream()
                .map(DataContract::sobject)
                .filter(s -> lag.newest(s).isPresent())
                .toList();
    }

    /** Body in: an object name. Out: the request's variables and a reader token, as headers for camel-graphql. */
    public void prepare(Exchange exchange) {
        String sobject = exchange.getMessage().getBody(String.class);
        JsonObject variables = new JsonObject();
        variables.put("sobject", sobject);
        variables.put("id", lag.newest(sobject).orElseThrow().recordId());
        exchange.getMessage().setHeader(OBJECT, sobject);
        exchange.getMessage().setHeader(VARIABLES, variables);
        OAuth2AuthorizedClient client = tokens.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION)
                .principal(REGISTRATION)
                .build());
        exchange.getMessage()
                .setHeader("Authorization", "Bearer " + client.getAccessToken().getTokenValue());
    }

    /** Body in: the GraphQL response. */
    public void observe(Exchange exchange) throws java.io.IOException {
        String sobject = exchange.getMessage().getHeader(OBJECT, String.class);
        JsonNode response = json.readTree(exchange.getMessage().getBody(String.class));
        JsonNode record = response.path("data").path("record");
        if (response.has("errors") || record.isMissingNode() || record.isNull()) {
            throw new IllegalStateException("GraphQL answered no record for " + sobject + ": " + response);
        }
        JsonNode freshness = record.path("freshness");
        observations.put(
                sobject,
                new Observation(
                        record.path("id").asText(),
                        freshness.path("ageSeconds").asDouble(),
                        freshness.path("source").asText(),
                        clock.instant()));
    }

    /** doCatch step: the read path failed; the age keeps growing from the last good answer. */
    public void failed(Exchange exchange) {
        String sobject = exchange.getMessage().getHeader(OBJECT, String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        meters.counter("sfcache.reader.probe.failures", "sobject", String.valueOf(sobject))
                .increment();
        LOG.warn("Reader's-eye probe for {} failed: {}", sobject, cause == null ? "?" : cause.getMessage());
    }

    public Map<String, Observation> observations() {
        return Map.copyOf(observations);
    }

    /** The answered age plus the time since it was answered: a probe that stops answering reads as ageing data. */
    private double ageNow(String sobject) {
        Observation observation = observations.get(sobject);
        return observation == null
                ? Double.NaN
                : observation.ageSeconds()
                        + LagRecorder.seconds(java.time.Duration.between(observation.at(), clock.instant()));
    }
}
