// Helpers of cosmos.test.mjs: clients of the Cosmos DB stand-in through @azure/cosmos (a client sfcache does not
// use), a log of the HTTP exchanges the SDK makes (to check what goes over the wire), and the stand-in's fault
// switch. The endpoint and key come from the environment, so the suite can also be pointed at a real account
// (then the fault tests are skipped: only the stand-in has the switch).
import { CosmosClient } from "@azure/cosmos";

export const endpoint = required("COSMOS_ENDPOINT");
export const key = required("COSMOS_KEY");
/** The stand-in's fault-injection endpoint; real Cosmos has none (COSMOS_STANDIN_FAULTS=0 says so). */
export const hasFaultSwitch = process.env.COSMOS_STANDIN_FAULTS !== "0";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite through CosmosConformanceTest or set it`);
  return value;
}

/**
 * A client as a Cosmos app outside Azure's regions would make it: endpoint discovery off (the stand-in has one
 * endpoint, no regions), TLS checked against the CA in NODE_EXTRA_CA_CERTS. `exchanges`, if given, receives one
 * entry per HTTP request: {method, path, requestHeaders, status, headers}.
 */
export function newClient({ exchanges, retryOptions } = {}) {
  return new CosmosClient({
    endpoint,
    key,
    connectionPolicy: { enableEndpointDiscovery: false, ...(retryOptions ? { retryOptions } : {}) },
    plugins: exchanges ? [{ on: "request", plugin: recordInto(exchanges) }] : undefined
  });
}

function recordInto(exchanges) {
  return async (context, diagnosticNode, next) => {
    const exchange = { method: context.method, path: context.path, requestHeaders: { ...context.headers } };
    exchanges.push(exchange);
    try {
      const response = await next(context);
      Object.assign(exchange, { status: response.code, headers: response.headers });
      return response;
    } catch (err) {
      Object.assign(exchange, { status: err.code, headers: err.headers || {} });
      throw err;
    }
  };
}

/** The error a promise rejects with; fails if it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

/** Sets the stand-in's fault switch: {mode: "none" | "unavailable" | "throttle", count?, retryAfterMs?}. */
export async function setFault(fault) {
  const response = await fetch(new URL("_standin/faults", endpoint), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault)
  });
  if (response.status !== 200) throw new Error(`fault switch answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export const faultState = async () => (await fetch(new URL("_standin/faults", endpoint))).json();

/** Reads every page of a query, returning the pages (items, continuation, headers) in order. */
export async function pages(container, query, options) {
  const iterator = container.items.query(query, options);
  const result = [];
  while (iterator.hasMoreResults()) {
    const page = await iterator.fetchNext();
    if (page.resources.length === 0 && !page.hasMoreResults) break; // the SDK's closing empty fetch
    result.push({ items: page.resources, continuation: page.continuationToken, headers: page.headers });
  }
  return result;
}
