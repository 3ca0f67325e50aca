package io.sfcache.bench;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.camel.CamelContext;
import org.awaitility.Awaitility;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderClient;

import io.sfcache.SfcacheApplication;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.messaging.AzureMessagingStandin;

/**
 * A quick figure, not a benchmark: N valid changes waiting on the queue, then the time one instance takes to sync
 * them all. {@code ./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.sfcache.bench.QuickDrain
 * -Dexec.args=3000}
 */
public final class QuickDrain {

    private QuickDrain() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        SpringApplication app = new SpringApplication(SfcacheApplication.class);
        app.addInitializers(new LocalStandins());
        try (ConfigurableApplicationContext context = app.run("--server.port=0", "--logging.level.root=WARN",
                "--sfcache.sync.max-concurrent-calls=" + System.getProperty("concurrency", "8"))) {
            CamelContext camel = context.getBean(CamelContext.class);
            camel.getRouteController().stopRoute("servicebus-ingest");
            String queue = context.getEnvironment().getProperty("sfcache.servicebus.queue");
            AzureMessagingStandin standin = AzureMessagingStandin.shared();
            ChangeMessages messages = ChangeMessages.live(new Random(1), Clock.systemUTC());
            List<ServiceBusMessage> toSend = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SalesforceRecord record = switch (i % 3) {
                    case 0 -> messages.account();
                    case 1 -> messages.contact();
                    default -> messages.opportunity();
                };
                var change = record.create();
                toSend.add(new ServiceBusMessage(change.toJson()).setMessageId(change.eventId())
                        .setContentType("application/json"));
            }
            try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                    .connectionString(standin.serviceBusConnectionString()).sender().queueName(queue).buildClient()) {
                ServiceBusMessageBatch batch = sender.createMessageBatch();
                for (ServiceBusMessage m : toSend) {
                    if (!batch.tryAddMessage(m)) {
                        sender.sendMessages(batch);
                        batch = sender.createMessageBatch();
                        batch.tryAddMessage(m);
                    }
                }
                sender.sendMessages(batch);
            }
            int already = standin.queue(queue).completed().size();
            long start = System.nanoTime();
            camel.getRouteController().startRoute("servicebus-ingest");
            Awaitility.await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> standin.queue(queue).completed().size() - already >= count);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("QUICK-DRAIN %d changes in %.1f s = %.0f records/s (max-concurrent-calls=%s)%n", count,
                    took.toMillis() / 1000.0, count * 1000.0 / took.toMillis(),
                    context.getEnvironment().getProperty("sfcache.sync.max-concurrent-calls"));
        }
        System.exit(0);
    }
}
