package io.sfcache.standin.messaging;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import java.util.List;

/**
 * Puts messages on a stand-in queue in as few batch sends as fit, as a backlog builds up during an outage. Used by the
 * benchmarks (io.sfcache.bench) and the multi-replica test (io.sfcache.cluster).
 */
public final class QueueLoader {

    private QueueLoader() {}

    public static void load(String connectionString, String queue, List<ServiceBusMessage> messages) {
        try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                .connectionString(connectionString)
                .sender()
                .queueName(queue)
                .buildClient()) {
            ServiceBusMessageBatch batch = sender.createMessageBatch();
            for (ServiceBusMessage message : messages) {
                if (!batch.tryAddMessage(message)) {
                    sender.sendMessages(batch);
                    batch = sender.createMessageBatch();
                    if (!batch.tryAddMessage(message)) {
                        throw new IllegalStateException("a message larger than a batch");
                    }
                }
            }
            if (batch.getCount() > 0) {
                sender.sendMessages(batch);
            }
        }
    }
}
