// Queries with ORDER BY answered from sorted indexes, reading only as many documents as the page needs.
//
// Why: the package's compiled query filters every document of the container, sorts all that match and only then
// cuts out the page (and, for a continuation, looks for where the last page ended in that sorted list). On 10,000
// documents that took 15-70 ms per request, so sfcache's GraphQL page (a filter, a sort, 50 rows, read as a query
// plus one or two page requests) took 700 ms, where Cosmos serves it from its index. Cosmos indexes every property
// of every item by default, with range indexes (https://learn.microsoft.com/azure/cosmos-db/index-overview,
// https://learn.microsoft.com/azure/cosmos-db/index-policy); ORDER BY "requires that the indexing policy include an
// index for the fields being sorted", and a composite index for several of them
// (https://learn.microsoft.com/azure/cosmos-db/nosql/query/order-by): a sorted query reads the index in order and
// stops when the page is full, whatever the container holds.
// This module does the same: per container and per ORDER BY (paths and directions), an array of the documents in
// the order the package's own sort gives them, kept up to date on every write; a query walks it from the position
// after its continuation token, evaluates the WHERE clause on each document it passes and stops one row after the
// page, which is what it needs to write the next continuation token.
//
// The answer is the package's, to the byte: the query runs the package's own compiled code, over a lazy stand-in for
// the document array. Its FROM reducer, WHERE filter, TOP slice and SELECT projection are called on each document
// as the walk reaches it; only helpers.sort and helpers.paginate, the two steps that need the whole array, are
// replaced here, by the index (which holds the documents in the order sort would give them, with sort's own
// comparator: Cosmos's order of types, undefined < null < booleans < numbers < strings, then _rid) and by a
// paginate that writes the same continuation token. The indexed path is only taken where that gives the same answer
// (planOf and sortRows say when); anything else (aggregates, JOIN, subqueries, a container holding arrays or
// objects at an ORDER BY path, whose order the package's comparator does not define) runs as before, over every
// document, and so does COUNT (it has to read every match anyway). indexed-queries.test.js compares the two paths on
// mixed-type documents, page by page, through writes.
//
// Depends on @zeit/cosmosdb-query 0.7.2's generated code and helpers (pinned with @vercel/cosmosdb-server 1.0.1).
"use strict";

const fs = require("fs");
const Module = require("module");
const path = require("path");
const { library } = require("./linear-queries");

// ---- The package's comparator and path reader, which its helpers.js keeps private. The index must order documents
// exactly as helpers.sort does, so it uses those very functions rather than a copy: helpers.js is loaded with two
// more exports (in memory, as memoised-parser.js loads the parser; nothing in node_modules changes).
const EXPORTED = "\nexports.comparator = comparator;\nexports.getValue = getValue;\n";

function helpersPath() {
  return path.join(library(), "helpers.js");
}

