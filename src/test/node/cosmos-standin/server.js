#!/usr/bin/env node
// Local Cosmos DB stand-in for sfcache tests: @vercel/cosmosdb-server 1.0.1, started through its
// JS API (its CLI ships an expired certificate and cannot take ours), plus patches for the gaps the
// Java SDK (azure-cosmos 4.x, gateway mode) hits. Launched by io.sfcache.standin.cosmos.CosmosStandin.
//
//   node server.js --cert <pem> --key <pem> [--port <n, 0 = free port>] [--host 127.0.0.1]
//                  [--deadline-ms <n>] [--ignore-stdin]
// or the same through COSMOS_STANDIN_CERT / _KEY / _PORT / _HOST / _DEADLINE_MS. COSMOS_STANDIN_TRACE=1 logs
// every request (method, path, the headers that pick a behaviour, for a query query=index or query=scan: answered
// from a sorted index or over every document, status) to stderr. COSMOS_STANDIN_INDEXES=off runs
// every query over all documents instead of from the sorted indexes (indexed-queries.js), to compare the two.
//
// Every request is answered within a deadline (COSMOS_STANDIN_DEADLINE_MS, default 5000): past it the stand-in
// answers 408 RequestTimeout with a message saying so, instead of leaving the client waiting. SIGTERM ends the
// process at once, even in the middle of a request (there is nothing to save: data lives in memory only).
//
// Fault injection (not Cosmos API): GET /_standin/faults reads the state; POST it a JSON body
//   {"mode": "none" | "unavailable" | "throttle", "count": n?, "retryAfterMs": n?}
// to answer every Cosmos request (or only the next `count`) with 503, or 429 + x-ms-retry-after-ms.
//
// The patches hook the package's own module objects (its compiled code looks `exports.default` up
// at call time) and use its internals (documents._data, _index), so they depend on 1.0.1 exactly:
// package.json pins it.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const vm = require("vm");

// Before the package loads: its SQL parser with PEG.js's result cache, so that parse time no longer grows
// exponentially with nesting (see memoised-parser.js), and its compiled queries linear in the items they read
// (see linear-queries.js).
require("./memoised-parser").install();
require("./linear-queries").install();
// ... and its helpers with the comparator exported, for the sorted indexes that answer ORDER BY queries (see
// indexed-queries.js).
const indexedQueries = require("./indexed-queries");
indexedQueries.exposeHelpers();

const lib = "@vercel/cosmosdb-server/lib";
const { createHttpsServer } = require(lib);
const routes = require(`${lib}/routes`);
const json = require(`${lib}/json`).default;
const Documents = require(`${lib}/account/documents`).default;
const { parsePartitionKey } = require(`${lib}/utils/get-partition-from-header`);
const documentOperations = require(`${lib}/handler/_document-operations`);
const { patchOperation } = require(`${lib}/handler/_patch-operations`);
const readItems = require(`${lib}/handler/_read-items`).default;
const readDocument = require(`${lib}/handler/read-document`).default;
const readDocuments = require(`${lib}/handler/read-documents`).default;
const queryDocuments = require(`${lib}/handler/query-documents`).default;
const batchDocuments = require(`${lib}/handler/batch-documents`).default;

const PK = "x-ms-documentdb-partitionkey";

// COSMOS_STANDIN_INDEXES=off: every query evaluated over all documents, as the package does (to compare the two).
const useIndexes = process.env.COSMOS_STANDIN_INDEXES !== "off";

// ---- Equality as Cosmos defines it: between values of different types (null = "x", 3 = "3") the result is
// undefined, not false (https://learn.microsoft.com/azure/cosmos-db/nosql/query/equality-comparison-operators),
// so a WHERE clause leaves such an item out whether or not the comparison is negated. The package's query engine
// answered false, so NOT (c.x = "x") and c.x != "x" matched items whose x is null, which Cosmos never returns: a
// filter that worked here failed against Cosmos. Its generated code calls helpers.equal (and notEqual calls
// exports.equal) when a query runs, so replacing the export is enough.
const queryHelpers = require(path.join(require("./linear-queries").library(), "helpers"));
const packageEqual = queryHelpers.equal;
const jsonType = v => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
queryHelpers.equal = (a, b) => (jsonType(a) === jsonType(b) ? packageEqual(a, b) : undefined);

