#!/usr/bin/env node
// Local Cosmos DB stand-in for sfcache tests: @vercel/cosmosdb-server 1.0.1, started through its
// JS API (its CLI ships an expired certificate and cannot take ours), plus patches for the gaps the
// Java SDK (azure-cosmos 4.x, gateway mode) hits. Launched by io.sfcache.standin.cosmos.CosmosStandin.
//
//   node server.js --cert <pem> --key <pem> [--port <n, 0 = free port>] [--host 127.0.0.1]
//                  [--ignore-stdin]
// or the same through COSMOS_STANDIN_CERT / _KEY / _PORT / _HOST. COSMOS_STANDIN_TRACE=1 logs every
// request (method, path, the headers that pick a behaviour, status) to stderr.
//
// The patches hook the package's own module objects (its compiled code looks `exports.default` up
// at call time), so they depend on 1.0.1's internals: package.json pins that version exactly.
"use strict";

const fs = require("fs");
const lib = "@vercel/cosmosdb-server/lib";
const { createHttpsServer } = require(lib);
const routes = require(`${lib}/routes`);
const json = require(`${lib}/json`);
const Documents = require(`${lib}/account/documents`).default;
const { parsePartitionKey } = require(`${lib}/utils/get-partition-from-header`);
const readDocument = require(`${lib}/handler/read-document`).default;
const readDocuments = require(`${lib}/handler/read-documents`).default;
const queryDocuments = require(`${lib}/handler/query-documents`).default;
const batchDocuments = require(`${lib}/handler/batch-documents`).default;

const options = parseOptions(process.argv.slice(2), process.env);
const trace = process.env.COSMOS_STANDIN_TRACE === "1";

// ---- Change feed needs an order of writes: every create/replace/upsert/patch gets the next _lsn
// (real Cosmos keeps one per partition; one counter for the whole server is also increasing).
let lastLsn = 0;
const originalSet = Documents.prototype._set;
Documents.prototype._set = function setWithLsn(data) {
  lastLsn += 1;
  data._lsn = lastLsn; // eslint-disable-line no-param-reassign
  return originalSet.call(this, data);
};

// ---- A handler may hand a rewritten body to the package's handler: its body reader is a stream
// reader, so a body read twice would hang. We stash the parsed body on the request instead.
const originalJson = json.default;
json.default = req => (req.standinBody !== undefined ? Promise.resolve(req.standinBody) : originalJson(req));

const header = (req, name) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
const isTrue = (req, name) => String(header(req, name) || "").toLowerCase() === "true";
const notFound = res => {
  res.statusCode = 404; // eslint-disable-line no-param-reassign
  return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
};

// Read of a missing item: the package dereferences the missing document and answers 500.
async function readDocumentOr404(account, req, res, params) {
  const collection = account.database(params.dbId).collection(params.collId);
  const pkHeader = header(req, "x-ms-documentdb-partitionkey");
  if (!collection.read()) return notFound(res);
  if (pkHeader === undefined) {
    res.statusCode = 400; // eslint-disable-line no-param-reassign
    return { code: "BadRequest", message: "Partition key header x-ms-documentdb-partitionkey is required" };
  }
  if (!collection.document(params.docId, parsePartitionKey(pkHeader, params.docId)).read()) return notFound(res);
  return readDocument(account, req, res, params);
}

// The Java SDK asks the gateway for a query plan before every query. One partition key range holds
// everything, so a plan with no client-side work (no ORDER BY merge, TOP, aggregates...) over the
// full range lets the SDK send the SQL as is; the package then does ORDER BY, paging and the rest.
async function queryPlan(account, req, res) {
  await originalJson(req); // drain it, the connection is kept alive
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
      hasSelectValue: false,
      dCountInfo: null,
      hasNonStreamingOrderBy: false
    },
    queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
  };
}

