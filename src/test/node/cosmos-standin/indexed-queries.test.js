// indexed-queries.js: a query answered from the sorted index returns what the package's full scan returns, to the
// byte (rows, their order, the continuation token), page after page and across writes, over documents whose ORDER BY
// values are of every type or missing; and it reads only the documents the page needs. Run with `node --test` here
// (CosmosStandinNodeTest does, in ./mvnw verify).
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { test } = require("node:test");

// As server.js loads the package: memoised parser, linear queries, helpers with the comparator exported.
require("./memoised-parser").install();
require("./linear-queries").install();
const indexed = require("./indexed-queries");

indexed.exposeHelpers();
const lib = path.dirname(require.resolve("@vercel/cosmosdb-server"));
const Account = require(path.join(lib, "account")).default;
const Documents = require(path.join(lib, "account/documents")).default;

indexed.maintainIndexes(Documents);

// Composite indexes for every multi-path ORDER BY below, both directions (the package refuses such a query without).
const COMPOSITES = [["/fields/Name", "/id"], ["/n", "/id"], ["/fields/Name", "/n", "/id"], ["/n", "/fields/Name"]]
  .flatMap(paths => ["ascending", "descending"].map(order => paths.map(p => ({ path: p, order }))));

function container(id, partitionKey = "/id") {
  const account = new Account("localhost", 1);
  account.databases.create({ id: "db" });
  account.database("db").collections.create({
    id, partitionKey: { paths: [partitionKey] }, indexingPolicy: { compositeIndexes: COMPOSITES }
  });
  return account.database("db").collection(id);
}

// Values of every type, including ties and the same value as a number and as a string, or no value at all.
const NAMES = ["b", "a", "B", "", "a", 3, "3", -1, 0, 2.5, true, false, null, undefined, "é", "Z"];
const INDUSTRIES = ["Retail", "Energy", null, undefined, 7, "retail"];

function docOf(i) {
  const doc = { id: `id${String((i * 37) % 1000).padStart(4, "0")}-${i}`, n: i % 5 === 0 ? undefined : i % 4, pk: `p${i % 3}` };
  const name = NAMES[i % NAMES.length];
  const industry = INDUSTRIES[(i * 7) % INDUSTRIES.length];
  doc.fields = {};
  if (name !== undefined) doc.fields.Name = name;
  if (industry !== undefined) doc.fields.Industry = industry;
  if (i % 6 !== 5) doc.isDeleted = i % 9 === 0;
  if (i % 11 === 10) delete doc.fields; // no fields at all
  return doc;
}

function filled(id, count, partitionKey) {
  const coll = container(id, partitionKey);
  for (let i = 0; i < count; i += 1) coll.documents.create(docOf(i));
  return coll;
}

const allDocuments = coll => [...coll.documents._data.values()].map(item => item.read()); // eslint-disable-line no-underscore-dangle

const WHERES = [
  "",
  "WHERE c.isDeleted = false",
  'WHERE NOT (IS_DEFINED(c.fields["Industry"]) AND c.fields["Industry"] = @p0) AND c.isDeleted = false',
  "WHERE c.fields.Industry != @p0",
  "WHERE c.n >= 2 OR IS_NULL(c.fields.Name)",
  'WHERE (c.fields["Name"] > @p1 OR (c.fields["Name"] = @p1 AND c.id > @p2) OR IS_NULL(c.fields["Name"]))',
  "WHERE STARTSWITH(c.id, 'id00')",
  "WHERE false"
];
const ORDERS = [
  "ORDER BY c.fields.Name ASC, c.id ASC",
  'ORDER BY c.fields["Name"] DESC, c.id DESC',
  "ORDER BY c.id",
  "ORDER BY c.id DESC",
  "ORDER BY c.fields.Name", // one path: documents without a Name are left out
  "ORDER BY c.fields.Name DESC",
  "ORDER BY c.n ASC, c.id ASC",
  "ORDER BY c.n DESC, c.id DESC",
  "ORDER BY c.fields.Name ASC, c.n ASC, c.id ASC",
  "ORDER BY c.n DESC, c.fields.Name DESC",
  "" // no ORDER BY: by _rid
];
const PARAMETERS = [{ name: "@p0", value: "Retail" }, { name: "@p1", value: "a" }, { name: "@p2", value: "id0500" }];

const options = (maxItemCount, continuation) => ({
  parameters: PARAMETERS, maxItemCount, continuation, compositeIndexes: COMPOSITES, udf: {}
});

