import { keepAlive } from "../lib/keep-alive";
import { databaseOf, d1Of, type Db } from "../db/client";
import { event, eventResource } from "../db/schema";
import { insertJsonRowsSql, type StoredEvent } from "../db/queries/events";
import { eventOutboxStatement, stampServerEvents, type EventSink, type ServerEvent } from "../db/queries/event-outbox";
import type { Bindings } from "../env";
import { publishEvents } from "./publish";
import { yieldToEventLoop } from "../lib/event-loop";

/**
 * Server-made events are stored through a transactional outbox: the change they describe writes
 * one unindexed `event_outbox` row in its own D1 batch, and the rows are moved into `event` /
 * `event_resource` in bulk, in SQL, by drainEventOutbox — the role of Prefect's event persister,
 * which also stores events in batches. Indexing each event (and its resources) on the request's
 * path cost more than the state change itself.
 *
 * Draining happens before anything reads events (`/events/*`, the `/events/out` backfill), after
 * every DRAIN_AFTER_EVENTS events or DRAIN_AFTER_MS an isolate records, and on every cron pass.
 */

/** Outbox rows moved per D1 batch. */
const OUTBOX_ROWS_PER_DRAIN = 200;
export const DRAIN_AFTER_EVENTS = 100;
export const DRAIN_AFTER_MS = 1000;
/** Of a row dropped from the outbox, this much of its events (and of the error) is logged. */
export const LOGGED_CHARS = 1000;

/** The statements moving the `rows` oldest outbox rows into the event tables. */
function drainSql(rows: number): string[] {
  const oldest = `o.id IN (SELECT id FROM event_outbox ORDER BY id LIMIT ${rows})`;
  return [
    insertJsonRowsSql(event, { from: "event_outbox AS o", column: "o.events", where: oldest, order: "o.id" }),
    insertJsonRowsSql(eventResource, { from: "event_outbox AS o", column: "o.resources", where: oldest, order: "o.id" }),
    `DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox ORDER BY id LIMIT ${rows})`,
  ];
}
const DRAIN_SQL = drainSql(OUTBOX_ROWS_PER_DRAIN);
const DRAIN_ONE_SQL = drainSql(1);

async function drainOnce(d1: D1Database, statements: string[]): Promise<number> {
  const results = await d1.batch(statements.map((q) => d1.prepare(q)));
  return results[2]?.meta.changes ?? 0;
}

/**
 * Moves every outbox row into the event tables, oldest first, OUTBOX_ROWS_PER_DRAIN rows per
 * D1 batch (one transaction each). Concurrent drains are harmless: ids are unique. Should a batch
 * fail, rows are moved one by one, and a row that cannot be stored is logged and dropped rather
 * than holding back every event after it. The event loop turns between batches.
 */
export async function drainEventOutbox(db: Db): Promise<void> {
  const d1 = d1Of(db);
  for (let drained = 0; ; drained++) {
    if (drained > 0) await yieldToEventLoop();
    try {
      if ((await drainOnce(d1, DRAIN_SQL)) < OUTBOX_ROWS_PER_DRAIN) return;
    } catch (err) {
      console.error("event outbox: a drain failed; moving rows one by one", err);
      for (let i = 0; i < OUTBOX_ROWS_PER_DRAIN; i++) {
        try {
          if ((await drainOnce(d1, DRAIN_ONE_SQL)) === 0) return;
        } catch (rowErr) {
          // What is logged stays small: a row's events may run to megabytes.
          const row = await d1.prepare(`SELECT id, length(events) AS chars, substr(events, 1, ${LOGGED_CHARS}) AS events FROM event_outbox ORDER BY id LIMIT 1`).first();
          console.error("event outbox: dropping a row that cannot be stored", row, String(rowErr).slice(0, LOGGED_CHARS));
          if (row) await d1.prepare("DELETE FROM event_outbox WHERE id = ?").bind(row.id).run();
        }
      }
    }
  }
}

/** Drains before a read; a failed drain is logged, and the reader sees what is already stored. */
export async function drainBeforeReading(db: Db): Promise<void> {
  try {
    await drainEventOutbox(db);
  } catch (err) {
    console.error("event outbox: could not drain before a read", err);
  }
}

let recordedSinceDrain = 0;
let lastDrain = 0;

/**
 * After the batch holding `events`' outbox row has committed: publishes them to /events/out
 * subscribers and, every DRAIN_AFTER_EVENTS events or DRAIN_AFTER_MS, drains the outbox once
 * the response is sent.
 */
export function eventsCommitted(events: StoredEvent[], env: Bindings): void {
  if (!events.length) return;
  publishEvents(events, env);
  recordedSinceDrain += events.length;
  const now = Date.now();
  if (recordedSinceDrain < DRAIN_AFTER_EVENTS && now - lastDrain < DRAIN_AFTER_MS) return;
  recordedSinceDrain = 0;
  lastDrain = now;
  keepAlive(drainEventOutbox(databaseOf(env)).catch((err) => console.error("event outbox: drain failed", err)));
}

/** Stores server-made events on their own (one D1 round trip) and publishes them. */
export async function recordEvents(events: StoredEvent[], env: Bindings): Promise<void> {
  if (!events.length) return;
  await eventOutboxStatement(databaseOf(env), events).run();
  eventsCommitted(events, env);
}

/**
 * Stores and publishes server-made events (e.g. `prefect.flow-run.Running` on a state change),
 * once the write they describe has committed — as Prefect emits its events after the transaction.
 * They reach the event tables through the event outbox (recordEvents).
 */
export async function emitEvents(events: ServerEvent[], env: Bindings): Promise<void> {
  try {
    await recordEvents(stampServerEvents(events), env);
  } catch (err) {
    // The change they describe has committed: its answer stands (Prefect, too, emits after commit).
    console.error("events: could not store server-made events", err);
  }
}

/** The event sink of writes in db/queries (EventSink) for this Worker's bindings. */
export function serverEvents(env: Bindings): EventSink {
  return { committed: (events) => eventsCommitted(events, env), emit: (events) => emitEvents(events, env) };
}
