package io.sfcache.tracing;

import io.sfcache.sync.ChangeMessage;
import io.sfcache.sync.SyncHeaders;
import java.util.Map;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.tracing.ActiveSpanManager;
import org.apache.camel.tracing.SpanAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Around every step of every route: the exchange's current span made current (Boot writes {@code traceId} and
 * {@code spanId} into the logging context, and observations started in the step become its children), and the
 * change it carries ({@code sobject}, {@code recordId}, {@code eventId}) in the logging context. Afterwards the
 * thread gets back exactly what it had.
 *
 * <p>Per step rather than per exchange because the Azure producers complete on their own threads and the rest of a
 * route runs wherever the last call returned: a context set once at the start would be missing there, and would stay
 * behind on a pooled consumer thread for the next message.
 */
@Component
public class StepLogContext implements InterceptStrategy {

    public static final String OBJECT = "sobject";
    public static final String RECORD_ID = "recordId";
    public static final String EVENT_ID = "eventId";

    private static final Logger LOG = LoggerFactory.getLogger(StepLogContext.class);

    @Override
    public Processor wrapProcessorInInterceptors(
            CamelContext context, NamedNode definition, Processor target, Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Map<String, String> before = MDC.getCopyOfContextMap();
                AutoCloseable scope = enter(exchange);
                try {
                    return processor.process(exchange, callback);
                } finally {
                    leave(scope, before);
                }
            }
        };
    }

    private static AutoCloseable enter(Exchange exchange) {
        ChangeMessage change = exchange.getProperty(SyncHeaders.CHANGE, ChangeMessage.class);
        if (change != null) {
            put(OBJECT, change.sobject());
            put(RECORD_ID, change.recordId());
            put(EVENT_ID, change.eventId());
        }
        SpanAdapter span = ActiveSpanManager.getSpan(exchange);
        return span == null ? null : span.makeCurrent();
    }

    private static void leave(AutoCloseable scope, Map<String, String> before) {
        try {
            if (scope != null) {
                scope.close();
            }
        } catch (Exception e) {
            LOG.debug("Closing a step's trace scope failed; the thread's logging context is restored anyway", e);
        } finally {
            if (before == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(before);
            }
        }
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