/** Every page of `sql` by both paths, compared as JSON; `between` runs after each page (writes). Returns the pages. */
function comparePages(coll, sql, maxItemCount, { between = () => {}, inScope = null } = {}) {
  const query = coll.documents._getQuery(sql);
  const pages = [];
  const tokens = new Set();
  let continuation;
  for (let page = 0; page < 10_000; page += 1) {
    const scope = inScope || (() => true);
    const full = query.exec(allDocuments(coll).filter(scope), options(maxItemCount, continuation));
    const fromIndex = indexed.run(coll.documents, query, options(maxItemCount, continuation), inScope);
    assert.notEqual(fromIndex, null, `${sql}: the index did not answer`);
    assert.equal(JSON.stringify(fromIndex), JSON.stringify(full), `${sql}, page ${page} of ${maxItemCount}`);
    pages.push(full);
    if (!full.continuation) return pages;
    // The package writes an undefined sort value into a continuation token as null (JSON), so where a page ends
    // on a document without a value at a DESC path, the next page starts again at the nulls before it and paging
    // goes round in circles (ascending, it skips the rest of the undefined ones). The index answers the same.
    const position = full.continuation.token.replace(/#(RT|TRC):\d+/g, ""); // without the page and row counts
    if (tokens.has(position)) return pages;
    tokens.add(position);
    ({ continuation } = full);
    between(page);
  }
  throw new Error(`${sql}: no last page of ${maxItemCount} rows`);
}

test("every page of ORDER BY queries, filtered or not, is the package's own", () => {
  const coll = filled("mixed", 240);
  let compared = 0;
  for (const order of ORDERS) {
    for (const where of WHERES) {
      for (const size of [1, 7, 50, -1]) {
        comparePages(coll, `SELECT * FROM c ${where} ${order}`, size);
        compared += 1;
      }
    }
  }
  assert.equal(compared, ORDERS.length * WHERES.length * 4);
});

test("projections, another alias and TOP answer as the package's", () => {
  const coll = filled("projections", 120);
  for (const sql of [
    "SELECT c.id, c.fields.Name AS name FROM c WHERE c.isDeleted = false ORDER BY c.fields.Name ASC, c.id ASC",
    "SELECT VALUE r.fields FROM root r WHERE r.n > 0 ORDER BY r.n DESC, r.id DESC",
    "SELECT TOP 13 * FROM c WHERE c.isDeleted = false ORDER BY c.fields.Name DESC, c.id DESC",
    "SELECT TOP @top c.id FROM c ORDER BY c.id"
  ]) {
    for (const size of [1, 5, -1]) {
      const query = sql.includes("TOP") ? coll.documents._getQuery(sql) : null;
      if (!query) {
        comparePages(coll, sql, size);
        continue;
      }
      // TOP: the first page from the index; later pages fall back (TOP counts from the first row)
      const params = [...PARAMETERS, { name: "@top", value: 9 }];
      const opts = { ...options(size), parameters: params };
      const full = query.exec(allDocuments(coll), opts);
      assert.equal(JSON.stringify(indexed.run(coll.documents, query, opts)), JSON.stringify(full), sql);
      if (full.continuation) {
        assert.equal(indexed.run(coll.documents, query, { ...opts, continuation: full.continuation }), null);
      }
    }
  }
});

test("writes between pages: the indexes follow creates, replaces, upserts, patches and deletes", () => {
  const coll = filled("writes", 150);
  const docs = coll.documents;
  let next = 1000;
  const write = page => {
    const existing = allDocuments(coll);
    const pick = k => existing[(page * 31 + k * 17) % existing.length];
    docs.create(docOf(next));
    next += 1;
    const replaced = pick(1);
    docs.replace({ ...replaced, fields: { ...(replaced.fields || {}), Name: NAMES[(page + 3) % NAMES.length] } }, replaced);
    const upserted = pick(2);
    docs.upsert({ ...upserted, n: page % 3 === 0 ? undefined : page });
    docs.upsert(docOf(next)); // a new one
    next += 1;
    docs.delete(pick(3).id, pick(3).id);
  };
  for (const sql of [
    "SELECT * FROM c WHERE c.isDeleted = false ORDER BY c.fields.Name ASC, c.id ASC",
    "SELECT * FROM c ORDER BY c.n DESC, c.id DESC",
    "SELECT * FROM c WHERE c.n != 1 ORDER BY c.fields.Name",
    "SELECT * FROM c"
  ]) {
    comparePages(coll, sql, 6, { between: write });
  }
});

test("a patch (the package replaces the document) moves it in the index", () => {
  const coll = filled("patches", 60);
  const sql = "SELECT * FROM c ORDER BY c.fields.Name ASC, c.id ASC";
  comparePages(coll, sql, 10);
  const { patchOperation } = require(path.join(lib, "handler/_patch-operations"));
  for (const doc of allDocuments(coll).slice(0, 20)) {
    patchOperation(coll, { id: doc.id, partitionKey: JSON.stringify([doc.id]), operations: [{ op: "set", path: "/fields/Name", value: `patched ${doc.id}` }] });
  }
  comparePages(coll, sql, 10);
  assert.ok(allDocuments(coll).some(d => String((d.fields || {}).Name).startsWith("patched")));
});

test("a query scoped to a partition reads only its documents", () => {
  const coll = filled("partitioned", 200, "/pk");
  const inScope = doc => doc.pk === "p1";
  comparePages(coll, "SELECT * FROM c WHERE c.isDeleted = false ORDER BY c.n ASC, c.id ASC", 4, { inScope });
  comparePages(coll, "SELECT * FROM c ORDER BY c.fields.Name DESC", -1, { inScope });
});

test("arrays or objects at an ORDER BY path: the full scan answers, and the index again once they are gone", () => {
  const coll = filled("non-scalar", 50);
  const sql = "SELECT * FROM c ORDER BY c.fields.Name ASC, c.id ASC";
  comparePages(coll, sql, 7);
  const odd = coll.documents.create({ id: "odd", fields: { Name: ["an", "array"] } });
  const query = coll.documents._getQuery(sql);
  assert.equal(indexed.run(coll.documents, query, options(7)), null);
  coll.documents.replace({ id: "odd", fields: { Name: { an: "object" } } }, odd);
  assert.equal(indexed.run(coll.documents, query, options(7)), null);
  coll.documents.delete("odd", "odd");
  comparePages(coll, sql, 7);
});

test("an atomic batch that failed puts the old documents back: the index is rebuilt from them", () => {
  const coll = filled("rollback", 80);
  const sql = "SELECT * FROM c ORDER BY c.fields.Name DESC, c.id DESC";
  comparePages(coll, sql, 9);
  const docs = coll.documents;
  const before = { data: new Map(docs._data), index: new Map(docs._index), ridCount: docs._ridCount }; // eslint-disable-line no-underscore-dangle
  docs.create(docOf(500));
  docs.delete(allDocuments(coll)[3].id, allDocuments(coll)[3].id);
  // as server.js's batch() rolls back
  docs._data = before.data; // eslint-disable-line no-underscore-dangle
  docs._index = before.index; // eslint-disable-line no-underscore-dangle
  docs._ridCount = before.ridCount; // eslint-disable-line no-underscore-dangle
  comparePages(coll, sql, 9);
});

test("what the index does not answer falls back: aggregates, JOIN, subqueries, foreign continuation tokens", () => {
  const coll = filled("fallback", 40);
  for (const sql of [
    "SELECT VALUE COUNT(1) FROM c WHERE c.isDeleted = false",
    "SELECT c.id FROM c JOIN t IN c.tags ORDER BY c.id",
    "SELECT * FROM c WHERE EXISTS(SELECT VALUE t FROM t IN c.tags) ORDER BY c.id",
    "SELECT * FROM c IN c.children"
  ]) {
    assert.equal(indexed.run(coll.documents, coll.documents._getQuery(sql), options(5)), null, sql);
  }
  const query = coll.documents._getQuery("SELECT * FROM c ORDER BY c.fields.Name ASC, c.id ASC");
  assert.equal(indexed.run(coll.documents, query, options(5, { token: "not a token" })), null);
  // a token without sort values (as for a query without ORDER BY): only the package knows what it makes of it
  const withoutValues = indexed.run(coll.documents, coll.documents._getQuery("SELECT * FROM c"), options(5)).continuation;
  assert.equal(indexed.run(coll.documents, query, options(5, withoutValues)), null);
  // ORDER BY several paths without their composite index: the package's error, from the full scan
  const unindexed = coll.documents._getQuery("SELECT * FROM c ORDER BY c.id ASC, c.n ASC");
  assert.equal(indexed.run(coll.documents, unindexed, options(5)), null);
  assert.throws(() => unindexed.exec(allDocuments(coll), options(5)), /corresponding composite index/);
});

test("a page of 50 over 10,000 documents reads about 50 of them, not 10,000", () => {
  const coll = container("large");
  const industries = ["Retail", "Energy", "Banking", "Tech", null];
  for (let i = 0; i < 10_000; i += 1) {
    coll.documents.create({
      id: `001${String(i).padStart(12, "0")}`,
      isDeleted: false,
      fields: { Name: `Account ${(i * 7919) % 10_000}`, Industry: industries[i % 5] }
    });
  }
  const sql = 'SELECT * FROM c WHERE NOT (IS_DEFINED(c.fields["Industry"]) AND c.fields["Industry"] = @p0) '
    + 'AND c.isDeleted = false ORDER BY c.fields["Name"] ASC, c.id ASC';
  const query = coll.documents._getQuery(sql);
  let read = 0;
  const counting = () => {
    read += 1;
    return true;
  };
  const first = indexed.run(coll.documents, query, options(51), counting);
  assert.equal(first.result.length, 51);
  assert.ok(read < 70, `the first page read ${read} documents`);
  read = 0;
  const second = indexed.run(coll.documents, query, options(51, first.continuation), counting);
  assert.ok(read < 70, `the next page read ${read} documents`);
  assert.equal(JSON.stringify(second), JSON.stringify(query.exec(allDocuments(coll), options(51, first.continuation))));
});