const options = parseOptions(process.argv.slice(2), process.env);

// ---- Change feed needs an order of writes: every create/replace/upsert/patch gets the next _lsn
// (real Cosmos keeps one per partition; one counter for the whole server is also increasing).
let lastLsn = 0;
const originalSet = Documents.prototype._set;
Documents.prototype._set = function setWithLsn(data) {
  lastLsn += 1;
  data._lsn = lastLsn; // eslint-disable-line no-param-reassign
  return originalSet.call(this, data);
};
// Every write updates the sorted indexes of the queries run so far.
indexedQueries.maintainIndexes(Documents);

const header = (req, name) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
const isTrue = (req, name) => String(header(req, name) || "").toLowerCase() === "true";
const fail = (res, statusCode, code, message) => {
  res.statusCode = statusCode; // eslint-disable-line no-param-reassign
  return { code, message };
};
const notFound = res => fail(res, 404, "NotFound", "Entity with the specified id does not exist in the system.");
const collectionOf = (account, params) => account.database(params.dbId).collection(params.collId);
const allDocuments = collection => [...collection.documents._data.values()].map(item => item.read());

// Which stored documents a partition key header selects. The SDK sends a JSON array: ["v"], or
// [{}] for PartitionKey.NONE (documents without the property). Nested paths (/a/b) are followed.
function inPartition(collection, pkHeader) {
  if (pkHeader === undefined) return () => true;
  const [value] = JSON.parse(pkHeader);
  const none = value !== null && typeof value === "object" && Object.keys(value).length === 0;
  const path = collection.documents._getPartitionKeyPath();
  return doc => {
    const actual = path.reduce((v, key) => (v == null ? undefined : v[key]), doc);
    return none ? actual === undefined : actual === value;
  };
}

// Read of an item. The package compares the partition key with doc[path] after dereferencing a
// document that may not exist: a missing item gave 500, and a nested key path (/a/b) always 404.
async function readDocumentOr404(account, req, res, params) {
  const collection = collectionOf(account, params);
  const pkHeader = header(req, PK);
  if (!collection.read()) return notFound(res);
  if (pkHeader === undefined) return fail(res, 400, "BadRequest", `Partition key header ${PK} is required`);
  const doc = collection.document(params.docId, parsePartitionKey(pkHeader, params.docId)).read();
  // the lookup falls back to treating the id as a _rid: only an item with this id counts
  if (!doc || doc.id !== params.docId || !inPartition(collection, pkHeader)(doc)) return notFound(res);
  return doc;
}

// The Java SDK asks the gateway for a query plan before a query. One partition key range holds
// everything, so a plan with no client-side work (no ORDER BY merge, TOP, aggregates...) over the
// full range lets the SDK send the SQL as is and the package does ORDER BY, paging and the rest.
// hasSelectValue makes the SDK unwrap SELECT VALUE results (it wraps them as {"_value": x}).
async function queryPlan(account, req) {
  const { query = "" } = await json(req);
  return {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
      distinctType: "None",
      top: null,
      offset: null,
      limit: null,
      orderBy: [],
      orderByExpressions: [],
      groupByExpressions: [],
      groupByAliases: [],
      aggregates: [],
      groupByAliasToAggregateType: {},
      rewrittenQuery: "",
      hasSelectValue: /^\s*SELECT\s+(DISTINCT\s+)?(TOP\s+\S+\s+)?VALUE\s/i.test(query),
      dCountInfo: null,
      hasNonStreamingOrderBy: false
    },
    queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
  };
}

