package io.sfcache.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.SfcacheIntegrationTest;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.salesforce.DescribeRequest;
import io.sfcache.standin.salesforce.SalesforceStandin;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Fault injection 2 of issue #7: a field's type changes in Salesforce at night with no traffic. The detector (route
 * {@code schema-drift}, every second in tests) must report the exact field diff before any record is sent, having
 * cost only 304s while nothing changed. The shared org is put back afterwards: other tests expect the contracts.
 */
@SfcacheIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class SchemaDriftTest {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaDriftTest.class);
    /** Interval 1 s plus one describe: anything near this deadline is a regression. */
    private static final Duration DETECTS = Duration.ofSeconds(10);

    private static final String FINDING = "Account.AnnualRevenue: type currency -> string";

    @Autowired
    SchemaDriftDetector detector;

    @Autowired
    MeterRegistry meters;

    @Autowired
    WebTestClient http;

    private final SalesforceStandin salesforce = SalesforceStandin.shared();

    @Test
    void aFieldTypeChangeIsReportedWithTheExactDiffWithinSecondsAfterOnly304s(CapturedOutput output) {
        // Before: the shipped contracts match the org, and an unchanged describe is asked with If-Modified-Since.
        // (The stand-in is the JVM's: earlier tests' contexts changed and restored Account before this one began.)
        Instant testStart = Instant.now();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> notModified("Account").stream()
                                .filter(r -> r.at().isAfter(testStart))
                                .count()
                        >= 2);
        assertThat(detector.findings()).isEmpty();
        assertThat(findingsGauge()).isZero();
        health().jsonPath("$.components.schemaDrift.status").isEqualTo("UP");
        List<DescribeRequest> before = salesforce.describeRequests("Account").stream()
                .filter(r -> r.at().isAfter(testStart))
                .toList();
        DescribeRequest lastBefore = before.get(before.size() - 1);
        // only the first look (no If-Modified-Since) read a describe; every later one was a 304
        assertThat(before)
                .filteredOn(r -> r.ifModifiedSince() != null)
                .extracting(DescribeRequest::status)
                .containsOnly(304);
        double changedChecks = checks("changed");
        double accountChanges = accountChanges();

        Instant changedAt = Instant.now();
        salesforce.changeFieldType("Account", "AnnualRevenue", "string");
        try {
            await().atMost(DETECTS)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !detector.findings().isEmpty());
            Duration timeToDetect = Duration.between(changedAt, Instant.now());
            LOG.info("Schema drift detected {} ms after the type change (interval 1 s)", timeToDetect.toMillis());
            // within one describe poll: one describe read since the change (a 200; the others are 304s) found it
            assertThat(salesforce.describeRequests("Account").stream()
                            .filter(r -> !r.at().isBefore(changedAt))
                            .filter(r -> r.status() == 200))
                    .hasSize(1);
            // found with no traffic at all: no Account change was handled (stored, skipped or rejected) meanwhile
            assertThat(accountChanges()).isEqualTo(accountChanges);

            SchemaDriftDetector.ObjectDrift account = detector.status().get("Account");
            assertThat(account.findings())
                    .containsExactly(new DriftFinding(
                            "Account", "AnnualRevenue", DriftFinding.Kind.TYPE_CHANGED, "currency", "string", FINDING));
            assertThat(account.driftSince()).isAfterOrEqualTo(changedAt.minusSeconds(1));
            assertThat(detector.status().get("Contact").findings()).isEmpty();
            assertThat(findingsGauge()).isEqualTo(1.0);
            assertThat(checks("changed")).isEqualTo(changedChecks + 1);
            // the describe that showed it was asked with the Last-Modified of the unchanged ones
            assertThat(salesforce.describeRequests("Account"))
                    .filteredOn(r -> r.at().isAfter(lastBefore.at()))
                    .filteredOn(r -> r.status() == 200)
                    .first()
                    .extracting(DescribeRequest::ifModifiedSince)
                    .isEqualTo(lastBefore.ifModifiedSince());

            http.get()
                    .uri("/actuator/health/sync")
                    .headers(h -> h.setBearerAuth(ops()))
                    .exchange()
                    .expectStatus()
                    .isEqualTo(503)
                    .expectBody()
                    .jsonPath("$.components.schemaDrift.status")
                    .isEqualTo("DOWN")
                    .jsonPath("$.components.schemaDrift.details.Account.findings[0]")
                    .isEqualTo(FINDING)
                    .jsonPath("$.components.schemaDrift.details.Account.findings.length()")
                    .isEqualTo(1)
                    .jsonPath("$.components.schemaDrift.details.Contact.findings.length()")
                    .isEqualTo(0);

            // After: 304s again, asked with the new Last-Modified, and the finding logged once, not per poll.
            String newLastModified = detector.status().get("Account").lastModified();
            await().atMost(DETECTS)
                    .until(() -> notModified("Account").stream()
                                    .filter(r -> newLastModified.equals(r.ifModifiedSince()))
                                    .count()
                            >= 2);
            assertThat(detector.status().get("Account").findings()).hasSize(1);
            assertThat(output.getOut()
                            .lines()
                            .filter(l -> l.contains("WARN") && l.contains("Schema drift: " + FINDING)))
                    .hasSize(1);
        } finally {
            salesforce.restoreObject("Account"); // other tests expect the contract's types
        }

        // Undone in Salesforce: the finding clears and the drift window is reconciled once.
        await().atMost(DETECTS)
                .until(() -> detector.findings().isEmpty()
                        && detector.status().get("Account").repair() != null
                        && detector.status().get("Account").repair().done());
        assertThat(findingsGauge()).isZero();
        assertThat(detector.status().get("Account").repair().outcome()).startsWith("reconciled ");
        assertThat(output.getOut()).contains("Schema drift resolved: " + FINDING);
        health().jsonPath("$.components.schemaDrift.status")
                .isEqualTo("UP")
                .jsonPath("$.components.schemaDrift.details.Account.findings.length()")
                .isEqualTo(0);
    }

    private List<DescribeRequest> notModified(String sobject) {
        return salesforce.describeRequests(sobject).stream()
                .filter(r -> r.status() == 304 && r.ifModifiedSince() != null)
                .toList();
    }

    private double findingsGauge() {
        return meters.get("sfcache.schema.drift.findings")
                .tag("sobject", "Account")
                .gauge()
                .value();
    }

    private double checks(String result) {
        var counter = meters.find("sfcache.schema.drift.checks")
                .tags("sobject", "Account", "result", result)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** Account changes the sync flow handled, whatever the outcome: decided on, or dead-lettered. */
    private double accountChanges() {
        return java.util.stream.Stream.of("sfcache.sync.changes", "sfcache.sync.dead.letters")
                .flatMap(name -> meters.find(name).tag("sobject", "Account").counters().stream())
                .mapToDouble(c -> c.count())
                .sum();
    }

    private WebTestClient.BodyContentSpec health() {
        return http.get()
                .uri("/actuator/health/sync")
                .headers(h -> h.setBearerAuth(ops()))
                .exchange()
                .expectBody();
    }

    /** Health details are for the ops role. */
    private static String ops() {
        return TokenIssuerStandin.shared()
                .mint("ops-person", List.of(TokenIssuerStandin.OPS_ROLE), Duration.ofMinutes(5));
    }
}
