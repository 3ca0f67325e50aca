// Query execution in time linear in the container's size.
//
// Why: @zeit/cosmosdb-query compiles the FROM clause (and each JOIN) into reducers that copy their accumulator for
// every item: items.reduce(($, c) => [...$, { c }], []). That is quadratic: a COUNT over 1,500 items took ~10 ms,
// over 15,000 more than a second, where Cosmos serves such queries from its index. sfcache's benchmarks fill
// containers with tens of thousands of records.
//
// How: the package turns the SQL into a JavaScript syntax tree (transformer.js) and prints it; we rewrite that tree
// before it is printed, turning each [...$, x] (and [...$, ...xs]) into ($.push(x), $). The accumulator $ is a new
// array made for that reduce alone, so appending to it gives the same result. query-speed.test.js compares the
// answers with the package's own code. Depends on @zeit/cosmosdb-query's transformer output, pinned with the server.
"use strict";

const path = require("path");

const library = () => path.dirname(require.resolve("@zeit/cosmosdb-query",
  { paths: [path.dirname(require.resolve("@vercel/cosmosdb-server"))] }));

const isAccumulatorSpread = node => node && node.type === "ArrayExpression" && node.elements.length > 0
  && node.elements[0] && node.elements[0].type === "SpreadElement"
  && node.elements[0].argument.type === "Identifier" && node.elements[0].argument.name === "$";

const identifier = name => ({ type: "Identifier", name });

/** The same tree with every [...$, rest] replaced by ($.push(rest), $). Returns how many it replaced. */
function linearise(tree) {
  let replaced = 0;
  const visit = node => {
    if (!node || typeof node !== "object") return node;
    if (Array.isArray(node)) return node.map(visit);
    const copy = {};
    for (const [key, value] of Object.entries(node)) copy[key] = visit(value);
    if (!isAccumulatorSpread(copy)) return copy;
    replaced += 1;
    return {
      type: "SequenceExpression",
      expressions: [
        {
          type: "CallExpression",
          callee: { type: "MemberExpression", object: identifier("$"), property: identifier("push"), computed: false },
          arguments: copy.elements.slice(1)
        },
        identifier("$")
      ]
    };
  };
  const result = visit(tree);
  return { tree: result, replaced };
}

/** Makes the package's query compiler emit the linear form; call before the first query runs. */
function install() {
  const transformer = require(path.join(library(), "transformer"));
  const original = transformer.default;
  transformer.default = (...args) => linearise(original(...args)).tree;
  return original;
}

module.exports = { linearise, install, library };
