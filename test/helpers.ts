import { env, exports } from "cloudflare:workers";
import { drainEventOutbox } from "../src/events/outbox";
import { getDb } from "../src/db/client";

/** Server-made events reach the event tables through the event outbox: drains it (as readers do). */
export async function settleEvents() {
  await drainEventOutbox(getDb(env.DB));
}

export const API = "http://127.0.0.1:8787/api";

/** One request against the worker under test, as the Prefect SDK sends it. */
export async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = {
    method,
    headers: { "x-prefect-api-version": "0.8.4", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
  };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  return fetchApi(path, init);
}

/** A request exactly as built, its answer read as JSON when it is JSON (else its text). */
export async function fetchApi(path: string, init: RequestInit) {
  const res = await (exports as any).default.fetch(new Request(`${API}${path}`, init));
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers, text };
}

let counter = 0;
/** A name unique within the test run (tests share one database per file). */
export function unique(prefix = "x"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Polls `check` every `interval` ms until it answers something truthy, and answers that; throws
 * once `timeout` ms have passed without (work done after a response, behind a WebSocket or in a
 * Durable Object's alarm is asynchronous).
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeout = 3000, interval = 20 }: { timeout?: number; interval?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waitFor: still ${JSON.stringify(value)} after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
