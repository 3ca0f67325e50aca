package io.sfcache.monitoring;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.StringUtils;
import org.springframework.validation.annotation.Validated;

/**
 * {@code sfcache.monitoring.*}: the detectors that tell "nothing changed" from "something broke", with zero traffic
 * too, and the reconciliation that heals what they find.
 */
@Validated
@ConfigurationProperties("sfcache.monitoring")
public class MonitoringProperties {

    @Valid
    private final Heartbeat heartbeat = new Heartbeat();

    @Valid
    private final SchemaDrift schemaDrift = new SchemaDrift();

    @Valid
    private final Reconciliation reconciliation = new Reconciliation();

    @Valid
    private final Stall stall = new Stall();

    @Valid
    private final ReaderProbe readerProbe = new ReaderProbe();

    @Valid
    private final Lag lag = new Lag();

    @Valid
    private final Healing healing = new Healing();

    public Heartbeat getHeartbeat() {
        return heartbeat;
    }

    public SchemaDrift getSchemaDrift() {
        return schemaDrift;
    }

    public Reconciliation getReconciliation() {
        return reconciliation;
    }

    public Stall getStall() {
        return stall;
    }

    public ReaderProbe getReaderProbe() {
        return readerProbe;
    }

    public Lag getLag() {
        return lag;
    }

    public Healing getHealing() {
        return healing;
    }

    /** The publisher's heartbeat per monitored object. */
    public static class Heartbeat {
        /** A heartbeat older than this is missing (the Apex publisher sends one every few minutes). */
        @NotNull
        private Duration missingAfter = Duration.ofMinutes(7);
        /** How often heartbeats are checked. */
        @NotNull
        private Duration checkInterval = Duration.ofSeconds(15);
        /**
         * A heartbeat whose oldest PENDING outbox message is older than this (at the heartbeat's commit time) reports
         * an outbox backlog: the publisher's retries are not getting through.
         */
        @NotNull
        private Duration maxPendingAge = Duration.ofMinutes(15);
        /**
         * A heartbeat's claim of messages sent is compared with what the replicas received this long after the
         * claim's end: time for late messages and every replica's count.
         */
        @NotNull
        private Duration settleAfter = Duration.ofMinutes(1);

        public Duration getSettleAfter() {
            return settleAfter;
        }

        public void setSettleAfter(Duration settleAfter) {
            this.settleAfter = settleAfter;
        }

        public Duration getMissingAfter() {
            return missingAfter;
        }

        public void setMissingAfter(Duration missingAfter) {
            this.missingAfter = missingAfter;
        }

        public Duration getCheckInterval() {
            return checkInterval;
        }

        public void setCheckInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
        }

        public Duration getMaxPendingAge() {
            return maxPendingAge;
        }

        public void setMaxPendingAge(Duration maxPendingAge) {
            this.maxPendingAge = maxPendingAge;
        }
    }

    /** Salesforce describe compared with the data contracts. */
    public static class SchemaDrift {
        private boolean enabled = true;
        /** How often each object's describe is asked for (If-Modified-Since: unchanged costs a 304). */
        @NotNull
        private Duration interval = Duration.ofMinutes(4);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** Anti-entropy: Salesforce's SystemModstamp watermark compared with what is stored. */
    public static class Reconciliation {
        private boolean enabled = true;
        /** How often each object is reconciled. */
        @NotNull
        private Duration interval = Duration.ofMinutes(15);
        /** Each run reads back this far before the last checkpoint: commits land late and clocks differ. */
        @NotNull
        private Duration overlap = Duration.ofMinutes(10);
        /** With no checkpoint yet (first run), how far back the first run reads. */
        @NotNull
        private Duration initialWindow = Duration.ofHours(24);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getOverlap() {
            return overlap;
        }

        public void setOverlap(Duration overlap) {
            this.overlap = overlap;
        }

        public Duration getInitialWindow() {
            return initialWindow;
        }

        public void setInitialWindow(Duration initialWindow) {
            this.initialWindow = initialWindow;
        }
    }

    /** The Service Bus consumer: messages waiting but none consumed. */
    public static class Stall {
        /** Nothing consumed for this long while messages wait is a stall; the consumer is restarted. */
        @NotNull
        private Duration after = Duration.ofMinutes(5);

        @NotNull
        private Duration checkInterval = Duration.ofSeconds(30);

        public Duration getAfter() {
            return after;
        }

        public void setAfter(Duration after) {
            this.after = after;
        }

        public Duration getCheckInterval() {
            return checkInterval;
        }

        public void setCheckInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
        }
    }

    /** sfcache's own GraphQL API, asked for the heartbeat records as an app would. */
    public static class ReaderProbe {
        private boolean enabled = true;

        @NotNull
        private Duration interval = Duration.ofMinutes(1);
        /** sfcache's GraphQL endpoint as apps reach it; by default this instance. */
        private String url = "http://localhost:8080/graphql";
        /** A client of the identity provider with the reader role (client-credentials flow). */
        private String tokenUri;

        private String clientId;
        private String clientSecret;
        /** e.g. api://sfcache/.default for Entra ID; empty for none. */
        private String scope;

        @jakarta.validation.constraints.AssertTrue(
                message = "set sfcache.monitoring.reader-probe.token-uri, client-id "
                        + "and client-secret (an identity-provider client with the reader role), or turn the probe off with "
                        + "sfcache.monitoring.reader-probe.enabled=false")
        public boolean isIdentityConfigured() {
            return !enabled
                    || (StringUtils.hasText(tokenUri)
                            && StringUtils.hasText(clientId)
                            && StringUtils.hasText(clientSecret));
        }

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getTokenUri() {
            return tokenUri;
        }

        public void setTokenUri(String tokenUri) {
            this.tokenUri = tokenUri;
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

        public String getScope() {
            return scope;
        }

        public void setScope(String scope) {
            this.scope = scope;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }

    /** Salesforce commit to stored. */
    public static class Lag {
        /** The objective: the sync group's syncLag component is DOWN while the p99 of recent changes exceeds it. */
        @NotNull
        private Duration objective = Duration.ofMinutes(1);

        public Duration getObjective() {
            return objective;
        }

        public void setObjective(Duration objective) {
            this.objective = objective;
        }
    }

    /** Repairs started by the detectors' alarms (heal-on-alarm route), not by the schedule. */
    public static class Healing {
        private boolean enabled = true;
        /** How often alarms are looked at for a repair to run. */
        @NotNull
        private Duration checkInterval = Duration.ofSeconds(15);
        /** While an alarm's condition lasts, its object is repaired again this often (schema drift: not again). */
        @NotNull
        private Duration repeatEvery = Duration.ofMinutes(1);
        /** A queue consumer paused (circuit breaker) or stalled this long raises QUEUE_PAUSED for every object. */
        @NotNull
        private Duration pauseAfter = Duration.ofMinutes(2);
        /** A repair never reads further back than this: older gaps are the operator's (JMX reconcileWindow). */
        @NotNull
        private Duration maxWindow = Duration.ofHours(24);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getCheckInterval() {
            return checkInterval;
        }

        public void setCheckInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
        }

        public Duration getRepeatEvery() {
            return repeatEvery;
        }

        public void setRepeatEvery(Duration repeatEvery) {
            this.repeatEvery = repeatEvery;
        }

        public Duration getPauseAfter() {
            return pauseAfter;
        }

        public void setPauseAfter(Duration pauseAfter) {
            this.pauseAfter = pauseAfter;
        }

        public Duration getMaxWindow() {
            return maxWindow;
        }

        public void setMaxWindow(Duration maxWindow) {
            this.maxWindow = maxWindow;
        }
    }
}
