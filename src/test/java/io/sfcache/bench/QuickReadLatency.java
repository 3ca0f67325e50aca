package io.sfcache.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.awaitility.Awaitility;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;

import io.sfcache.SfcacheApplication;
import io.sfcache.fixtures.ChangeMessages;
import io.sfcache.fixtures.SalesforceRecord;
import io.sfcache.standin.LocalStandins;
import io.sfcache.standin.identity.TokenIssuerStandin;
import io.sfcache.standin.messaging.AzureMessagingStandin;

/**
 * A quick figure, not a benchmark: GraphQL point-read and 50-record-page latency over HTTP, one caller at a time,
 * on 200 accounts synced through the pipeline. {@code ./mvnw -q exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.sfcache.bench.QuickReadLatency}
 */
public final class QuickReadLatency {

    private QuickReadLatency() {
    }

    public static void main(String[] args) throws Exception {
        SpringApplication app = new SpringApplication(SfcacheApplication.class);
        app.addInitializers(new LocalStandins());
        try (ConfigurableApplicationContext context = app.run("--server.port=0", "--logging.level.root=WARN")) {
            String queue = context.getEnvironment().getProperty("sfcache.servicebus.queue");
            String port = context.getEnvironment().getProperty("local.server.port");
            AzureMessagingStandin standin = AzureMessagingStandin.shared();
            ChangeMessages messages = ChangeMessages.live(new Random(3), Clock.systemUTC());
            List<String> ids = new ArrayList<>();
            try (ServiceBusSenderClient sender = new ServiceBusClientBuilder()
                    .connectionString(standin.serviceBusConnectionString()).sender().queueName(queue).buildClient()) {
                for (int i = 0; i < 200; i++) {
                    SalesforceRecord account = messages.account();
                    var create = account.create();
                    sender.sendMessage(new ServiceBusMessage(create.toJson()).setMessageId(create.eventId())
                            .setContentType("application/json"));
                    ids.add(account.id());
                }
            }
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> standin.queue(queue).completed().size() >= 200);
            String token = TokenIssuerStandin.shared().mint("bench", List.of(TokenIssuerStandin.READER_ROLE),
                    Duration.ofHours(1));
            HttpClient http = HttpClient.newHttpClient();
            URI graphql = URI.create("http://localhost:" + port + "/graphql");
            Random random = new Random(5);
            String point = "{\"query\":\"query($id: ID!) { account(id: $id) { id name industry annualRevenue "
                    + "freshness { syncedAt lagSeconds ageSeconds } } }\",\"variables\":{\"id\":\"%s\"}}";
            String page = "{\"query\":\"{ accounts(first: 50, orderBy: {field: NAME}) { edges { node { id name "
                    + "industry annualRevenue freshness { syncedAt } } } pageInfo { endCursor } } }\"}";
            // Warm-up, then measure.
            measure(http, graphql, token, () -> String.format(point, ids.get(random.nextInt(ids.size()))), 200);
            long[] points = measure(http, graphql, token,
                    () -> String.format(point, ids.get(random.nextInt(ids.size()))), 1000);
            measure(http, graphql, token, () -> page, 50);
            long[] pages = measure(http, graphql, token, () -> page, 300);
            System.out.printf("QUICK-READ point read p50 %.1f ms p99 %.1f ms; 50-record page p50 %.1f ms p99 %.1f ms%n",
                    pct(points, 50), pct(points, 99), pct(pages, 50), pct(pages, 99));
        }
        System.exit(0);
    }

    private static long[] measure(HttpClient http, URI uri, String token, java.util.function.Supplier<String> body,
            int count) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.get()))
                    .build();
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            nanos[i] = System.nanoTime() - start;
            if (response.statusCode() != 200 || response.body().contains("\"errors\"")) {
                throw new IllegalStateException(response.statusCode() + " " + response.body());
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double pct(long[] sortedNanos, int percentile) {
        int index = Math.min(sortedNanos.length - 1, (int) Math.ceil(percentile / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[index] / 1_000_000.0;
    }
}