// Change feed (GET docs with "A-IM: Incremental feed"). The package answers every such request
// with all documents and a fixed ETag "1", so a consumer never sees only what is new. Here the ETag
// is the last _lsn served, If-None-Match continues after it, and 304 means nothing new. Latest
// version mode only: deletes and intermediate versions are not in the feed, as in real Cosmos.
async function changeFeed(account, req, res, params) {
  const collection = account.database(params.dbId).collection(params.collId);
  if (!collection.read()) return notFound(res);
  // The package's response code would overwrite our ETag for any request carrying A-IM.
  delete req.headers["a-im"]; // eslint-disable-line no-param-reassign

  const ifNoneMatch = (header(req, "if-none-match") || "").replace(/"/g, "");
  if (ifNoneMatch === "*") {
    // "from now": nothing to return, but hand back where "now" is
    res.setHeader("etag", `"${lastLsn}"`);
    res.statusCode = 304; // eslint-disable-line no-param-reassign
    return {};
  }
  const after = Number.parseInt(ifNoneMatch, 10) || 0;
  const since = Date.parse(header(req, "if-modified-since") || "") / 1000 || 0;
  const pkHeader = header(req, "x-ms-documentdb-partitionkey");
  const partition = pkHeader === undefined ? undefined : JSON.parse(pkHeader)[0];
  const pkPath = collection.documents._getPartitionKeyPath();
  const pageSize = Number.parseInt(header(req, "x-ms-max-item-count") || "-1", 10);

  const changed = [...collection.documents._data.values()]
    .map(item => item.read())
    .filter(doc => doc._lsn > after && doc._ts >= since)
    .filter(doc => partition === undefined || pkPath.reduce((v, key) => (v == null ? v : v[key]), doc) === partition)
    .sort((a, b) => a._lsn - b._lsn);
  const page = pageSize > 0 ? changed.slice(0, pageSize) : changed;
  if (page.length === 0) {
    res.setHeader("etag", `"${Math.max(after, 0)}"`);
    res.statusCode = 304; // eslint-disable-line no-param-reassign
    return {};
  }
  res.setHeader("etag", `"${page[page.length - 1]._lsn}"`);
  res.setHeader("x-ms-item-count", String(page.length));
  return { _rid: collection.read()._rid, Documents: page, _count: page.length };
}

// Transactional batch. The SDK sends the partition key once, in the request header, not in each
// operation, and the package then fails parsing an undefined key. It also applies operations one by
// one and keeps what succeeded before a failure, answering 200: real Cosmos is all-or-nothing and
// answers 207 with the failed operation's status (the SDK promotes it to the batch's status).
async function batch(account, req, res, params) {
  const operations = await originalJson(req);
  const pkHeader = header(req, "x-ms-documentdb-partitionkey");
  if (Array.isArray(operations) && pkHeader !== undefined) {
    operations.forEach(op => {
      if (op && op.partitionKey === undefined) op.partitionKey = pkHeader; // eslint-disable-line no-param-reassign
      // the SDK names the If-Match ETag "ifMatch" already; nothing else to translate
    });
  }
  req.standinBody = operations; // eslint-disable-line no-param-reassign

  const documents = account.database(params.dbId).collection(params.collId).documents;
  const before = documents._data && {
    data: new Map(documents._data),
    index: new Map(documents._index),
    ridCount: documents._ridCount
  };
  const results = await batchDocuments(account, req, res, params);
  const failed = Array.isArray(results) && results.some(r => r.statusCode >= 400);
  if (failed && isTrue(req, "x-ms-cosmos-batch-atomic") && before) {
    // stored items are replaced, never mutated in place, so shallow copies restore the state
    documents._data = before.data;
    documents._index = before.index;
    documents._ridCount = before.ridCount;
    res.statusCode = 207; // eslint-disable-line no-param-reassign
    return results.map(r => (r.statusCode < 400 ? { statusCode: 424, requestCharge: 0 } : r));
  }
  return results;
}

const isChangeFeed = req => /incremental feed/i.test(header(req, "a-im") || "");

// The SDK names resources by "alt links" built from x-ms-alt-content-path, the path of the owner of
// what a response is about (dbs/db for a container, dbs/db/colls/c for items). The package never
// sends it; without it the SDK's cached container has no link and the change feed fails on it.
function ownerPath(req) {
  const segments = new URL(req.url, "https://standin").pathname.split("/").filter(Boolean);
  // dbs/db/colls/c is a resource (owner: drop 2), dbs/db/colls a feed of them (owner: drop 1)
  return segments.slice(0, segments.length - (segments.length % 2 === 0 ? 2 : 1)).join("/");
}

function patched(handler, req) {
  if (handler === readDocument) return readDocumentOr404;
  if (handler === readDocuments && isChangeFeed(req)) return changeFeed;
  if (handler === queryDocuments && isTrue(req, "x-ms-cosmos-is-query-plan-request")) return queryPlan;
  if (handler === batchDocuments) return batch;
  return handler;
}

const originalRoute = routes.default;
routes.default = req => {
  const route = originalRoute(req);
  if (!route) return route;
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
// Node closes idle keep-alive sockets after 5 s; the SDK's pool keeps them longer and a request
// sent on a socket the server is closing fails. Let the client be the one that closes them.
server.keepAliveTimeout = 10 * 60 * 1000;
server.headersTimeout = server.keepAliveTimeout + 1000;

if (trace) {
  server.prependListener("request", (req, res) => {
    const picked = ["x-ms-documentdb-partitionkey", "a-im", "if-none-match", "if-match", "x-ms-continuation",
      "x-ms-max-item-count", "x-ms-cosmos-is-query-plan-request", "x-ms-documentdb-isquery"]
      .filter(h => req.headers[h] !== undefined)
      .map(h => `${h}=${req.headers[h]}`);
    res.on("finish", () => process.stderr.write(`TRACE ${req.method} ${req.url} ${picked.join(" ")} -> ${res.statusCode}\n`));
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

// No orphans: the JVM holds our stdin; when it dies (even by SIGKILL) the pipe closes.
const stop = () => process.exit(0);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
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
    ignoreStdin: false
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--cert") opts.cert = argv[(i += 1)];
    else if (arg === "--key") opts.key = argv[(i += 1)];
    else if (arg === "--port") opts.port = Number.parseInt(argv[(i += 1)], 10);
    else if (arg === "--host") opts.host = argv[(i += 1)];
    else if (arg === "--ignore-stdin") opts.ignoreStdin = true;
    else usage(`unknown argument ${arg}`);
  }
  if (!opts.cert || !opts.key) usage("--cert and --key (PEM files) are required");
  if (!Number.isInteger(opts.port) || opts.port < 0) usage("--port must be a number >= 0");
  return opts;
}

function usage(problem) {
  process.stderr.write(`${problem}\nusage: node server.js --cert <pem> --key <pem> [--port <n>] [--host <ip>] [--ignore-stdin]\n`);
  process.exit(2);
}
