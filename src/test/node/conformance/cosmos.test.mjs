// Conformance of the Cosmos DB stand-in, seen through @azure/cosmos, a client sfcache does not use: where the
// stand-in answers what Cosmos documents, any client may rely on it, not only the Java SDK sfcache happens to use.
// Each expectation cites the page of learn.microsoft.com it comes from. Run by CosmosConformanceTest
// (`node --test cosmos.test.mjs` with COSMOS_ENDPOINT, COSMOS_KEY and NODE_EXTRA_CA_CERTS set).
//
// Pages cited:
// [status]  https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb
// [headers] https://learn.microsoft.com/rest/api/cosmos-db/common-cosmosdb-rest-response-headers
// [props]   https://learn.microsoft.com/rest/api/cosmos-db/documents (system properties _rid, _ts, _self, _etag)
// [occ]     https://learn.microsoft.com/azure/cosmos-db/nosql/database-transactions-optimistic-concurrency
// [patch]   https://learn.microsoft.com/rest/api/cosmos-db/patch-a-document, and for the condition
//           https://learn.microsoft.com/dotnet/api/microsoft.azure.cosmos.patchitemrequestoptions.filterpredicate
//           ("If the condition is satisfied the patch transaction will take place otherwise ... precondition failed")
// [batch]   https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch
// [bulk]    bulk runs each operation as its own point operation, unlike a transactional batch (no page says it in
//           one sentence; the SDKs report a result per operation: CosmosBulkOperationResponse, BulkOperationResult)
// [paging]  https://learn.microsoft.com/azure/cosmos-db/nosql/query/pagination
// [orderby] https://learn.microsoft.com/azure/cosmos-db/nosql/query/order-by
// [compare] https://learn.microsoft.com/azure/cosmos-db/nosql/query/equality-comparison-operators
// [429]     https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-request-rate-too-large
// [503]     https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-service-unavailable
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { faultState, hasFaultSwitch, newClient, pages, rejection, setFault } from "./lib/cosmos.mjs";

const exchanges = [];
const client = newClient({ exchanges });
let database;
let items; // partition key /pk
let byId; // partition key /id, as sfcache's containers
let sorted; // with the composite indexes its ORDER BY queries need

/** The HTTP exchanges made while `work` ran. */
async function exchangesOf(work) {
  const from = exchanges.length;
  const result = await work();
  return { result, made: exchanges.slice(from) };
}

before(async () => {
  ({ database } = await client.databases.createIfNotExists({ id: `conformance-${randomUUID()}` }));
  ({ container: items } = await database.containers.createIfNotExists({ id: "items", partitionKey: { paths: ["/pk"] } }));
  ({ container: byId } = await database.containers.createIfNotExists({ id: "byid", partitionKey: { paths: ["/id"] } }));
  ({ container: sorted } = await database.containers.createIfNotExists({
    id: "sorted",
    partitionKey: { paths: ["/id"] },
    indexingPolicy: {
      compositeIndexes: ["ascending", "descending"].map(order => [
        { path: "/rank", order },
        { path: "/id", order }
      ])
    }
  }));
});

after(async () => {
  if (hasFaultSwitch) await setFault({ mode: "none" });
  await database?.delete();
  client.dispose();
});

