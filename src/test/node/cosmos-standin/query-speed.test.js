// linear-queries.js: the rewritten query code answers as the package's own does, in time linear in the items.
// Run with `node --test` here (CosmosStandinNodeTest does, in ./mvnw verify).
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { test } = require("node:test");
const { linearise, library } = require("./linear-queries");

const lib = library();
const { parse } = require(path.join(lib, "parser"));
const transform = require(path.join(lib, "transformer")).default;
const generate = require("@babel/generator").default; // the package's own dependency, as it prints its code
const execute = require(path.join(lib, "executor")).default;

const run = (sql, items, rewrite, options = {}) => {
  const tree = transform(parse(sql));
  const { code } = generate(rewrite ? linearise(tree).tree : tree);
  return execute(items, { code, ...options });
};

const items = n => Array.from({ length: n }, (_, i) => ({
  id: `id${String(i).padStart(6, "0")}`, _rid: `r${i}`, n: i % 7, name: i % 5 ? `n${i % 11}` : null,
  tags: i % 3 ? ["a", "b", `t${i % 4}`] : [], children: i % 4 ? [{ age: i % 9 }, { age: 3 }] : undefined
}));

test("the rewritten code answers as the package's own", () => {
  const data = items(300);
  const queries = [
    "SELECT * FROM c WHERE c.n = 3 ORDER BY c.id DESC",
    "SELECT VALUE COUNT(1) FROM c WHERE NOT (c.name = 'n1')",
    "SELECT c.id, t FROM c JOIN t IN c.tags WHERE t != 'a'",
    "SELECT VALUE ch.age FROM c JOIN ch IN c.children WHERE ch.age > 2",
    "SELECT * FROM c IN c.children",
    "SELECT TOP 5 r.id FROM root r WHERE IS_NULL(r.name) OR r.n > 4"
  ];
  for (const sql of queries) {
    assert.deepEqual(run(sql, data, true), run(sql, data, false), sql);
  }
  assert.ok(linearise(transform(parse("SELECT c.id FROM c JOIN t IN c.tags"))).replaced >= 2);
});

test("a query over 15,000 items takes milliseconds, not seconds", () => {
  const data = items(15_000);
  run("SELECT VALUE COUNT(1) FROM c WHERE c.n = 1", data, true); // warm up
  const start = process.hrtime.bigint();
  const { result } = run("SELECT VALUE COUNT(1) FROM c WHERE c.n = 1", data, true);
  const millis = Number(process.hrtime.bigint() - start) / 1e6;
  assert.deepEqual(result, [2143]);
  assert.ok(millis < 300, `took ${millis} ms`); // the package's own code: over a second
});
