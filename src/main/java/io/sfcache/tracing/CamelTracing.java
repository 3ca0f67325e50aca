package io.sfcache.tracing;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.sfcache.contracts.DataContracts;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.observation.MicrometerObservationTracer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.tracing.ActiveSpanManager;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camel's spans (the Service Bus consumer, the Event Hubs and other Azure endpoints) as Micrometer observations on Boot's tracer, so
 * they share the trace of the Service Bus message and of GraphQL requests, and Boot's propagators read and write
 * {@code traceparent}: a consumer continues the publisher's trace from the message's application properties, and a
 * producer (Event Hubs) writes the current one into the headers it sends as event properties.
 *
 * <p>Wired here because camel-observation-starter 4.17 steps aside whenever Boot's actuator is on the classpath.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", matchIfMissing = true)
public class CamelTracing {

    @Bean(initMethod = "", destroyMethod = "")
    // Camel starts and stops it as a context service.
    MicrometerObservationTracer camelObservationTracer(
            CamelContext camel, Tracer tracer, Propagator propagator, DataContracts contracts) {
        MicrometerObservationTracer camelTracer = new MicrometerObservationTracer();
        camelTracer.setTracer(tracer);
        camelTracer.setObservationRegistry(spansOnly(tracer, propagator));
        // Counting a change is no step worth a span of its own, nor is the hop from sync-change to the object's
        // route: spans cost (the benchmark measured a third of the pipeline's CPU on tracing). Kept: the Service Bus
        // consume, direct:sync-change (where reconciliation and redrive enter), validation, store, Event Hubs send.
        // A redrive job is one exchange for up to 10,000 letters: untraced, so each letter starts a trace of its own.
        List<String> excluded = new ArrayList<>(List.of("direct:heartbeat", "direct:redrive-job"));
        contracts.all().forEach(contract -> excluded.add("direct:sync-" + contract.key()));
        camelTracer.setExcludePatterns(String.join(",", excluded));
        camelTracer.init(camel);
        endCamelsScopesAtOnce(camel);
        return camelTracer;
    }

    /**
     * Camel makes each span it starts (a route's, a send's) current on the thread that starts it, and closes that scope
     * later from whichever thread the exchange is on: when the exchange completes, or when a send has gone
     * asynchronous. An Azure producer can complete on its own thread before the send has returned; Camel then closes
     * the send's scope there, where OpenTelemetry ignores it, and the scopes it then closes on the sending thread are
     * out of order and ignored too: the sending thread (a redrive job's, reconciliation's) keeps an ended span's
     * context, and its trace id in the logs, for good. So each of Camel's scopes is closed as soon as it is opened, on
     * its own thread and in order, just after Camel's listeners (registered before these); the spans stay the
     * exchange's, and {@link StepLogContext} makes the exchange's span current around every step.
     */
    private static void endCamelsScopesAtOnce(CamelContext camel) {
        EventNotifierSupport afterSending = new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.ExchangeSendingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                ActiveSpanManager.endScope(((CamelEvent.ExchangeSendingEvent) event).getExchange());
            }
        };
        camel.getManagementStrategy().addEventNotifier(afterSending);
        ServiceHelper.startService(afterSending);
        // One per route: a policy is stopped with its route.
        camel.addRoutePolicyFactory((context, routeId, route) -> new EndScopeAfterRouteBegins());
    }

    private static final class EndScopeAfterRouteBegins extends RoutePolicySupport {
        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            ActiveSpanManager.endScope(exchange);
        }
    }

    /**
     * Camel's observations become spans on Boot's tracer and propagators, and nothing else: through Boot's registry
     * each would also be offered to the meter handler as a timer named after its endpoint (repeating what
     * camel-micrometer measures per route), work the benchmark saw on every step of every message. Parents still
     * connect across registries through the tracer's current span.
     */
    private static ObservationRegistry spansOnly(Tracer tracer, Propagator propagator) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig()
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        return registry;
    }
}
