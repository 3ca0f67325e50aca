package io.sfcache.salesforce;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.springframework.jmx.export.annotation.ManagedAttribute;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/**
 * The operator's switches for Change Data Capture (JMX {@code io.sfcache:type=ChangeDataCapture}, Hawtio): subscribe
 * now or leave it to the queue path's health (FALLBACK mode), resubscribe one object from its stored replay id, and
 * what runs. Each switch runs the same routes as the timer, at once.
 */
@Component("cdcSwitches")
@ManagedResource(
        objectName = "io.sfcache:type=ChangeDataCapture",
        description = "Salesforce Change Data Capture subscriptions (fallback for the queue path)")
public class CdcOperatorSwitches {

    private final CdcModeDecision decision;
    private final CdcRoutes routes;
    private final CdcFailures failures;
    private final ProducerTemplate producer;

    public CdcOperatorSwitches(
            CdcModeDecision decision, CdcRoutes routes, CdcFailures failures, ProducerTemplate producer) {
        this.decision = decision;
        this.routes = routes;
        this.failures = failures;
        this.producer = producer;
    }

    @ManagedOperation(description = "Subscribe now (FALLBACK mode), whatever the queue path's health")
    public void startSubscriptions() {
        decision.operatorWantsSubscriptions(true);
        run("direct:cdc-apply-mode", null);
    }

    @ManagedOperation(description = "Leave it to the queue path's health again (FALLBACK mode)")
    public void releaseSubscriptions() {
        decision.operatorWantsSubscriptions(false);
        run("direct:cdc-apply-mode", null);
    }

    @ManagedOperation(description = "Unsubscribe and subscribe again from the stored replay id, e.g. Account")
    public void resubscribe(String sobject) {
        if (!routes.objects().contains(sobject)) {
            throw new IllegalArgumentException(sobject + " is not a monitored object");
        }
        run("direct:cdc-resubscribe", sobject);
    }

    @ManagedAttribute(description = "OFF, FALLBACK or BOTH")
    public String getMode() {
        return decision.mode().name();
    }

    @ManagedAttribute(description = "Objects whose change events are being read")
    public String getActive() {
        return routes.active().toString();
    }

    @ManagedAttribute(description = "Last error per object, if any")
    public String getLastErrors() {
        return failures.lastErrors().toString();
    }

    private void run(String route, String body) {
        try {
            producer.requestBody(route, body);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