/** Puts helpers.js with `comparator` and `getValue` exported in Node's module cache. Call before the package loads. */
function exposeHelpers() {
  const file = helpersPath();
  if (require.cache[file]) {
    if (typeof require.cache[file].exports.comparator === "function") return file;
    throw new Error(`${file} was loaded before its comparator could be exported`);
  }
  const source = fs.readFileSync(file, "utf8");
  if (!/^const comparator = \(a, b\) => \{$/m.test(source) || !/^const getValue = \(doc, \[key, \.\.\.keys\]\) => \{$/m.test(source)) {
    throw new Error(`${file} is not @zeit/cosmosdb-query 0.7.2's helpers: cannot export its comparator`);
  }
  const helpers = new Module(file, module);
  helpers.filename = file;
  helpers.paths = Module._nodeModulePaths(path.dirname(file)); // eslint-disable-line no-underscore-dangle
  helpers._compile(source + EXPORTED, file); // eslint-disable-line no-underscore-dangle
  helpers.loaded = true;
  require.cache[file] = helpers;
  return file;
}

// The package's modules the indexed path calls, loaded on first use (after exposeHelpers).
let modules = null;
function packageModules() {
  if (!modules) {
    const lib = library();
    modules = {
      helpers: require(helpersPath()),
      aggregates: require(path.join(lib, "aggregate-functions")),
      builtins: require(path.join(lib, "builtin-functions")),
      tokens: require(path.join(lib, "continuation-token"))
    };
  }
  return modules;
}
const helpers = () => packageModules().helpers;

// ---- Sorted indexes.

/** A value the package's comparator orders consistently with every other (objects compare "equal", arrays as text). */
const isScalar = v => v === null || typeof v !== "object";

/**
 * The documents of a container in the order of one ORDER BY: `orders` are [[path keys without the FROM alias], desc]
 * and ties go by _rid ascending, as helpers.sort orders them. With scalar values at every path and unique _rids that
 * order is total, so a document's position is found by binary search and any sort gives the same array.
 */
class SortedIndex {
  constructor(orders, docs) {
    this.orders = orders;
    const { comparator } = helpers();
    this.compare = (a, b) => {
      for (let i = 0; i < orders.length; i += 1) {
        const r = comparator(a.values[i], b.values[i]);
        if (r !== 0) return orders[i][1] ? -r : r;
      }
      return comparator(a.rid, b.rid);
    };
    this.nonScalar = 0; // entries with an array or object at some path: while any, the index is not used
    this.byRid = new Map();
    this.entries = docs.map(doc => this.entryOf(doc));
    this.sorted = false;
  }

  entryOf(doc) {
    const { getValue } = helpers();
    const values = this.orders.map(([keys]) => (keys.length ? getValue(doc, keys) : doc));
    const entry = { doc, rid: doc._rid, values };
    if (!values.every(isScalar)) this.nonScalar += 1;
    this.byRid.set(entry.rid, entry);
    return entry;
  }

  /** Sorted (once, when first needed) and usable: while any value is not scalar it is not (run the full scan). */
  usable() {
    if (this.nonScalar > 0) return false;
    if (!this.sorted) {
      this.entries.sort(this.compare);
      this.sorted = true;
    }
    return true;
  }

  /** The first position whose entry is not before the place sought (`isBefore` is true up to it, false after). */
  lowerBound(isBefore) {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1; // eslint-disable-line no-bitwise
      if (isBefore(this.entries[mid])) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(doc) {
    const entry = this.entryOf(doc);
    if (!this.sorted || this.nonScalar > 0) {
      // no order to keep: sorted again before its next use
      this.entries.push(entry);
      this.sorted = false;
      return;
    }
    this.entries.splice(this.lowerBound(e => this.compare(e, entry) < 0), 0, entry);
  }

  remove(rid) {
    const entry = this.byRid.get(rid);
    if (!entry) return;
    this.byRid.delete(rid);
    if (!entry.values.every(isScalar)) this.nonScalar -= 1;
    let at = this.sorted && this.nonScalar === 0 ? this.lowerBound(e => this.compare(e, entry) < 0) : -1;
    if (this.entries[at] !== entry) at = this.entries.indexOf(entry);
    if (at >= 0) this.entries.splice(at, 1);
  }
}

/** The indexes of one container, made when an ORDER BY first asks for them, kept up to date by every write. */
class ContainerIndexes {
  constructor(documents) {
    this.documents = documents;
    this.data = documents._data; // eslint-disable-line no-underscore-dangle
    this.byOrders = new Map();
  }

  /** Still the container's documents (an atomic batch that failed puts back a copy of the map it had before). */
  current() {
    const { _data: data } = this.documents;
    if (data !== this.data) return false;
    for (const index of this.byOrders.values()) if (index.byRid.size !== data.size) return false;
    return true;
  }

  index(orders) {
    const key = JSON.stringify(orders);
    let index = this.byOrders.get(key);
    if (!index) {
      const docs = [...this.documents._data.values()].map(item => item.read()); // eslint-disable-line no-underscore-dangle
      index = new SortedIndex(orders, docs);
      this.byOrders.set(key, index);
    }
    return index;
  }

  add(doc) {
    this.byOrders.forEach(index => index.add(doc));
  }

  remove(rid) {
    this.byOrders.forEach(index => index.remove(rid));
  }
}

const containers = new WeakMap(); // Documents -> ContainerIndexes

function indexesOf(documents) {
  let indexes = containers.get(documents);
  if (!indexes || !indexes.current()) {
    indexes = new ContainerIndexes(documents);
    containers.set(documents, indexes);
  }
  return indexes;
}

/**
 * Keeps every container's indexes up to date: the package stores a document through Documents#_set (create,
 * replace, upsert, patch: replace deletes the old version first) and removes it through Documents#delete.
 */
function maintainIndexes(Documents) {
  const { _set: set, delete: remove } = Documents.prototype; // eslint-disable-line no-underscore-dangle
  Documents.prototype._set = function setIndexed(data) { // eslint-disable-line no-underscore-dangle
    const previous = this._data.get(data._rid); // eslint-disable-line no-underscore-dangle
    const stored = set.call(this, data);
    const indexes = containers.get(this);
    if (indexes) {
      if (previous) indexes.remove(data._rid); // eslint-disable-line no-underscore-dangle
      indexes.add(data);
    }
    return stored;
  };
  Documents.prototype.delete = function deleteIndexed(idOrRid, partition) {
    const doc = this._item("/id", idOrRid, partition).read(); // eslint-disable-line no-underscore-dangle
    const result = remove.call(this, idOrRid, partition);
    const indexes = containers.get(this);
    if (indexes && doc) indexes.remove(doc._rid); // eslint-disable-line no-underscore-dangle
    return result;
  };
}

// ---- Which queries the index answers.

/** Thrown inside an indexed run when the index cannot answer as the package would: the full scan runs instead. */
class NotIndexable extends Error {}

const hasSubquery = node => {
  if (!node || typeof node !== "object") return false;
  if (typeof node.type === "string" && node.type.includes("subquery")) return true;
  return Object.values(node).some(hasSubquery);
};

// The package's code for a query with FROM and no aggregate returns paginate(...) over the rows; anything else
// (SELECT VALUE COUNT(1), a query without FROM) builds its result some other way.
const PAGINATES = /^\([^)]*\) => \{\n {2}return \$h\.paginate\(/;

const plans = new WeakMap(); // the package's Query object -> plan, or null

/**
 * What the package's compiled code does for this query, when the index can answer it: SELECT [TOP n] <anything but
 * an aggregate> FROM <container> [alias] [WHERE <no subquery>] [ORDER BY <paths>] (no ORDER BY: ordered by _rid, as
 * the package orders them). One row per document, so a row's _rid is unique, which the continuation relies on.
 */
function planOf(query) {
  if (plans.has(query)) return plans.get(query);
  const body = query.ast && query.ast.body;
  const from = body && body.from;
  const simple = body && body.type === "select_query" && from && (from.joins || []).length === 0
    && !from.source.iteration && from.source.expression.type === "collection_expression"
    && from.source.expression.expression.type === "identifier" && !hasSubquery(body) && PAGINATES.test(query.code);
  // new Function once per query, not once per request as the package's executor does
  const plan = simple ? { top: Boolean(body.top), execute: new Function(`"use strict";return (${query.code})`)() } // eslint-disable-line no-new-func
    : null;
  plans.set(query, plan);
  return plan;
}

// ---- The lazy document array the compiled code runs over.

const END = Symbol("end of rows");

/** Rows pulled one at a time; the compiled code's reduce/filter/slice/map on it are applied as rows are pulled. */
class Rows {
  constructor(run, pull) {
    this.run = run;
    this.pull = pull;
  }

  filter(keep) {
    const { pull } = this;
    return new Rows(this.run, () => {
      for (;;) {
        const row = pull();
        if (row === END || keep(row)) return row;
      }
    });
  }

  map(to) {
    const { pull } = this;
    return new Rows(this.run, () => {
      const row = pull();
      return row === END ? END : to(row);
    });
  }

  // TOP n; Array.prototype.slice(0, n) semantics for the values TOP can give
  slice(start, end) {
    const { pull } = this;
    let left = end === undefined ? Infinity : Math.trunc(Number(end)) || 0;
    if (start !== 0 || left < 0) throw new NotIndexable("slice");
    return new Rows(this.run, () => {
      if (left <= 0) return END;
      left -= 1;
      return pull();
    });
  }

  // FROM and JOIN reducers append the rows of one item to their accumulator ($.push(...), $): one item at a time,
  // reduce(f, []) is the concatenation of f([], item) over the items.
  reduce(reducer, initial) {
    if (!Array.isArray(initial) || initial.length !== 0) throw new NotIndexable("reduce");
    const { pull } = this;
    let buffered = [];
    let next = 0;
    return new Rows(this.run, () => {
      while (next === buffered.length) {
        const item = pull();
        if (item === END) return END;
        buffered = reducer([], item);
        next = 0;
      }
      const row = buffered[next];
      next += 1;
      return row;
    });
  }
}

/** $c: the container's documents in the order of the index sortRows picks, from the continuation's position. */
function documentsOf(run) {
  let used = false;
  const source = new Rows(run, () => {
    if (!run.walk) throw new NotIndexable("rows read before ORDER BY chose an index");
    const { entries, skipUndefined, inScope } = run.walk;
    while (run.walk.at < entries.length) {
      const entry = entries[run.walk.at];
      run.walk.at += 1;
      if (!(skipUndefined && entry.values[0] === undefined) && (!inScope || inScope(entry.doc))) return entry.doc;
    }
    return END;
  });
  // the top-level FROM reads the array once; a second reader (a subquery over the container) is not expected
  const reduce = source.reduce.bind(source);
  source.reduce = (...args) => {
    if (used) throw new NotIndexable("the container read twice");
    used = true;
    return reduce(...args);
  };
  return source;
}

/**
 * helpers.sort, for the rows of an indexed run: picks the index of these ORDER BY paths and the position to start
 * from. The package's sort throws when a multi-path ORDER BY has no composite index: the same check runs first, on no
 * rows. With one ORDER BY path it leaves out documents without a value there; with several it keeps them.
 */
function sortRows(rows, getRid, compositeIndexes, ...orders) {
  const h = helpers();
  if (!(rows instanceof Rows)) return h.sort(rows, getRid, compositeIndexes, ...orders);
  h.sort([], getRid, compositeIndexes, ...orders);
  const { run } = rows;
  const index = indexesOf(run.documents).index(orders.map(([keys, desc]) => [keys.slice(1), desc]));
  if (!index.usable()) throw new NotIndexable("arrays or objects at an ORDER BY path");
  let at = 0;
  const { token } = run;
  if (token) {
    // paginate's look-up of the token's position, as a binary search: the first row not before (RTD..., RID) in
    // the index's order (its rows are the index's documents that pass the filter, in the same order)
    if (orders.length && typeof token.RTD === "undefined") throw new NotIndexable("continuation without values");
    if (token.SRC) throw new NotIndexable("continuation inside a document's rows");
    const { comparator } = h;
    at = index.lowerBound(entry => {
      for (let i = 0; i < orders.length; i += 1) {
        const r = comparator(entry.values[i], token.RTD[i]) * (orders[i][1] ? -1 : 1);
        if (r < 0) return true;
        if (r > 0) return false;
      }
      return comparator(entry.rid, token.RID) < 0;
    });
  }
  run.walk = { entries: index.entries, at, skipUndefined: orders.length === 1, inScope: run.inScope }; // eslint-disable-line no-param-reassign
  return rows;
}

/** helpers.paginate, for the rows of an indexed run: reads one row past the page, for the next continuation token. */
function paginateRows(rows, maxItemCount, continuation, getRid, ...orders) {
  const h = helpers();
  if (!(rows instanceof Rows)) return h.paginate(rows, maxItemCount, continuation, getRid, ...orders);
  const { token } = rows.run;
  const wanted = maxItemCount > 0 ? maxItemCount + 1 : Infinity;
  let page = [];
  for (let row = rows.pull(); row !== END; row = page.length < wanted ? rows.pull() : END) page.push(row);
  let nextContinuation = null;
  if (maxItemCount > 0) {
    if (page.length > maxItemCount) {
      const [, item] = page[maxItemCount];
      const RID = getRid(item);
      if (!RID) throw new Error("The _rid field is required on items for the maxItemCount option.");
      const RT = (token ? token.RT : 0) + 1;
      const TRC = (token ? token.TRC : 0) + maxItemCount;
      const RTD = orders.length ? orders.map(([keys]) => h.getValue(item, keys)) : undefined;
      // SRC counts the rows of the next row's document already served: none, as each document is one row
      if (getRid(page[maxItemCount - 1][1]) === RID) throw new NotIndexable("two rows of one document");
      nextContinuation = {
        token: packageModules().tokens.encode({ RID, RT, SRC: 0, TRC, RTD }),
        range: { min: "", max: "FF" }
      };
    }
    page = page.slice(0, maxItemCount);
  }
  return { result: h.stripUndefined(page.map(([r]) => r)), continuation: nextContinuation };
}

/** How often the index answered, and why it did not (for tests and COSMOS_STANDIN_TRACE). */
const stats = { indexed: 0, notIndexable: 0, failed: 0 };

let indexedHelpers = null; // the package's helpers with sort and paginate taken over for Rows (and only for them)

/**
 * Runs `query` (the package's Query, from Documents#_getQuery) over the container's documents from the index, as
 * Query#exec would over all of them (`inScope`: the partition a request is scoped to, or null for all). Returns
 * what exec returns, or null where the index cannot answer: then run exec.
 */
function run(documents, query, { parameters, udf, maxItemCount, continuation, compositeIndexes } = {}, inScope = null) {
  const plan = planOf(query);
  if (!plan) {
    stats.notIndexable += 1;
    return null;
  }
  let token;
  if (continuation) {
    try {
      token = packageModules().tokens.decode(continuation.token);
    } catch (err) {
      stats.failed += 1;
      return null; // the package reports the token as it does
    }
    if (plan.top) {
      stats.notIndexable += 1;
      return null; // TOP counts from the first row, before the continuation's position
    }
  }
  if (!indexedHelpers) {
    const h = helpers();
    indexedHelpers = Object.create(h); // later replacements of h's exports (server.js's equal) still apply
    indexedHelpers.sort = sortRows;
    indexedHelpers.paginate = paginateRows;
  }
  const params = {};
  (parameters || []).forEach(({ name, value }) => {
    params[name.slice(1)] = value;
  });
  const state = { documents, token, inScope, walk: null };
  const { aggregates, builtins } = packageModules();
  try {
    const answer = plan.execute(aggregates, builtins, documentsOf(state), indexedHelpers, udf === undefined ? {} : udf,
      params, maxItemCount, continuation, compositeIndexes);
    stats.indexed += 1;
    return answer;
  } catch (err) {
    if (err instanceof NotIndexable) stats.notIndexable += 1;
    else stats.failed += 1;
    // NotIndexable, or an error of the query itself: the full scan then raises it, in the package's words. (A query
    // stopped at its deadline is not caught: V8 ends the script, no catch block runs.)
    return null;
  }
}

module.exports = { exposeHelpers, maintainIndexes, run, planOf, indexesOf, NotIndexable, stats };
