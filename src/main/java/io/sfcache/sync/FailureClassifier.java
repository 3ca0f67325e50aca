package io.sfcache.sync;

import com.azure.core.amqp.exception.AmqpException;
import com.azure.core.exception.AzureException;
import com.azure.cosmos.CosmosException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;

/**
 * Sorts failures into the three ways the routes handle them: a write conflict (retry the record's flow at once),
 * an outage (retry with back-off, then give the message back to Service Bus), or anything else (dead letter).
 */
@Component("failureClassifier")
public class FailureClassifier {

    /** Cosmos statuses worth retrying: timeout, gone/retry-with, throttled, server errors. */
    private static final Set<Integer> TRANSIENT_COSMOS = Set.of(408, 410, 429, 449, 500, 502, 503, 504);

    /** Another consumer wrote the record since it was read (412), or created it first (409). */
    public boolean isWriteConflict(Throwable failure) {
        Integer status = cosmosStatus(failure);
        return status != null && (status == 409 || status == 412);
    }

    /** A dependency is unreachable, slow or throttling: the message is fine and must not be dead-lettered. */
    public boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RejectedChangeException) {
                return false;
            }
            Integer status = cosmosStatus(t);
            if (status != null) {
                return TRANSIENT_COSMOS.contains(status) || status == 0;
            }
            if (t instanceof AmqpException
                    || t instanceof AzureException
                    || t instanceof TimeoutException
                    || t instanceof IOException
                    || t instanceof org.apache.camel.ExchangeTimedOutException
                    || t instanceof org.apache.camel.component.direct.DirectConsumerNotAvailableException) {
                return true;
            }
        }
        return false;
    }

    /** The status of a failed Cosmos call, point or one operation of a bulk request; null for other failures. */
    private static Integer cosmosStatus(Throwable failure) {
        if (failure instanceof CosmosException cosmos) {
            return cosmos.getStatusCode();
        }
        return failure instanceof StoreWriteException write ? write.getStatusCode() : null;
    }
}