describe("items", () => {
  test("create answers 201 with the item, system properties, its etag in header and body, a charge", async () => {
    const activityId = randomUUID();
    const { result: created, made } = await exchangesOf(() => items.items.create({ id: "c1", pk: "a", n: 1 },
      { initialHeaders: { "x-ms-activity-id": activityId } }));

    assert.equal(created.statusCode, 201); // [status] 201 Created: a POST to create a resource succeeded
    for (const property of ["_rid", "_etag", "_ts", "_self"]) assert.ok(created.resource[property], property); // [props]
    assert.equal(created.etag, created.resource._etag); // [headers] etag: same value as _etag in the body
    const { headers, requestHeaders } = made.at(-1);
    assert.ok(Number(headers["x-ms-request-charge"]) >= 0, "x-ms-request-charge"); // [headers]
    assert.equal(headers["content-type"].split(";")[0], "application/json"); // [headers] Content-Type
    // [headers] x-ms-activity-id "echoes the value of the x-ms-activity-id request header"
    assert.equal(requestHeaders["x-ms-activity-id"], activityId);
    assert.equal(headers["x-ms-activity-id"], activityId);
  });

  test("create of an id that exists in the partition answers 409; the same id in another partition is another item", async () => {
    await items.items.create({ id: "dup", pk: "a" });

    const conflict = await rejection(items.items.create({ id: "dup", pk: "a" }));
    const elsewhere = await items.items.create({ id: "dup", pk: "b" });

    assert.equal(conflict.code, 409); // [status] 409 Conflict: the ID is taken; unique per partition key value
    assert.equal(elsewhere.statusCode, 201);
  });

  test("point read answers 200 with the item; a missing id, or the id in another partition, 404", async () => {
    await items.items.create({ id: "r1", pk: "a", name: "read me" });

    const found = await items.item("r1", "a").read();
    const missing = await items.item("nope", "a").read();
    const wrongPartition = await items.item("r1", "b").read();

    assert.equal(found.statusCode, 200);
    assert.equal(found.resource.name, "read me");
    assert.equal(found.etag, found.resource._etag);
    assert.equal(missing.statusCode, 404); // [status] 404 Not Found: the resource does not exist
    assert.equal(missing.resource, undefined);
    assert.equal(wrongPartition.statusCode, 404);
  });

  test("replace with the current ETag answers 200 and a new ETag; with a stale one 412 and nothing changes", async () => {
    const { resource: original } = await items.items.create({ id: "occ", pk: "a", v: 1 });
    const ifMatch = etag => ({ accessCondition: { type: "IfMatch", condition: etag } });

    const replaced = await items.item("occ", "a").replace({ id: "occ", pk: "a", v: 2 }, ifMatch(original._etag));
    const stale = await rejection(items.item("occ", "a").replace({ id: "occ", pk: "a", v: 3 }, ifMatch(original._etag)));

    assert.equal(replaced.statusCode, 200); // [status] 200 OK: PUT on a resource
    assert.notEqual(replaced.etag, original._etag); // [occ] the etag changes on every update
    assert.equal(stale.code, 412); // [status] 412 Precondition failure; [occ] If-Match with an old etag
    assert.equal((await items.item("occ", "a").read()).resource.v, 2);
  });

  test("replace of a missing item answers 404", async () => {
    const missing = await rejection(items.item("ghost", "a").replace({ id: "ghost", pk: "a" }));
    assert.equal(missing.code, 404);
  });

  test("upsert answers 201 when it creates and 200 when it replaces", async () => {
    const created = await items.items.upsert({ id: "u1", pk: "a", v: 1 });
    const replaced = await items.items.upsert({ id: "u1", pk: "a", v: 2 });

    assert.equal(created.statusCode, 201); // [status] 201 for a create
    assert.equal(replaced.statusCode, 200); // [status] 200 for a replace
    assert.equal((await items.item("u1", "a").read()).resource.v, 2);
  });

  test("patch sets, increments, adds and removes; a condition that does not hold answers 412", async () => {
    await items.items.create({ id: "p1", pk: "a", n: 1, tags: ["x"], drop: true, nested: { a: 1 } });
    const item = items.item("p1", "a");

    const patched = await item.patch([
      { op: "set", path: "/name", value: "patched" },
      { op: "incr", path: "/n", value: 4 },
      { op: "add", path: "/tags/-", value: "y" },
      { op: "replace", path: "/nested/a", value: 2 },
      { op: "remove", path: "/drop" }
    ]);
    const refused = await rejection(item.patch({
      condition: "FROM c WHERE c.n = 99",
      operations: [{ op: "set", path: "/name", value: "never" }]
    }));
    const missing = await rejection(items.item("nope", "a").patch([{ op: "set", path: "/x", value: 1 }]));

    assert.equal(patched.statusCode, 200); // [status] 200 OK; [patch] operations apply in order, atomically
    assert.deepEqual(
      { name: patched.resource.name, n: patched.resource.n, tags: patched.resource.tags, nested: patched.resource.nested },
      { name: "patched", n: 5, tags: ["x", "y"], nested: { a: 2 } }
    );
    assert.equal("drop" in patched.resource, false);
    assert.equal(refused.code, 412); // [patch] conditional patch: a false filter predicate fails with 412
    assert.equal((await item.read()).resource.name, "patched");
    assert.equal(missing.code, 404);
  });

  test("delete answers 204; the item is then gone, and deleting it again answers 404", async () => {
    await items.items.create({ id: "d1", pk: "a" });

    const deleted = await items.item("d1", "a").delete();
    const again = await rejection(items.item("d1", "a").delete());

    assert.equal(deleted.statusCode, 204); // [status] 204 No Content: DELETE succeeded
    assert.equal((await items.item("d1", "a").read()).statusCode, 404);
    assert.equal(again.code, 404);
  });
});

