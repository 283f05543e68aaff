import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { eventOutbox } from "../schema";
import { preparedStatement } from "../prepared";
import { eventRowsJson, withinEventSize, withRelatedCapped, type StoredEvent } from "./events";
import { flowRunStateStored } from "./run-states";
import { uuid7 } from "../../lib/ids";
import { isoNow, toIso } from "../../lib/time";

/*
 * The event outbox's rows (see src/events/outbox.ts for how they reach the event tables): a
 * server-made event, stamped, written in the batch of the change it describes.
 */

/** A server-made event: an id (time-ordered) and timestamps are filled in when absent. */
export interface ServerEvent {
  event: string;
  resource: Record<string, string>;
  related?: Record<string, string>[];
  payload?: Record<string, any>;
  occurred?: string;
  id?: string;
  follows?: string | null;
}

function serverEvent(e: ServerEvent, now: string): StoredEvent {
  return {
    id: e.id ?? uuid7(),
    occurred: e.occurred ? toIso(e.occurred) : now,
    received: now,
    event: e.event,
    resource: e.resource,
    related: e.related ?? [],
    payload: e.payload ?? {},
    follows: e.follows ?? null,
  };
}

/** Server-made events as stored: ids and timestamps stamped (see recordEvents). */
export function stampServerEvents(events: ServerEvent[]): StoredEvent[] {
  const now = isoNow();
  return withinEventSize(events.map((e) => withRelatedCapped(serverEvent(e, now))));
}

/**
 * What a write does with its server-made events once it has committed — implemented above the
 * storage layer (src/events/outbox.ts: `serverEvents(env)`), as Prefect emits events after the
 * transaction.
 */
export interface EventSink {
  /** Events whose outbox row was in the batch that committed: published, the outbox drained now and then. */
  committed(events: StoredEvent[]): void;
  /** Events describing a change that committed, stored now on their own (a failure is only logged). */
  emit(events: ServerEvent[]): Promise<void>;
}

/**
 * Server-made events written in the same drizzle batch as the change they describe: the outbox
 * statement to add to the batch, and what to call once the batch has committed.
 */
export function serverEventWrite(db: Db, sink: EventSink, events: ServerEvent[]) {
  const stored = stampServerEvents(events);
  return { statement: db.insert(eventOutbox).values(eventRowsJson(stored)), committed: () => sink.committed(stored) };
}

/**
 * The outbox row for `events`, prepared (no query building: hot paths), to append to the raw D1
 * batch (runWrites) of the change they describe — with `ifStateStored`, only if that flow-run
 * state row is stored by then (a transition that may write nothing, see FlowRunGuard). Batches
 * built with drizzle use serverEventWrite.
 */
export function eventOutboxStatement(db: Db, events: StoredEvent[], opts: { ifStateStored?: string } = {}): D1PreparedStatement {
  const values = eventRowsJson(events);
  if (!opts.ifStateStored) {
    return preparedStatement(
      db,
      "event_outbox",
      () => db.insert(eventOutbox).values({ events: sql.placeholder("events") as unknown as string, resources: sql.placeholder("resources") as unknown as string }),
      values,
    );
  }
  return preparedStatement(
    db,
    "event_outbox:if-state-stored",
    () =>
      sql`INSERT INTO ${eventOutbox} (${sql.identifier(eventOutbox.events.name)}, ${sql.identifier(eventOutbox.resources.name)})
          SELECT ${sql.placeholder("events")}, ${sql.placeholder("resources")}
          WHERE ${flowRunStateStored()}`,
    { ...values, state_id: opts.ifStateStored },
  );
}