// The documents a read by ids may return (readMany sends "SELECT * FROM c WHERE c.id IN (@param0, ...)"), looked
// up by id as Cosmos serves such a query from its index; null for any other query. The package would scan and
// filter every document, so a batched read got slower the more the container held, unlike Cosmos. The query still
// runs over what is found, so the answer is the same either way.
const ID_LIST_QUERY = /^\s*SELECT \* FROM c WHERE c\.id IN \(\s*(@\w+(?:\s*,\s*@\w+)*)\s*\)\s*$/i;
function byIds(collection, body) {
  const match = ID_LIST_QUERY.exec(body.query);
  const keyPath = collection.documents._getPartitionKeyPath();
  if (!match || keyPath.length !== 1 || keyPath[0] !== "id") return null;
  const values = new Map((body.parameters || []).map(p => [p.name, p.value]));
  const ids = new Set(match[1].split(",").map(name => values.get(name.trim())));
  return [...ids].map(id => collection.documents._item("/id", id, id).read()).filter(Boolean);
}

// Queries. The package runs a query over every partition, and answers 400 "missing partition keys"
// unless the WHERE clause filters on the key; the SDK (4.x) never sends the cross-partition header
// that lifts that check. Real Cosmos scopes a query to the partition key in its options (header)
// and runs it over all partitions otherwise: do that.
async function queryInScope(account, req, res, params) {
  return readItems(req, res, "Documents", async ({ continuation, maxItemCount }) => {
    const body = await json(req);
    if (!body.query) return fail(res, 400, "BadRequest", "missing query");
    const collection = collectionOf(account, params);
    const properties = collection.read();
    if (!properties) return null; // readItems answers 404
    const { documents } = collection;
    try {
      return withinDeadline(req, () => {
        const query = documents._getQuery(body.query);
        const execOptions = {
          parameters: body.parameters,
          udf: documents._userDefinedFunctions(),
          maxItemCount,
          continuation,
          compositeIndexes: (properties.indexingPolicy || {}).compositeIndexes || []
        };
        const pkHeader = header(req, PK);
        const ids = byIds(collection, body);
        // From the sorted index of its ORDER BY where it can (null where it cannot), else over every document.
        const indexed = !ids && useIndexes
          ? indexedQueries.run(documents, query, execOptions, pkHeader === undefined ? null : inPartition(collection, pkHeader))
          : null;
        req.standinQueryPath = indexed ? "index" : "scan"; // eslint-disable-line no-param-reassign
        return indexed || query.exec((ids || allDocuments(collection)).filter(inPartition(collection, pkHeader)), execOptions);
      });
    } catch (err) {
      if (err.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        return fail(res, 408, "RequestTimeout", `The stand-in stopped this query at its ${options.deadlineMs} ms `
          + `deadline (COSMOS_STANDIN_DEADLINE_MS) while parsing or running it: ${body.query}`);
      }
      // Invalid SQL, or SQL Cosmos accepts and the package's engine does not (DISTINCT, GROUP BY, OFFSET LIMIT)
      return fail(res, 400, "BadRequest", `The stand-in's SQL engine cannot run this query (it lacks DISTINCT, `
        + `GROUP BY and OFFSET LIMIT): ${err.message}`);
    }
  });
}

// Parsing and running a query is synchronous JavaScript on the server's only thread: while it runs, no other
// request, timer or signal handler can. Running it under vm's timeout lets V8 stop it at the request's deadline.
const deadlineContext = vm.createContext({});
function withinDeadline(req, work) {
  const left = Math.max(1, options.deadlineMs - (Date.now() - (req.standinReceivedAt || Date.now())));
  deadlineContext.work = work;
  try {
    return vm.runInContext("work()", deadlineContext, { timeout: left });
  } finally {
    deadlineContext.work = undefined;
  }
}