describe("readMany", () => {
  // @azure/cosmos has no readMany; this is the query the Java SDK's readMany sends for a container partitioned by
  // /id, which sfcache uses to resolve relations in batches. Missing ids are simply not in the answer.
  test("the id IN query of readMany returns each existing item once, whatever the duplicates and missing ids", async () => {
    for (const id of ["m1", "m2", "m3"]) await byId.items.create({ id, v: id });
    const ids = ["m1", "m3", "m3", "missing"];
    const query = {
      query: `SELECT * FROM c WHERE c.id IN (${ids.map((_, i) => `@param${i}`).join(", ")})`,
      parameters: ids.map((value, i) => ({ name: `@param${i}`, value }))
    };

    const { resources } = await byId.items.query(query).fetchAll();

    assert.deepEqual(resources.map(r => r.id).sort(), ["m1", "m3"]);
  });
});

describe("transactional batch", () => {
  test("a batch that succeeds applies every operation and answers each one's status", async () => {
    await items.items.create({ id: "b-existing", pk: "batch", v: 1 });

    const response = await items.items.batch([
      { operationType: "Create", resourceBody: { id: "b1", pk: "batch" } },
      { operationType: "Upsert", resourceBody: { id: "b-existing", pk: "batch", v: 2 } },
      { operationType: "Read", id: "b-existing" },
      { operationType: "Patch", id: "b1", resourceBody: { operations: [{ op: "set", path: "/v", value: 9 }] } },
      { operationType: "Delete", id: "b-existing" }
    ], "batch");

    assert.equal(response.code, 200);
    assert.deepEqual(response.result.map(r => r.statusCode), [201, 200, 200, 200, 204]);
    assert.equal((await items.item("b1", "batch").read()).resource.v, 9);
    assert.equal((await items.item("b-existing", "batch").read()).statusCode, 404);
  });

  test("a batch with a failing operation applies none: the failure's status, 424 for the others", async () => {
    await items.items.create({ id: "t-existing", pk: "tx", v: 1 });

    const response = await items.items.batch([
      { operationType: "Create", resourceBody: { id: "t1", pk: "tx" } },
      { operationType: "Replace", id: "t-existing", resourceBody: { id: "t-existing", pk: "tx", v: 2 } },
      { operationType: "Create", resourceBody: { id: "t-existing", pk: "tx" } }, // 409
      { operationType: "Delete", id: "t-existing" }
    ], "tx");

    // [batch] "if any operation fails, the entire transaction is rolled back"; "the failed operation will have a
    // status code of its corresponding error. All the other operations will have a 424 status code"
    assert.deepEqual(response.result.map(r => r.statusCode), [424, 424, 409, 424]);
    assert.equal((await items.item("t1", "tx").read()).statusCode, 404);
    assert.equal((await items.item("t-existing", "tx").read()).resource.v, 1);
  });
});

describe("bulk", () => {
  test("each operation succeeds or fails on its own", async () => {
    await items.items.create({ id: "k-existing", pk: "bulk" });

    const results = await items.items.executeBulkOperations([
      { operationType: "Create", partitionKey: "bulk", resourceBody: { id: "k1", pk: "bulk" } },
      { operationType: "Create", partitionKey: "bulk", resourceBody: { id: "k-existing", pk: "bulk" } },
      { operationType: "Upsert", partitionKey: "bulk", resourceBody: { id: "k2", pk: "bulk" } },
      { operationType: "Replace", id: "k-missing", partitionKey: "bulk", resourceBody: { id: "k-missing", pk: "bulk" } },
      { operationType: "Read", id: "k1", partitionKey: "bulk" },
      { operationType: "Delete", id: "k-existing", partitionKey: "bulk" }
    ]);

    const status = results.map(r => r.response?.statusCode ?? r.error?.code);
    assert.deepEqual(status, [201, 409, 201, 404, 200, 204]); // [bulk] failures do not undo the other operations
    const { resources } = await items.items.query({
      query: "SELECT VALUE c.id FROM c WHERE c.pk = 'bulk'"
    }).fetchAll();
    assert.deepEqual(resources.sort(), ["k1", "k2"]);
  });
});

