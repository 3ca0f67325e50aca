package io.sfcache.standin.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosDatabase;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosBatch;
import com.azure.cosmos.models.CosmosBatchOperationResult;
import com.azure.cosmos.models.CosmosBatchResponse;
import com.azure.cosmos.models.CosmosChangeFeedRequestOptions;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.CosmosItemIdentity;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.FeedRange;
import com.azure.cosmos.models.FeedResponse;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What sfcache relies on from Cosmos DB, through the real Java SDK against the stand-in. Written
 * against SDK behaviour, not the stand-in's: pointed at a real account (same builder settings)
 * these should pass too.
 */
@ExtendWith(CosmosStandinExtension.class)
class CosmosStandinTest {

    /** Partition key path /pk; other fields as sfcache-like documents carry them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Doc(String id, String pk, int n, String name) {}

    private static CosmosClient client;
    private static CosmosAsyncClient asyncClient;
    private static CosmosDatabase database;

    private CosmosContainer container;

    @BeforeAll
    static void connect(CosmosStandin standin) {
        client = standin.newClientBuilder().buildClient();
        asyncClient = standin.newClientBuilder().buildAsyncClient();
        String name = "standin-test-" + UUID.randomUUID();
        client.createDatabaseIfNotExists(name);
        database = client.getDatabase(name);
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            database.delete();
            client.close();
        }
        if (asyncClient != null) {
            asyncClient.close();
        }
    }

    /** A fresh container per test: tests neither see nor count each other's items. */
    private CosmosContainer newContainer(TestInfo test) {
        String id = test.getTestMethod().orElseThrow().getName();
        database.createContainer(new CosmosContainerProperties(id, "/pk"));
        container = database.getContainer(id);
        return container;
    }

    @Test
    void createsContainerWithPartitionKeyAndRejectsADuplicate(TestInfo test) {
        CosmosContainer created = newContainer(test);

        CosmosContainerProperties properties = created.read().getProperties();
        assertThat(properties.getPartitionKeyDefinition().getPaths()).containsExactly("/pk");

        CosmosException duplicate = catchThrowableOfType(
                CosmosException.class,
                () -> database.createContainer(new CosmosContainerProperties(created.getId(), "/pk")));
        assertThat(duplicate.getStatusCode()).isEqualTo(409);
    }

    @Test
    void upsertCreatesThenReplacesAndReadReturnsTheItem(TestInfo test) {
        CosmosContainer c = newContainer(test);

        CosmosItemResponse<Doc> created = c.upsertItem(new Doc("a", "p", 1, "first"));
        CosmosItemResponse<Doc> replaced = c.upsertItem(new Doc("a", "p", 2, "second"));

        assertThat(created.getStatusCode()).isEqualTo(201);
        assertThat(replaced.getStatusCode()).isEqualTo(200);
        assertThat(replaced.getItem()).isEqualTo(new Doc("a", "p", 2, "second"));
        CosmosItemResponse<Doc> read = c.readItem("a", new PartitionKey("p"), Doc.class);
        assertThat(read.getItem()).isEqualTo(new Doc("a", "p", 2, "second"));
        assertThat(read.getETag()).isEqualTo(replaced.getETag());
    }

