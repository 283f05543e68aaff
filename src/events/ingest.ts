import { z } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { insertEventStatements, MAX_RELATED_RESOURCES, withinEventSize, type StoredEvent } from "../db/queries/events";
import type { Batch, Statement } from "../db/batch";
import { Event } from "../schemas/prefect.gen";
import { normalizeUuid } from "../lib/ids";
import { isoNow, toIso } from "../lib/time";
import { yieldToEventLoop } from "../lib/event-loop";
import { recorderStatements } from "./task-run-recorder";
import { publishEvents } from "./publish";
import { automationSnapshotQuery, snapshotOf, type AutomationSnapshot } from "../db/queries/automation-snapshot";

export type { StoredEvent } from "../db/queries/events";

/** Prefect's server-side limits on an event (PREFECT_SERVER_EVENTS_MAXIMUM_*). */
const MAX_LABELS_PER_RESOURCE = 500;
const MAX_EVENT_NAME_LENGTH = 1024;

/** An Event with the checks Prefect's Event/Resource/RelatedResource models add to the schema. */
export const IncomingEvent = Event.superRefine((e, ctx) => {
  const resourceIssues = (r: Record<string, string>, path: (string | number)[], related: boolean) => {
    if (Object.keys(r).length > MAX_LABELS_PER_RESOURCE)
      ctx.addIssue({ code: "custom", path, message: `The maximum number of labels per resource is ${MAX_LABELS_PER_RESOURCE}` });
    if (!("prefect.resource.id" in r))
      ctx.addIssue({ code: "custom", path, message: "Resources must include the prefect.resource.id label" });
    else if (!r["prefect.resource.id"])
      ctx.addIssue({ code: "custom", path, message: "The prefect.resource.id label must be non-empty" });
    if (related && !("prefect.resource.role" in r))
      ctx.addIssue({ code: "custom", path, message: "Related Resources must include the prefect.resource.role label" });
    else if (related && !r["prefect.resource.role"])
      ctx.addIssue({ code: "custom", path, message: "The prefect.resource.role label must be non-empty" });
  };
  if (e.event.length > MAX_EVENT_NAME_LENGTH)
    ctx.addIssue({ code: "custom", path: ["event"], message: `Event name must be at most ${MAX_EVENT_NAME_LENGTH} characters` });
  resourceIssues(e.resource, ["resource"], false);
  if (e.related.length > MAX_RELATED_RESOURCES)
    ctx.addIssue({ code: "custom", path: ["related"], message: `The maximum number of related resources is ${MAX_RELATED_RESOURCES}` });
  e.related.forEach((r, i) => resourceIssues(r, ["related", i], true));
});
export type IncomingEvent = z.infer<typeof IncomingEvent>;

/** Stamps `received` and normalizes ids and timestamps, as Prefect's `Event.receive()`. */
export function receive(e: IncomingEvent, received = isoNow()): StoredEvent {
  return {
    id: normalizeUuid(e.id),
    occurred: toIso(e.occurred),
    received,
    event: e.event,
    resource: e.resource,
    related: e.related,
    payload: e.payload,
    follows: e.follows ? normalizeUuid(e.follows) : null,
  };
}

/** Everything ingesting these events writes: the events themselves, then what the recorder derives. */
export function ingestStatements(db: Db, events: StoredEvent[], now = isoNow()): Statement[] {
  return [...insertEventStatements(db, events), ...recorderStatements(db, events, now)];
}

async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length) await db.batch(statements as Batch);
}

/**
 * Runs the batch storing `events` and reads, in the same round trip, the automation table's
 * snapshot the automations router checks its index against (see router.ts).
 */
async function storeAndSnapshot(db: Db, statements: Statement[]): Promise<AutomationSnapshot> {
  const results = (await db.batch([...statements, automationSnapshotQuery(db)] as unknown as Batch)) as unknown[];
  return snapshotOf(results[results.length - 1] as Parameters<typeof snapshotOf>[0]);
}

/** D1 rejects oversized batches; flushes of many events are split into batches of this many. */
const EVENTS_PER_BATCH = 100;

/**
 * Persists received events and records task runs from them: one D1 batch (one round trip, one
 * transaction) per EVENTS_PER_BATCH events. Idempotent on event id, so a resend is harmless.
 * If a batch fails, its events are retried one by one so that a single event the recorder cannot
 * write does not hold back the others; such an event is then stored without its recorder effects
 * (Prefect's recorder likewise drops what it cannot write, while the event is still persisted).
 * The event loop turns between batches (other requests go on meanwhile).
 * Throws only when events themselves cannot be stored. Stored events are then published to the
 * event stream (/events/out subscribers). Events larger than Prefect's maximum size are dropped.
 */
export async function ingestEvents(env: Bindings, db: Db, received: StoredEvent[]): Promise<void> {
  const events = withinEventSize(received);
  for (let i = 0; i < events.length; i += EVENTS_PER_BATCH) {
    if (i > 0) await yieldToEventLoop();
    const chunk = events.slice(i, i + EVENTS_PER_BATCH);
    try {
      const snapshot = await storeAndSnapshot(db, ingestStatements(db, chunk));
      publishEvents(chunk, env, snapshot);
    } catch (err) {
      if (chunk.length === 1) {
        console.error("task-run recorder: dropping the effects of event", chunk[0].id, err);
        await runBatch(db, insertEventStatements(db, chunk));
        publishEvents(chunk, env);
        continue;
      }
      for (const e of chunk) await ingestEvents(env, db, [e]);
    }
  }
}
