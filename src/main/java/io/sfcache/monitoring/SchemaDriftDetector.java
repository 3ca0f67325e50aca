package io.sfcache.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sfcache.contracts.DataContract;
import io.sfcache.contracts.DataContracts;
import io.sfcache.salesforce.DescribeClient;
import io.sfcache.salesforce.Reconciler;
import io.sfcache.sync.ObjectAlarms;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Asks each monitored object's describe (If-Modified-Since the last answer's Last-Modified, so an unchanged one is a
 * 304) and, when it changed, diffs it against the data contract: a schema change shows the evening it is made, with
 * no traffic, before any record fails. Route steps of the {@code schema-drift} route.
 *
 * <p>Reports each finding once (a WARN line naming object, field and change), counts the checks
 * ({@code sfcache.schema.drift.checks{sobject,result}}) and exports the open findings
 * ({@code sfcache.schema.drift.findings{sobject}}, health {@code sync/schemaDrift}).
 *
 * <p>It changes nothing while Salesforce and the contract disagree: re-reading records then would only fail or
 * dead-letter them again. When they agree again without a restart (the org change was undone), the object is
 * reconciled from when the drift was seen, since changes made meanwhile may be dead-lettered or were never sent: the
 * route does that when {@link ObjectDrift#repairDue()}, and reports back here.
 */
@Component("schemaDriftDetector")
public class SchemaDriftDetector {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaDriftDetector.class);

    /**
     * What is known of one object.
     *
     * @param lastResult   {@code unchanged} (304), {@code changed} (a describe was read and diffed) or {@code failed}
     * @param lastModified the describe's Last-Modified, sent as If-Modified-Since next time
     * @param driftSince   when the open findings were first seen, or null
     * @param repair       the reconciliation after a drift ended: pending, done or failed; null if none yet
     */
    public record ObjectDrift(
            String sobject,
            Instant lastChecked,
            String lastResult,
            String lastModified,
            List<DriftFinding> findings,
            Instant driftSince,
            String lastError,
            Repair repair) {

        static ObjectDrift initial(String sobject) {
            return new ObjectDrift(sobject, null, null, null, List.of(), null, null, null);
        }

        /** The drift ended and the window it left has not been reconciled yet. */
        public boolean repairDue() {
            return repair != null && !repair.done() && findings.isEmpty();
        }

        ObjectDrift withRepair(Repair outcome) {
            return new ObjectDrift(
                    sobject, lastChecked, lastResult, lastModified, findings, driftSince, lastError, outcome);
        }
    }

    /** @param since reconcile from here (minus the reconciler's overlap); @param outcome what happened, or null */
    public record Repair(Instant since, boolean done, String outcome) {}

    private final DataContracts contracts;
    private final DescribeClient describes;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, ObjectDrift> states = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> findingsGauges = new ConcurrentHashMap<>();
    /** Field labels as the describes showed them, the replicas' (a rename keeps the label). */
    private final FieldLabels labels;

    private final AlarmRepairs alarms;

    public SchemaDriftDetector(
            DataContracts contracts,
            DescribeClient describes,
            AlarmRepairs alarms,
            FieldLabels labels,
            ObjectMapper json,
            MeterRegistry meters,
            Clock clock) {
        this.contracts = contracts;
        this.alarms = alarms;
        this.labels = labels;
        this.describes = describes;
        this.json = json;
        this.meters = meters;
        this.clock = clock;
        for (DataContract contract : contracts.all()) {
            states.put(contract.sobject(), ObjectDrift.initial(contract.sobject()));
            AtomicInteger gauge = new AtomicInteger();
            findingsGauges.put(contract.sobject(), gauge);
            Gauge.builder("sfcache.schema.drift.findings", gauge, AtomicInteger::get)
                    .description("Differences between the object's Salesforce describe and its data contract")
                    .tag("sobject", contract.sobject())
                    .register(meters);
        }
    }

    /** The objects to check, in contract order. */
    public List<String> objects() {
        return contracts.all().stream().map(DataContract::sobject).toList();
    }

    /** Checks one object now (a failing describe is a result, not an exception); kept for health and metrics. */
    public synchronized ObjectDrift check(String sobject) {
        DataContract contract = contracts.find(sobject).orElseThrow();
        ObjectDrift before = states.get(sobject);
        Instant now = clock.instant();
        ObjectDrift after;
        try {
            DescribeClient.Describe describe = describes.describe(sobject, before.lastModified());
            if (!describe.modified()) {
                after = new ObjectDrift(
                        sobject,
                        now,
                        "unchanged",
                        describe.lastModified(),
                        before.findings(),
                        before.driftSince(),
                        null,
                        before.repair());
            } else {
                after = diff(contract, before, describe, now);
            }
            if (before.lastError() != null) {
                LOG.info("Schema drift check of {} works again", sobject);
            }
        } catch (RuntimeException e) {
            String error = e.getMessage();
            if (!Objects.equals(error, before.lastError())) {
                LOG.warn("Schema drift check of {} failed (retried every interval): {}", sobject, error);
            }
            after = new ObjectDrift(
                    sobject,
                    now,
                    "failed",
                    before.lastModified(),
                    before.findings(),
                    before.driftSince(),
                    error,
                    before.repair());
        }
        meters.counter("sfcache.schema.drift.checks", "sobject", sobject, "result", after.lastResult())
                .increment();
        // The gauge first: whoever sees the new state sees the metric too.
        findingsGauges.get(sobject).set(after.findings().size());
        states.put(sobject, after);
        return after;
    }

    /** Every monitored object's state, in contract order. */
    public Map<String, ObjectDrift> status() {
        Map<String, ObjectDrift> status = new LinkedHashMap<>();
        contracts.all().forEach(c -> status.put(c.sobject(), states.get(c.sobject())));
        return Collections.unmodifiableMap(status);
    }

    private ObjectDrift diff(DataContract contract, ObjectDrift before, DescribeClient.Describe describe, Instant now) {
        String sobject = contract.sobject();
        JsonNode document;
        try {
            document = json.readTree(describe.body());
        } catch (IOException e) {
            throw new IllegalStateException("describe " + sobject + " is not JSON: " + e.getMessage(), e);
        }
        List<DriftFinding> findings = SchemaDiff.between(contract, document, labels.known(sobject));
        Map<String, String> seen = new HashMap<>();
        document.path("fields")
                .forEach(f -> seen.put(f.path("name").asText(), f.path("label").asText()));
        labels.remember(sobject, seen);

        List<String> previous =
                before.findings().stream().map(DriftFinding::message).toList();
        List<String> current = findings.stream().map(DriftFinding::message).toList();
        findings.stream()
                .filter(f -> !previous.contains(f.message()))
                .forEach(f -> LOG.warn(
                        "Schema drift: {} (Salesforce describe differs from contract {})",
                        f.message(),
                        contract.location()));
        before.findings().stream()
                .filter(f -> !current.contains(f.message()))
                .forEach(f -> LOG.info("Schema drift resolved: {}", f.message()));

        // The drift as the replicas know it (the shared alarm), so a restart or a new leader neither forgets an open
        // drift nor the reconciliation its end owes.
        Instant knownSince = before.driftSince() != null
                ? before.driftSince()
                : alarms.openSince(sobject, ObjectAlarms.Reason.SCHEMA_DRIFT).orElse(null);
        Instant driftSince = findings.isEmpty() ? null : knownSince != null ? knownSince : now;
        if (!findings.isEmpty()) {
            // Complete up to the last check that saw no drift; changes since may have been rejected or never sent.
            alarms.raise(
                    sobject,
                    ObjectAlarms.Reason.SCHEMA_DRIFT,
                    findings.get(0).message() + (findings.size() > 1 ? " (+" + (findings.size() - 1) + " more)" : ""),
                    knownSince != null ? knownSince : before.lastChecked() != null ? before.lastChecked() : now);
        }
        Repair repair = before.repair();
        if (findings.isEmpty() && knownSince != null) {
            repair = new Repair(knownSince, false, null);
        }
        return new ObjectDrift(
                sobject, now, "changed", describe.lastModified(), List.copyOf(findings), driftSince, null, repair);
    }

    /** The window the drift left was reconciled: not again. */
    public synchronized void repaired(String sobject, Reconciler.Result result) {
        ObjectDrift state = states.get(sobject);
        Repair outcome = new Repair(
                state.repair().since(),
                true,
                "reconciled " + result.seen() + " record(s) changed since the drift began");
        LOG.info(
                "Schema drift of {} ended: {} (from {} minus the reconcile overlap)",
                sobject,
                outcome.outcome(),
                outcome.since());
        states.put(sobject, state.withRepair(outcome));
    }

    /** Reconciling the window failed: tried again at the next check. */
    public synchronized void repairFailed(String sobject, Throwable failure) {
        ObjectDrift state = states.get(sobject);
        LOG.warn(
                "Schema drift of {} ended but reconciling it failed (retried at the next check): {}",
                sobject,
                failure.getMessage());
        states.put(
                sobject,
                state.withRepair(new Repair(
                        state.repair().since(), false, "failed, retried at the next check: " + failure.getMessage())));
    }

    /** Findings of every object, for logs and tests. */
    public List<DriftFinding> findings() {
        List<DriftFinding> all = new ArrayList<>();
        status().values().forEach(s -> all.addAll(s.findings()));
        return all;
    }
}