describe("queries", () => {
  before(async () => {
    // ranks with ties and nulls, ids that sort differently from insertion order
    const ranks = [5, 1, null, 3, 3, 8, null, 1, 2, 13, 21, 3, 0, 34, 5, 8, 2, null, 1, 55, 89, 4, 3];
    for (const [i, rank] of ranks.entries()) {
      await sorted.items.create({ id: `s${String((i * 7) % ranks.length).padStart(2, "0")}`, rank, kind: i % 2 ? "odd" : "even" });
    }
  });

  test("maxItemCount pages with continuation tokens until every item came exactly once", async () => {
    const { result: all, made } = await exchangesOf(() => pages(sorted, "SELECT * FROM c", { maxItemCount: 5 }));

    assert.deepEqual(all.map(p => p.items.length), [5, 5, 5, 5, 3]); // [paging] at most maxItemCount per page
    assert.deepEqual(all.map(p => Boolean(p.continuation)), [true, true, true, true, false]);
    const ids = all.flatMap(p => p.items.map(i => i.id));
    assert.equal(new Set(ids).size, 23);
    // [headers] x-ms-continuation is returned when there are more results; x-ms-item-count counts each page's items
    const queries = made.filter(e => e.requestHeaders["x-ms-documentdb-isquery"] && e.status === 200);
    assert.deepEqual(queries.map(e => Boolean(e.headers["x-ms-continuation"])), [true, true, true, true, false]);
    assert.deepEqual(queries.map(e => Number(e.headers["x-ms-item-count"])), [5, 5, 5, 5, 3]);
  });

  test("a continuation token resumes the query where it stopped, in a new iterator", async () => {
    const query = "SELECT * FROM c ORDER BY c.rank ASC, c.id ASC";
    const first = await sorted.items.query(query, { maxItemCount: 10 }).fetchNext();
    const rest = await sorted.items.query(query, { maxItemCount: 100, continuationToken: first.continuationToken })
      .fetchNext();
    const whole = await sorted.items.query(query).fetchAll();

    assert.deepEqual([...first.resources, ...rest.resources].map(i => i.id), whole.resources.map(i => i.id));
  });

  test("ORDER BY sorts both ways with null lowest and the second key breaking ties, across pages", async () => {
    const { resources: all } = await sorted.items.query("SELECT * FROM c").fetchAll();
    // [orderby] ASC from the lowest value; "null values are treated as the lowest possible values"
    const expected = [...all].sort((a, b) => (a.rank === b.rank ? 0 : a.rank === null ? -1 : b.rank === null ? 1
      : a.rank - b.rank) || (a.id < b.id ? -1 : 1)).map(i => i.id);

    const ascending = (await pages(sorted, "SELECT * FROM c ORDER BY c.rank ASC, c.id ASC", { maxItemCount: 4 }))
      .flatMap(p => p.items.map(i => i.id));
    const descending = (await pages(sorted, "SELECT * FROM c ORDER BY c.rank DESC, c.id DESC", { maxItemCount: 4 }))
      .flatMap(p => p.items.map(i => i.id));

    assert.deepEqual(ascending, expected);
    assert.deepEqual(descending, [...expected].reverse());
  });

  test("ORDER BY on two properties without a composite index answers 400", async () => {
    // [orderby] "In order to run a query with multiple ORDER BY properties, you should define a composite index"
    const refused = await rejection(sorted.items.query("SELECT * FROM c ORDER BY c.kind ASC, c.id ASC").fetchAll());
    assert.equal(refused.code, 400);
  });

  test("parameters filter; comparisons across types and with missing properties match nothing", async () => {
    const query = (sql, parameters = []) => sorted.items.query({ query: sql, parameters }).fetchAll()
      .then(r => r.resources.map(i => i.id).sort());

    const threes = await query("SELECT * FROM c WHERE c.rank = @r", [{ name: "@r", value: 3 }]);
    assert.equal(threes.length, 4);
    // [compare] equality across types (number vs string, null vs number) and with undefined yields undefined,
    // which a WHERE clause treats as not true; NOT undefined is undefined too
    assert.deepEqual(await query("SELECT * FROM c WHERE c.rank = '3'"), []);
    assert.deepEqual(await query("SELECT * FROM c WHERE c.missing = 1 OR c.missing != 1"), []);
    assert.equal((await query("SELECT * FROM c WHERE NOT (c.rank = 3)")).length, 23 - 4 - 3); // nulls left out
    assert.equal((await query("SELECT * FROM c WHERE c.rank != 3")).length, 23 - 4 - 3);
    assert.equal((await query("SELECT * FROM c WHERE IS_NULL(c.rank) OR c.rank > 5")).length, 3 + 7);
  });

  test("invalid SQL answers 400 BadRequest", async () => {
    const refused = await rejection(sorted.items.query("SELECT * FROM c WHERE").fetchAll());
    assert.equal(refused.code, 400); // [status] 400: the SQL in the request body is invalid
  });

  test("deeply nested conditions are answered at once", async () => {
    // sfcache's filters nest parentheses and calls; Cosmos parses such SQL in microseconds
    const condition = `${"NOT (".repeat(20)}IS_NULL(c.rank)${")".repeat(20)}`;
    const start = Date.now();
    const { resources } = await sorted.items.query(`SELECT VALUE COUNT(1) FROM c WHERE ${condition}`).fetchAll();
    assert.deepEqual(resources, [3]); // an even number of NOTs: the items whose rank is null
    assert.ok(Date.now() - start < 1000, `took ${Date.now() - start} ms`);
  });
});

