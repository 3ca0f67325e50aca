package io.sfcache.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.cosmos.BridgeInternal;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.camel.ExchangeTimedOutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The failure classifier's table: which failures retry the record at once (write conflicts), which keep the message
 * for later (outages), and which dead-letter it. Statuses as Cosmos documents them:
 * https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb
 */
class FailureClassifierTest {

    private final FailureClassifier classifier = new FailureClassifier();

    @ParameterizedTest
    @ValueSource(ints = {409, 412})
    void conflictsFromPointAndBulkWritesAreWriteConflicts(int status) {
        assertThat(classifier.isWriteConflict(BridgeInternal.createCosmosException(status)))
                .isTrue();
        assertThat(classifier.isWriteConflict(new StoreWriteException(status, "bulk")))
                .isTrue();
        assertThat(classifier.isTransient(new StoreWriteException(status, "bulk")))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 408, 410, 429, 449, 500, 502, 503, 504})
    void cosmosOutagesAndThrottlingAreTransient(int status) {
        assertThat(classifier.isTransient(BridgeInternal.createCosmosException(status)))
                .isTrue();
        assertThat(classifier.isTransient(new StoreWriteException(status, "bulk")))
                .isTrue();
        assertThat(classifier.isWriteConflict(BridgeInternal.createCosmosException(status)))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 413})
    void cosmosRefusalsOfTheRequestItselfAreNeither(int status) {
        assertThat(classifier.isTransient(BridgeInternal.createCosmosException(status)))
                .isFalse();
        assertThat(classifier.isWriteConflict(BridgeInternal.createCosmosException(status)))
                .isFalse();
    }

    @Test
    void networkAndMessagingFailuresAreTransientAlsoWhenWrapped() {
        assertThat(classifier.isTransient(new IOException("connection reset"))).isTrue();
        assertThat(classifier.isTransient(new TimeoutException())).isTrue();
        assertThat(classifier.isTransient(new ExchangeTimedOutException(null, 1000)))
                .isTrue();
        assertThat(classifier.isTransient(new AmqpException(true, AmqpErrorCondition.SERVER_BUSY_ERROR, "busy", null)))
                .isTrue();
        assertThat(classifier.isTransient(
                        new CompletionException(new RuntimeException(BridgeInternal.createCosmosException(503)))))
                .isTrue();
    }

    @Test
    void aRejectedChangeIsNeverTransientWhateverItWraps() {
        RejectedChangeException rejected = new RejectedChangeException(RejectionReason.CONTRACT_VIOLATION, "Name");
        rejected.initCause(new IOException("irrelevant"));
        assertThat(classifier.isTransient(rejected)).isFalse();
        assertThat(classifier.isTransient(new RuntimeException(rejected))).isFalse();
    }

    @Test
    void programmingErrorsAreNeither() {
        assertThat(classifier.isTransient(new NullPointerException())).isFalse();
        assertThat(classifier.isTransient(new IllegalStateException("bug"))).isFalse();
        assertThat(classifier.isWriteConflict(new IllegalStateException("bug"))).isFalse();
    }
}
