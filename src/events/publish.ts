import { keepAlive } from "../lib/keep-alive";
import type { Bindings } from "../env";
import type { StoredEvent } from "../db/queries/events";
import type { Log } from "../schemas/prefect.gen";
import { routeToAutomations } from "./automations/router";
import type { AutomationSnapshot } from "../db/queries/automation-snapshot";
import { queueNotificationPolicies } from "./automations/notification-policies";

/**
 * Publishing to the EventStream Durable Object, which fans events and logs out to /events/out
 * and /logs/out subscribers. Publishing happens after the write has committed, is kept alive with
 * `waitUntil` and never fails the request that stored the data (a failure is only logged).
 */

/** One object serves every subscriber. */
export const EVENT_STREAM_NAME = "global";

export function eventStreamOf(env: Bindings) {
  return env.EVENT_STREAM.get(env.EVENT_STREAM.idFromName(EVENT_STREAM_NAME));
}

/** Hands a WebSocket upgrade for /events/out or /logs/out (as forwardUpgrade prepared it) to the stream. */
export function openEventStreamSocket(env: Bindings, upgrade: Request): Promise<Response> {
  return eventStreamOf(env).fetch(upgrade);
}


/**
 * How long an isolate trusts what it last heard about /events/out sockets. Events are published
 * only while there are some (a call to the object per event costs as much as storing it); a new
 * subscriber's backfill or catch-up waits this long, then reads what was stored meanwhile.
 */
export const SUBSCRIBERS_TTL_MS = 1000;

let eventSockets: { count: number; askedAt: number } | null = null;

async function eventSubscribersExist(env: Bindings): Promise<boolean> {
  const now = Date.now();
  if (!eventSockets || now - eventSockets.askedAt >= SUBSCRIBERS_TTL_MS) {
    eventSockets = { count: await eventStreamOf(env).eventSockets(), askedAt: now };
  }
  return eventSockets.count > 0;
}

/** `automationSnapshot`: read in the batch that stored the events, when it was (see automations/router.ts). */
export function publishEvents(events: StoredEvent[], env: Bindings, automationSnapshot?: AutomationSnapshot): void {
  if (!events.length) return;
  routeToAutomations(events, env, automationSnapshot);
  queueNotificationPolicies(events, env);
  const publishing = (async () => {
    if (await eventSubscribersExist(env)) await eventStreamOf(env).publishEvents(events);
  })();
  keepAlive(publishing.catch((err) => console.error("event stream: could not publish events", err)));
}

export function publishLogs(logs: Log[], env: Bindings): void {
  if (!logs.length) return;
  let pending: Promise<unknown>;
  try {
    pending = eventStreamOf(env).publishLogs(logs);
  } catch (err) {
    console.error("event stream: could not publish logs", err);
    return;
  }
  keepAlive(Promise.resolve(pending).catch((err) => console.error("event stream: could not publish logs", err)));
}