// Change feed (GET docs with "A-IM: Incremental feed"). The package answers every such request
// with all documents and a fixed ETag "1", so a consumer never sees only what is new. Here the ETag
// is the last _lsn served, If-None-Match continues after it, and 304 means nothing new. Latest
// version mode only: deletes and intermediate versions are not in the feed, as in real Cosmos.
async function changeFeed(account, req, res, params) {
  const collection = collectionOf(account, params);
  if (!collection.read()) return notFound(res);
  // The package's response code would overwrite our ETag for any request carrying A-IM, and add
  // query metrics, which Cosmos does not send for a feed and the SDK fails to parse (an ERROR log
  // with a stack trace per page).
  delete req.headers["a-im"]; // eslint-disable-line no-param-reassign
  delete req.headers["x-ms-documentdb-populatequerymetrics"]; // eslint-disable-line no-param-reassign

  const ifNoneMatch = (header(req, "if-none-match") || "").replace(/"/g, "");
  if (ifNoneMatch === "*") {
    // "from now": nothing to return, but hand back where "now" is
    res.setHeader("etag", `"${lastLsn}"`);
    res.statusCode = 304; // eslint-disable-line no-param-reassign
    return {};
  }
  const after = Number.parseInt(ifNoneMatch, 10) || 0;
  const since = Date.parse(header(req, "if-modified-since") || "") / 1000 || 0;
  const pageSize = Number.parseInt(header(req, "x-ms-max-item-count") || "-1", 10);

  const changed = allDocuments(collection)
    .filter(doc => doc._lsn > after && doc._ts >= since)
    .filter(inPartition(collection, header(req, PK)))
    .sort((a, b) => a._lsn - b._lsn);
  const page = pageSize > 0 ? changed.slice(0, pageSize) : changed;
  if (page.length === 0) {
    res.setHeader("etag", `"${after}"`);
    res.statusCode = 304; // eslint-disable-line no-param-reassign
    return {};
  }
  res.setHeader("etag", `"${page[page.length - 1]._lsn}"`);
  res.setHeader("x-ms-item-count", String(page.length));
  return { _rid: collection.read()._rid, Documents: page, _count: page.length };
}

// Transactional batch. The package applies operations one by one, keeps what succeeded before a
// failure and answers 200; it also has no Patch, and fails parsing the partition key, which the
// SDK sends once in the header rather than in each operation. Real Cosmos: an atomic batch is all
// or nothing, answered 207 with the failed operation's status and 424 for the others (the SDK
// promotes that status to the batch's). Non-atomic batches (bulk) run every operation.
const BATCH_OPERATIONS = {
  Create: documentOperations.createOperation,
  Upsert: documentOperations.upsertOperation,
  Read: documentOperations.readOperation,
  Delete: documentOperations.deleteOperation,
  Replace: documentOperations.replaceOperation,
  // the SDK sends {operations, condition?} as the operation's resource body
  Patch: (collection, op) => patchOperation(collection, {
    id: op.id,
    partitionKey: op.partitionKey,
    ifMatch: op.ifMatch,
    operations: (op.resourceBody || {}).operations || [],
    condition: (op.resourceBody || {}).condition
  })
};

async function batch(account, req, res, params) {
  const operations = await json(req);
  const collection = collectionOf(account, params);
  if (!collection.read()) return notFound(res);
  if (!Array.isArray(operations)) return fail(res, 400, "BadRequest", "Invalid request body");
  const unknown = operations.find(op => !op || !BATCH_OPERATIONS[op.operationType]);
  if (unknown) return fail(res, 400, "BadRequest", `Operation type '${unknown && unknown.operationType}' is not supported in Batch.`);
  const atomic = isTrue(req, "x-ms-cosmos-batch-atomic");
  const continueOnError = !atomic && isTrue(req, "x-ms-cosmos-batch-continue-on-error");

  const { documents } = collection;
  const before = { data: new Map(documents._data), index: new Map(documents._index), ridCount: documents._ridCount };
  const results = [];
  for (const op of operations) {
    const partitionKey = op.partitionKey === undefined ? header(req, PK) : op.partitionKey;
    const result = results.some(r => r.statusCode >= 400) && !continueOnError
      ? { statusCode: 424 }
      : BATCH_OPERATIONS[op.operationType](collection, { ...op, partitionKey });
    results.push(result);
  }
  const failed = results.findIndex(r => r.statusCode >= 400 && r.statusCode !== 424);
  if (atomic && failed >= 0) {
    // stored documents are replaced, never edited in place (the package patches a JSON copy), so
    // shallow copies of its maps taken before hold the state to go back to
    documents._data = before.data;
    documents._index = before.index;
    documents._ridCount = before.ridCount;
    res.statusCode = 207; // eslint-disable-line no-param-reassign
    return results.map((r, i) => ({ statusCode: i === failed ? r.statusCode : 424, requestCharge: 0 }));
  }
  return results.map(r =>
    r.statusCode >= 400
      ? { statusCode: r.statusCode, requestCharge: 0 }
      : { statusCode: r.statusCode, requestCharge: 1, eTag: r.body && r.body._etag, resourceBody: r.body }
  );
}

const isChangeFeed = req => /incremental feed/i.test(header(req, "a-im") || "");

function patched(handler, req) {
  if (handler === readDocument) return readDocumentOr404;
  if (handler === readDocuments && isChangeFeed(req)) return changeFeed;
  if (handler === queryDocuments) return isTrue(req, "x-ms-cosmos-is-query-plan-request") ? queryPlan : queryInScope;
  if (handler === batchDocuments) return batch;
  return handler;
}

// The SDK names resources by "alt links" built from x-ms-alt-content-path, the path of the owner of
// what a response is about (dbs/db for a container, dbs/db/colls/c for items). The package never
// sends it; without it the SDK's cached container has no link and the change feed fails on it.
function ownerPath(req) {
  const segments = new URL(req.url, "https://standin").pathname.split("/").filter(Boolean);
  // dbs/db/colls/c is a resource (owner: drop 2), dbs/db/colls a feed of them (owner: drop 1)
  return segments.slice(0, segments.length - (segments.length % 2 === 0 ? 2 : 1)).join("/");
}

// What the package has no handler for (stored procedures, triggers, offers, users, permissions...) got 400 "no
// route", as if the request were wrong. Cosmos serves these; the stand-in says it does not.
const notImplemented = async (account, req, res) => fail(res, 501, "NotImplemented",
  `The Cosmos DB stand-in does not implement ${req.method} ${new URL(req.url, "https://standin").pathname}`);

const originalRoute = routes.default;
routes.default = req => {
  const route = originalRoute(req);
  if (!route) return [{}, notImplemented];
  const [params, handler] = route;
  const chosen = patched(handler, req);
  const owner = ownerPath(req);
  return [
    params,
    (account, request, res, p) => {
      if (owner) res.setHeader("x-ms-alt-content-path", owner);
      return chosen(account, request, res, p);
    }
  ];
};

const server = createHttpsServer({
  cert: fs.readFileSync(options.cert),
  key: fs.readFileSync(options.key),
  keepAlive: true
});

// ---- Fault injection: reliability tests make Cosmos fail and recover while the data, which lives
// only in this process, stays. Switched by the control endpoint below, read by the launcher
// (CosmosStandin.makeUnavailable/failNext/throttle/restore). Requests are intercepted before the
// package's router so that every Cosmos call fails alike, metadata and account reads included.
const FAULTS_PATH = "/_standin/faults"; // no Cosmos resource path starts with "_"; the SDK never asks for it
const NO_FAULT = Object.freeze({ mode: "none", remaining: null, retryAfterMs: 0 });
let fault = NO_FAULT;
let faulted = 0; // requests answered with a fault since the last switch, for tests to count

function setFault(body) {
  const mode = body.mode || "none";
  if (!["none", "unavailable", "throttle", "hang"].includes(mode)) throw new Error(`unknown mode '${mode}'`);
  const remaining = body.count === undefined || body.count === null ? null : body.count;
  if (remaining !== null && !(Number.isInteger(remaining) && remaining > 0)) throw new Error("count must be an integer > 0");
  const retryAfterMs = body.retryAfterMs === undefined ? 100 : body.retryAfterMs;
  if (!(Number.isInteger(retryAfterMs) && retryAfterMs >= 0)) throw new Error("retryAfterMs must be an integer >= 0");
  fault = mode === "none" ? NO_FAULT : { mode, remaining, retryAfterMs };
  faulted = 0;
  if (mode !== "hang") releaseHung();
}

// Requests held without an answer by the "hang" fault. When it ends they are cut off (the socket destroyed), as a
// gateway that recovers drops what it held: their clients gave up long before.
let hung = [];
function releaseHung() {
  hung.forEach(res => res.destroy());
  hung = [];
}

const faultState = () => ({ ...fault, faulted });

function controlFaults(req, res) {
  const reply = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.method === "GET") return reply(200, faultState());
  if (req.method !== "POST") return reply(405, { message: "GET or POST" });
  const chunks = [];
  req.on("data", chunk => chunks.push(chunk));
  req.on("end", () => {
    try {
      setFault(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
    } catch (err) {
      return reply(400, { message: err.message });
    }
    return reply(200, faultState());
  });
  return undefined;
}

// Answers a Cosmos request with the active fault (or, hanging, never answers it), or returns false. Errors look like the gateway's:
// JSON {code, message}, an activity id and a request charge (the SDK reads both into the
// CosmosException), and for 429 the retry-after the SDK's throttling retry waits for. Connections
// stay open, as a real gateway keeps them: the SDK is to see a status code, not a network failure.
function injectFault(req, res) {
  if (fault.mode === "none") return false;
  const { mode, retryAfterMs } = fault;
  if (fault.remaining !== null) {
    fault = fault.remaining === 1 ? NO_FAULT : { ...fault, remaining: fault.remaining - 1 };
  }
  faulted += 1;
  req.resume(); // drop the body unread; the socket stays usable
  if (mode === "hang") {
    hung.push(res); // accepted, read, never answered
    return true;
  }
  const headers = {
    "content-type": "application/json",
    connection: "keep-alive",
    "x-ms-activity-id": activityId(req),
    "x-ms-request-charge": "0"
  };
  if (mode === "throttle") {
    res.writeHead(429, { ...headers, "x-ms-retry-after-ms": String(retryAfterMs), "x-ms-substatus": "3200" });
    res.end(JSON.stringify({ code: "TooManyRequests", message: "Request rate is large (stand-in fault injection)" }));
  } else {
    res.writeHead(503, headers);
    res.end(JSON.stringify({ code: "ServiceUnavailable", message: "Service is currently unavailable (stand-in fault injection)" }));
  }
  return true;
}

// The package's handler is the server's only "request" listener: put the control endpoint and the
// faults in front of it.
const [cosmosHandler, ...unexpected] = server.listeners("request");
if (!cosmosHandler || unexpected.length) throw new Error("expected the package's one request listener");
server.removeAllListeners("request");
server.on("request", (req, res) => {
  if (new URL(req.url, "https://standin").pathname === FAULTS_PATH) return controlFaults(req, res);
  echoActivityId(req, res);
  if (injectFault(req, res)) return undefined;
  req.standinReceivedAt = Date.now(); // eslint-disable-line no-param-reassign
  const deadline = setTimeout(() => answerTimedOut(req, res), options.deadlineMs);
  res.on("close", () => clearTimeout(deadline));
  return cosmosHandler(req, res);
});

// Cosmos echoes the client's x-ms-activity-id in its answer, which is how a client ties a response (or an error
// in its logs) to its request (https://learn.microsoft.com/rest/api/cosmos-db/common-cosmosdb-rest-response-headers).
// The package sends a new random id instead: keep the client's, when it sent one.
const activityId = req => header(req, "x-ms-activity-id") || crypto.randomUUID();
function echoActivityId(req, res) {
  const sent = header(req, "x-ms-activity-id");
  if (!sent) return;
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => setHeader(name, String(name).toLowerCase() === "x-ms-activity-id" ? sent : value); // eslint-disable-line no-param-reassign
}

// The last resort for a request still unanswered at its deadline (queries are stopped there by withinDeadline;
// this catches anything else, such as a handler waiting for ever): 408, as Cosmos answers a request it could not
// finish in time. Should the handler answer later, the package finds the response sent and only logs that.
function answerTimedOut(req, res) {
  if (res.headersSent) return;
  res.writeHead(408, {
    "content-type": "application/json",
    connection: "keep-alive",
    "x-ms-activity-id": activityId(req),
    "x-ms-request-charge": "0"
  });
  res.end(JSON.stringify({
    code: "RequestTimeout",
    message: `The stand-in did not finish ${req.method} ${req.url} within its ${options.deadlineMs} ms deadline `
      + "(COSMOS_STANDIN_DEADLINE_MS)"
  }));
}

// Node closes idle keep-alive sockets after 5 s; the SDK's pool keeps them longer and a request
// sent on a socket the server is closing fails. Let the client be the one that closes them.
server.keepAliveTimeout = 10 * 60 * 1000;
server.headersTimeout = server.keepAliveTimeout + 1000;

if (process.env.COSMOS_STANDIN_TRACE === "1") {
  const shown = [PK, "a-im", "if-none-match", "if-match", "x-ms-continuation", "x-ms-max-item-count",
    "x-ms-cosmos-is-query-plan-request", "x-ms-documentdb-isquery", "x-ms-documentdb-partitionkeyrangeid",
    "x-ms-cosmos-batch-atomic"];
  server.prependListener("request", (req, res) => {
    const picked = shown.filter(h => req.headers[h] !== undefined).map(h => `${h}=${req.headers[h]}`);
    const start = process.hrtime.bigint();
    // query=index|scan: answered from a sorted index or over every document
    const queryPath = () => (req.standinQueryPath ? ` query=${req.standinQueryPath}` : "");
    res.on("finish", () => process.stderr.write(`TRACE ${req.method} ${req.url} ${picked.join(" ")}${queryPath()} -> ${res.statusCode}`
      + ` in ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(1)} ms\n`));
  });
}

server.listen(options.port, options.host, () => {
  // The Java launcher waits for exactly this line to learn the port.
  process.stdout.write(`COSMOS_STANDIN_LISTENING port=${server.address().port}\n`);
});
server.on("error", err => {
  process.stderr.write(`cosmos stand-in failed: ${err.message}\n`);
  process.exit(1);
});

// SIGTERM and SIGINT keep their default action, which ends the process at once: a JavaScript handler would only
// run once the event loop is free, so a long request would delay it.
// No orphans: the JVM holds our stdin; when it dies (even by SIGKILL) the pipe closes.
const stop = () => process.exit(0);
if (!options.ignoreStdin) {
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}

function parseOptions(argv, env) {
  const opts = {
    cert: env.COSMOS_STANDIN_CERT,
    key: env.COSMOS_STANDIN_KEY,
    port: Number.parseInt(env.COSMOS_STANDIN_PORT || "0", 10),
    host: env.COSMOS_STANDIN_HOST || "127.0.0.1",
    deadlineMs: Number.parseInt(env.COSMOS_STANDIN_DEADLINE_MS || "5000", 10),
    ignoreStdin: false
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--cert") opts.cert = argv[(i += 1)];
    else if (arg === "--key") opts.key = argv[(i += 1)];
    else if (arg === "--port") opts.port = Number.parseInt(argv[(i += 1)], 10);
    else if (arg === "--host") opts.host = argv[(i += 1)];
    else if (arg === "--deadline-ms") opts.deadlineMs = Number.parseInt(argv[(i += 1)], 10);
    else if (arg === "--ignore-stdin") opts.ignoreStdin = true;
    else usage(`unknown argument ${arg}`);
  }
  if (!opts.cert || !opts.key) usage("--cert and --key (PEM files) are required");
  if (!Number.isInteger(opts.port) || opts.port < 0) usage("--port must be a number >= 0");
  if (!Number.isInteger(opts.deadlineMs) || opts.deadlineMs < 1) usage("--deadline-ms must be a number >= 1");
  return opts;
}

function usage(problem) {
  process.stderr.write(`${problem}\nusage: node server.js --cert <pem> --key <pem> [--port <n>] [--host <ip>] [--deadline-ms <n>] [--ignore-stdin]\n`);
  process.exit(2);
}