describe("faults", { skip: !hasFaultSwitch && "no fault switch on a real account" }, () => {
  before(async () => {
    await items.items.upsert({ id: "f1", pk: "f", v: 1 });
  });
  after(() => setFault({ mode: "none" }));

  test("429: the SDK waits the x-ms-retry-after-ms it was given, retries and succeeds", async () => {
    await setFault({ mode: "throttle", count: 2, retryAfterMs: 250 });
    const start = Date.now();

    const { result: read, made } = await exchangesOf(() => items.item("f1", "f").read());

    assert.equal(read.statusCode, 200);
    assert.ok(Date.now() - start >= 500, "waited twice the retry-after");
    const throttled = made.filter(e => e.status === 429);
    assert.equal(throttled.length, 2);
    // [429] "Request rate is large": 429 with the time to wait in x-ms-retry-after-ms; [headers] x-ms-retry-after-ms
    assert.deepEqual(throttled.map(e => e.headers["x-ms-retry-after-ms"]), ["250", "250"]);
  });

  test("429 beyond the client's retries surfaces as 429 with the retry-after", async () => {
    const impatient = newClient({ retryOptions: { maxRetryAttemptCount: 0 } });
    try {
      await setFault({ mode: "throttle", retryAfterMs: 50 });
      const throttled = await rejection(impatient.database(database.id).container("items").item("f1", "f").read());

      assert.equal(throttled.code, 429);
      assert.equal(throttled.retryAfterInMs, 50);
    } finally {
      await setFault({ mode: "none" });
      impatient.dispose();
    }
  });

  test("503: reads and writes fail with 503 while the service is unavailable, then work again", async () => {
    await setFault({ mode: "unavailable" });
    const readFailure = await rejection(items.items.query("SELECT * FROM c WHERE c.pk = 'f'").fetchAll());
    const writeFailure = await rejection(items.items.upsert({ id: "f2", pk: "f" }));
    const { faulted } = await faultState();
    await setFault({ mode: "none" });

    // [503] "The service is unavailable": the client may retry; with one region there is nowhere else to go
    assert.equal(readFailure.code, 503);
    assert.equal(writeFailure.code, 503);
    assert.ok(faulted >= 2);
    assert.equal((await items.item("f2", "f").read()).statusCode, 404); // the failed write did not happen
    assert.equal((await items.item("f1", "f").read()).resource.v, 1);
  });
});

describe("what the stand-in leaves out", { skip: !hasFaultSwitch && "a real account has it all" }, () => {
  // Not Cosmos behaviour: the stand-in's gaps must fail at once with a status that says so, never hang.
  test("SQL its engine lacks answers 400 naming what it lacks", async () => {
    for (const sql of ["SELECT DISTINCT VALUE c.n FROM c", "SELECT c.pk, COUNT(1) AS n FROM c GROUP BY c.pk",
      "SELECT * FROM c OFFSET 1 LIMIT 2"]) {
      const refused = await rejection(items.items.query(sql).fetchAll());
      assert.equal(refused.code, 400, sql);
      assert.match(refused.message, /stand-in's SQL engine cannot run this query/, sql);
    }
  });

  test("resources it has no handler for answer 501", async () => {
    const refused = await rejection(items.scripts.storedProcedures.create({ id: "sp", body: "function () {}" }));
    assert.equal(refused.code, 501);
    assert.match(refused.message, /does not implement POST .*\/sprocs/);
  });
});