    @Test
    void readOfAMissingItemIs404(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(new Doc("present", "p", 1, "x"));

        assertThatThrownBy(() -> c.readItem("absent", new PartitionKey("p"), Doc.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
        // same id, other partition: not the same item
        assertThatThrownBy(() -> c.readItem("present", new PartitionKey("other"), Doc.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }

    @Test
    void readManyReturnsTheItemsFoundAndLeavesOutMissingOnes(TestInfo test) {
        // Partitioned by /id, as sfcache's record containers: the SDK reads them with "c.id IN (...)".
        String id = test.getTestMethod().orElseThrow().getName();
        database.createContainer(new CosmosContainerProperties(id, "/id"));
        CosmosContainer c = database.getContainer(id);
        IntStream.range(0, 50).forEach(i -> c.createItem(new Doc("d" + i, null, i, "n" + i)));
        c.upsertItem(new Doc("d7", null, 70, "changed"));
        c.deleteItem("d9", new PartitionKey("d9"), new CosmosItemRequestOptions());

        List<CosmosItemIdentity> wanted = List.of("d3", "d7", "d9", "absent", "d49").stream()
                .map(key -> new CosmosItemIdentity(new PartitionKey(key), key))
                .toList();
        FeedResponse<Doc> found = c.readMany(wanted, Doc.class);

        assertThat(found.getResults())
                .extracting(Doc::id, Doc::n)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("d3", 3),
                        org.assertj.core.groups.Tuple.tuple("d7", 70),
                        org.assertj.core.groups.Tuple.tuple("d49", 49));
    }

    @Test
    void replaceWithCurrentEtagSucceedsAndWithStaleEtagIs412(TestInfo test) {
        CosmosContainer c = newContainer(test);
        String etag = c.upsertItem(new Doc("e", "p", 1, "v1")).getETag();

        CosmosItemResponse<Doc> replaced = c.replaceItem(
                new Doc("e", "p", 2, "v2"),
                "e",
                new PartitionKey("p"),
                new CosmosItemRequestOptions().setIfMatchETag(etag));
        assertThat(replaced.getStatusCode()).isEqualTo(200);
        assertThat(replaced.getETag()).isNotBlank().isNotEqualTo(etag);

        assertThatThrownBy(() -> c.replaceItem(
                        new Doc("e", "p", 3, "v3"),
                        "e",
                        new PartitionKey("p"),
                        new CosmosItemRequestOptions().setIfMatchETag(etag)))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(412));
        assertThat(c.readItem("e", new PartitionKey("p"), Doc.class).getItem().name())
                .isEqualTo("v2");
    }

    @Test
    void patchSetsAndIncrementsFields(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(new Doc("pa", "p", 40, "before"));

        CosmosItemResponse<Doc> patched = c.patchItem(
                "pa",
                new PartitionKey("p"),
                CosmosPatchOperations.create().set("/name", "after").increment("/n", 2),
                Doc.class);

        assertThat(patched.getItem()).isEqualTo(new Doc("pa", "p", 42, "after"));
        assertThat(c.readItem("pa", new PartitionKey("p"), Doc.class).getItem()).isEqualTo(patched.getItem());
    }

    @Test
    void deleteRemovesTheItem(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(new Doc("d", "p", 1, "doomed"));

        assertThat(c.deleteItem("d", new PartitionKey("p"), new CosmosItemRequestOptions())
                        .getStatusCode())
                .isEqualTo(204);

        assertThatThrownBy(() -> c.readItem("d", new PartitionKey("p"), Doc.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
        assertThatThrownBy(() -> c.deleteItem("d", new PartitionKey("p"), new CosmosItemRequestOptions()))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }

    @Test
    void parameterisedOrderedQueryPagesThroughContinuationTokens(TestInfo test) {
        CosmosContainer c = newContainer(test);
        List<Integer> numbers = new ArrayList<>(IntStream.range(0, 23).boxed().toList());
        Collections.shuffle(numbers, new Random(7)); // insertion order must not be the answer's order
        numbers.forEach(n -> c.upsertItem(new Doc("q" + n, "q", n, "item " + n)));
        IntStream.range(0, 5).forEach(n -> c.upsertItem(new Doc("other" + n, "other", n + 10, "elsewhere")));

        // Single-partition query: the key in the options and, as the package once required, in the WHERE
        // clause too (queryWithPartitionKeyOptionIsScopedToThatPartition shows it is no longer needed).
        SqlQuerySpec query = new SqlQuerySpec(
                "SELECT * FROM c WHERE c.pk = @pk AND c.n >= @min ORDER BY c.n DESC",
                List.of(new SqlParameter("@pk", "q"), new SqlParameter("@min", 3)));
        CosmosQueryRequestOptions options = new CosmosQueryRequestOptions().setPartitionKey(new PartitionKey("q"));
        CosmosAsyncContainer async = asyncClient.getDatabase(database.getId()).getContainer(c.getId());

        List<List<Integer>> pages = new ArrayList<>();
        String continuation = null;
        do {
            // a new query each time, resumed from the token alone, as a stateless API would
            FeedResponse<Doc> page = async.queryItems(query, options, Doc.class)
                    .byPage(continuation, 6)
                    .blockFirst();
            assertThat(page).isNotNull();
            pages.add(page.getResults().stream().map(Doc::n).toList());
            continuation = page.getContinuationToken();
        } while (continuation != null && pages.size() < 10);

        List<Integer> all = pages.stream().flatMap(List::stream).toList();
        assertThat(all)
                .containsExactlyElementsOf(
                        IntStream.iterate(22, n -> n >= 3, n -> n - 1).boxed().toList());
        assertThat(all).doesNotHaveDuplicates();
        assertThat(pages)
                .hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(p -> assertThat(p).hasSizeLessThanOrEqualTo(6));
        assertThat(pages.get(0)).hasSize(6);
    }

    @Test
    void queryWithPartitionKeyOptionIsScopedToThatPartition(TestInfo test) {
        CosmosContainer c = newContainer(test);
        IntStream.range(0, 3).forEach(n -> c.upsertItem(new Doc("a" + n, "A", n, "in A")));
        IntStream.range(0, 3).forEach(n -> c.upsertItem(new Doc("b" + n, "B", n, "in B")));
        CosmosQueryRequestOptions inA = new CosmosQueryRequestOptions().setPartitionKey(new PartitionKey("A"));

        assertThat(c.queryItems("SELECT * FROM c WHERE c.n >= 1", inA, Doc.class).stream()
                        .map(Doc::id))
                .containsExactlyInAnyOrder("a1", "a2");
        assertThat(c.queryItems("SELECT * FROM c WHERE c.pk = 'B'", inA, Doc.class).stream())
                .isEmpty();
    }

    @Test
    void crossPartitionQueryCoversEveryPartitionInOrder(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(new Doc("x1", "A", 1, "one"));
        c.upsertItem(new Doc("x3", "B", 3, "three"));
        c.upsertItem(new Doc("x2", "C", 2, "two"));

        List<String> ids =
                c.queryItems("SELECT * FROM c ORDER BY c.n DESC", new CosmosQueryRequestOptions(), Doc.class).stream()
                        .map(Doc::id)
                        .toList();

        assertThat(ids).containsExactly("x3", "x2", "x1");
    }

    @Test
    void selectValueCountReturnsPlainNumbers(TestInfo test) {
        CosmosContainer c = newContainer(test);
        IntStream.range(0, 4).forEach(n -> c.upsertItem(new Doc("v" + n, n < 3 ? "p" : "q", n, "counted")));

        SqlQuerySpec count = new SqlQuerySpec(
                "SELECT VALUE COUNT(1) FROM c WHERE c.pk = @pk", List.of(new SqlParameter("@pk", "p")));
        assertThat(c.queryItems(count, new CosmosQueryRequestOptions(), Long.class).stream())
                .containsExactly(3L);
    }

    @Test
    void nestedPartitionKeyPathWorksForReadsAndQueries(TestInfo test) {
        String id = test.getTestMethod().orElseThrow().getName();
        database.createContainer(new CosmosContainerProperties(id, "/tenant/id"));
        CosmosContainer c = database.getContainer(id);
        c.upsertItem(Map.of("id", "r1", "tenant", Map.of("id", "t1"), "name", "first"));
        c.upsertItem(Map.of("id", "r2", "tenant", Map.of("id", "t2"), "name", "second"));

        assertThat(c.readItem("r1", new PartitionKey("t1"), JsonNode.class)
                        .getItem()
                        .get("name")
                        .asText())
                .isEqualTo("first");
        assertThatThrownBy(() -> c.readItem("r1", new PartitionKey("t2"), JsonNode.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
        assertThat(c
                        .queryItems(
                                "SELECT * FROM c",
                                new CosmosQueryRequestOptions().setPartitionKey(new PartitionKey("t2")),
                                JsonNode.class)
                        .stream()
                        .map(node -> node.get("id").asText()))
                .containsExactly("r2");
    }

    @Test
    void patchThatFailsHalfwayChangesNothing(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(Map.of("id", "h", "pk", "p", "name", "text", "address", Map.of("city", "Old")));

        // the second operation fails (increment of a string): the first must not stick
        assertThatThrownBy(() -> c.patchItem(
                        "h",
                        new PartitionKey("p"),
                        CosmosPatchOperations.create()
                                .set("/address/city", "New")
                                .increment("/name", 1),
                        JsonNode.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(400));

        assertThat(c.readItem("h", new PartitionKey("p"), JsonNode.class)
                        .getItem()
                        .at("/address/city")
                        .asText())
                .isEqualTo("Old");
    }

    @Test
    void changeFeedFromContinuationReturnsOnlyNewChanges(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(new Doc("a", "p", 1, "a1"));
        c.upsertItem(new Doc("b", "p", 1, "b1"));
        c.upsertItem(new Doc("c", "p", 1, "c1"));

        ChangeFeedRead first = readChangeFeed(
                CosmosChangeFeedRequestOptions.createForProcessingFromBeginning(FeedRange.forFullRange()));
        assertThat(first.names()).containsExactly("a1", "b1", "c1");

        c.upsertItem(new Doc("d", "p", 1, "d1"));
        c.upsertItem(new Doc("a", "p", 2, "a2"));
        ChangeFeedRead second = readChangeFeed(
                CosmosChangeFeedRequestOptions.createForProcessingFromContinuation(first.continuation()));
        assertThat(second.names()).containsExactly("d1", "a2");

        ChangeFeedRead third = readChangeFeed(
                CosmosChangeFeedRequestOptions.createForProcessingFromContinuation(second.continuation()));
        assertThat(third.names()).isEmpty();
    }

    private record ChangeFeedRead(List<String> names, String continuation) {}

    private ChangeFeedRead readChangeFeed(CosmosChangeFeedRequestOptions options) {
        List<String> names = new ArrayList<>();
        String continuation = null;
        for (FeedResponse<Doc> page :
                container.queryChangeFeed(options, Doc.class).iterableByPage()) {
            page.getResults().forEach(doc -> names.add(doc.name()));
            continuation = page.getContinuationToken();
        }
        assertThat(continuation).as("change feed continuation").isNotBlank();
        return new ChangeFeedRead(names, continuation);
    }

    @Test
    void transactionalBatchCommitsAllOrNothing(TestInfo test) {
        CosmosContainer c = newContainer(test);
        c.upsertItem(new Doc("existing", "b", 0, "kept"));

        CosmosBatch good = CosmosBatch.createCosmosBatch(new PartitionKey("b"));
        good.createItemOperation(new Doc("b1", "b", 1, "one"));
        good.upsertItemOperation(new Doc("existing", "b", 2, "updated"));
        good.patchItemOperation("b1", CosmosPatchOperations.create().increment("/n", 1));
        good.readItemOperation("b1");
        CosmosBatchResponse ok = c.executeCosmosBatch(good);
        assertThat(ok.isSuccessStatusCode()).isTrue();
        assertThat(ok.getResults())
                .extracting(CosmosBatchOperationResult::getStatusCode)
                .containsExactly(201, 200, 200, 200);
        assertThat(ok.getResults().get(3).getItem(Doc.class)).isEqualTo(new Doc("b1", "b", 2, "one"));

        CosmosBatch bad = CosmosBatch.createCosmosBatch(new PartitionKey("b"));
        bad.createItemOperation(new Doc("b2", "b", 2, "two"));
        bad.replaceItemOperation("existing", new Doc("existing", "b", 3, "changed"));
        bad.patchItemOperation("b1", CosmosPatchOperations.create().set("/name", "patched"));
        bad.createItemOperation(new Doc("b1", "b", 9, "duplicate")); // 409: the batch must not apply
        CosmosBatchResponse failed = c.executeCosmosBatch(bad);
        assertThat(failed.isSuccessStatusCode()).isFalse();
        assertThat(failed.getStatusCode()).isEqualTo(409);
        assertThat(failed.getResults())
                .extracting(CosmosBatchOperationResult::getStatusCode)
                .containsExactly(424, 424, 424, 409);

        assertThatThrownBy(() -> c.readItem("b2", new PartitionKey("b"), Doc.class))
                .isInstanceOfSatisfying(
                        CosmosException.class,
                        e -> assertThat(e.getStatusCode()).isEqualTo(404));
        assertThat(c.readItem("existing", new PartitionKey("b"), Doc.class)
                        .getItem()
                        .name())
                .isEqualTo("updated");
        assertThat(c.readItem("b1", new PartitionKey("b"), Doc.class).getItem())
                .isEqualTo(new Doc("b1", "b", 2, "one"));
    }
}
