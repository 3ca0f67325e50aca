package io.sfcache.tracing;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.observation.MicrometerObservationTracer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.sfcache.sync.DataContracts;

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

    /** The low-cardinality tag camel-tracing puts on each of its observations ({@code camel-direct}, ...). */
    static final String CAMEL_COMPONENT_TAG = "component";

    @Bean(initMethod = "", destroyMethod = "")
    // Camel starts and stops it as a context service.
    MicrometerObservationTracer camelObservationTracer(CamelContext camel, ObjectProvider<Tracer> tracer,
            ObservationRegistry observations, DataContracts contracts) {
        MicrometerObservationTracer camelTracer = new MicrometerObservationTracer();
        tracer.ifAvailable(camelTracer::setTracer);
        camelTracer.setObservationRegistry(observations);
        // Counting a change is no step worth a span of its own, nor is the hop from sync-change to the object's
        // route: spans cost (the benchmark measured a third of the pipeline's CPU on them). Kept: the Service Bus
        // consume, direct:sync-change (where reconciliation and redrive enter), validation, store, Event Hubs send.
        List<String> excluded = new ArrayList<>(List.of("micrometer:*", "direct:heartbeat"));
        contracts.all().forEach(contract -> excluded.add("direct:sync-" + contract.key()));
        camelTracer.setExcludePatterns(String.join(",", excluded));
        camelTracer.init(camel);
        return camelTracer;
    }

    /**
     * Spans only: without this filter every Camel observation would also become a timer named after its endpoint,
     * repeating what camel-micrometer already measures per route ({@code camel_route_policy_seconds}).
     */
    @Bean
    MeterFilter camelObservationsAreNotMeters() {
        return MeterFilter.deny(id -> {
            String component = id.getTag(CAMEL_COMPONENT_TAG);
            return component != null && component.startsWith("camel-");
        });
    }
}
