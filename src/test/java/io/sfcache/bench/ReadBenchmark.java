package io.sfcache.bench;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads at a fixed concurrency: GraphQL over HTTP as an app calls it (bearer token, JSON), and the raw SDK point
 * read of the same records from the same Cosmos, each caller back to back for a fixed time after a warm-up.
 */
final class ReadBenchmark {

    /** Latencies in milliseconds. */
    record Result(String what, int requests, double perSecond, double p50, double p99) {}

    private static final String POINT = "{\"query\":\"query($id: ID!) { account(id: $id) { id name industry "
            + "annualRevenue freshness { syncedAt lagSeconds ageSeconds } } }\",\"variables\":{\"id\":\"%s\"}}";
    private static final String PAGE =
            "{\"query\":\"{ accounts(first: 50, filter: {industry: {ne: \\\"Retail\\\"}}, orderBy: {field: NAME}) "
                    + "{ edges { node { "
                    + "id name industry annualRevenue freshness { syncedAt } } } pageInfo { endCursor } } }\"}";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI graphql;
    private final String token;
    private final CosmosAsyncContainer accounts;
    private final List<String> ids;
    private final int concurrency;
    private final Duration warmUp;
    private final Duration measure;

    ReadBenchmark(
            URI graphql,
            String token,
            CosmosAsyncContainer accounts,
            List<String> ids,
            int concurrency,
            Duration warmUp,
            Duration measure) {
        this.graphql = graphql;
        this.token = token;
        this.accounts = accounts;
        this.ids = ids;
        this.concurrency = concurrency;
        this.warmUp = warmUp;
        this.measure = measure;
    }

    Result graphqlPoint() throws Exception {
        return measure("GraphQL point read", () -> post(String.format(POINT, randomId())));
    }

    Result graphqlPage() throws Exception {
        return measure("GraphQL 50-record page", () -> post(PAGE));
    }

    Result sdkPoint() throws Exception {
        return measure("Cosmos SDK point read (readItem)", () -> {
            String id = randomId();
            return accounts.readItem(id, new PartitionKey(id), JsonNode.class).block();
        });
    }

    private String randomId() {
        return ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
    }

    private String post(String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(graphql)
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"errors\"")) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private Result measure(String what, Callable<?> call) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(concurrency);
        try {
            long start = System.nanoTime();
            long measureFrom = start + warmUp.toNanos();
            long until = measureFrom + measure.toNanos();
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                futures.add(callers.submit(() -> {
                    List<Long> nanos = new ArrayList<>();
                    for (long now = System.nanoTime(); now < until; now = System.nanoTime()) {
                        call.call();
                        if (now >= measureFrom) {
                            nanos.add(System.nanoTime() - now);
                        }
                    }
                    return nanos;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> future : futures) {
                all.addAll(future.get());
            }
            long[] nanos = all.stream().mapToLong(Long::longValue).toArray();
            return new Result(
                    what,
                    nanos.length,
                    nanos.length / (measure.toNanos() / 1e9),
                    Stats.percentileMillis(nanos, 50),
                    Stats.percentileMillis(nanos, 99));
        } finally {
            callers.shutdownNow();
        }
    }
}
