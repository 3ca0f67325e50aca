// Helpers shared by servicebus.test.mjs and eventhubs.test.mjs: connection strings, deadlines, unique names.
import { randomUUID } from "node:crypto";

/** The stand-in's (or a real namespace's) connection string, from the environment the Java runner sets. */
export function connectionString(variable) {
  const value = process.env[variable];
  if (!value) {
    throw new Error(
      `${variable} is not set: run the suite through io.sfcache.standin.conformance.MessagingConformanceTest`,
    );
  }
  return value;
}

/** How long one SDK call may take before the test fails; the stand-in answers in milliseconds. */
export const CALL_TIMEOUT_MS = 5_000;

/**
 * Awaits an SDK call, failing with `what` if it has not settled within the deadline: a stand-in that never answers
 * (a lost CBS reply, an unsettled delivery) fails one test fast instead of hanging the build.
 */
export async function within(what, promise, ms = CALL_TIMEOUT_MS) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns a truthy value (returned) or the deadline passes (an error naming `what`). */
export async function waitFor(what, probe, ms = CALL_TIMEOUT_MS, intervalMs = 20) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > end) {
      throw new Error(`${what}: not reached within ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** An entity name of its own per test, so tests share a namespace without seeing each other's messages. */
export function uniqueName(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Per-test options for node:test: a time limit of a few calls' worth, so a hang ends the test, never the run. */
export const TEST_OPTIONS = { timeout: 60_000 };

/**
 * Closes SDK clients within a short deadline without throwing: used in `finally`, where a close that fails (the
 * stand-in is broken anyway) must not hide the test's own error.
 */
export async function closeQuietly(what, ...closables) {
  try {
    await within(`closing ${what}`, Promise.all(closables.map((c) => c.close())), 2_000);
  } catch (error) {
    console.warn(`${error.message} (ignored)`);
  }
}
