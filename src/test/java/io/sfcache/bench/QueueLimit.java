package io.sfcache.bench;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.sfcache.standin.messaging.AzureMessagingStandin;
import io.sfcache.standin.messaging.QueueLoader;
import io.sfcache.standin.messaging.QueueOutcome;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * The queue side of the limit: how fast the stand-in queue hands out and settles messages, peek-lock as sfcache reads
 * them, with no work in between. Each run uses a queue of its own.
 */
final class QueueLimit {

    /**
     * The raw row's prefetch. Deeper overflowed the SDK's receive buffer (a Reactor sink of 256 deliveries): with 500,
     * about half the runs logged "Could not emit delivery ... FAIL_OVERFLOW", the link closed with hundreds of messages
     * locked, and the run measured about 100 messages/s while they waited out their 30 s locks.
     */
    static final int DEEPEST_PREFETCH = 256;

    private final AzureMessagingStandin messaging;
    private final String connectionString;

    QueueLimit(AzureMessagingStandin messaging) {
        this.messaging = messaging;
        this.connectionString = messaging.serviceBusConnectionString();
    }

    /**
     * Messages per second through the SDK's processor client, the one Camel's consumer runs on, with a handler that
     * does nothing: with sfcache's concurrency and prefetch, the ceiling of its consumer as configured; with many
     * calls and a deep prefetch, the queue's raw rate. (A bare async receiver with many completions in flight lost its
     * link now and then against the stand-in, failing completions: the processor is the stable fastest way.)
     */
    double processor(String queue, List<ServiceBusMessage> messages, int maxConcurrentCalls, int prefetch) {
        QueueLoader.load(connectionString, queue, messages);
        ServiceBusProcessorClient processor = new ServiceBusClientBuilder()
                .connectionString(connectionString)
                .processor()
                .queueName(queue)
                .receiveMode(ServiceBusReceiveMode.PEEK_LOCK)
                .maxConcurrentCalls(maxConcurrentCalls)
                .prefetchCount(prefetch)
                .processMessage(context -> {})
                .processError(context -> {})
                .buildProcessorClient();
        try {
            long start = System.nanoTime();
            processor.start();
            // Done when the queue saw every completion (the processor completes after the handler returns).
            Awaitility.await()
                    .atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> messaging.outcomes(queue).getOrDefault(QueueOutcome.COMPLETED, 0) >= messages.size());
            return messages.size() / ((System.nanoTime() - start) / 1e9);
        } finally {
            processor.close();
        }
    }
}
