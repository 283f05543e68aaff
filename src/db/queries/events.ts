import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Statement } from "../batch";
import type { Db } from "../client";
import { event, eventResource } from "../schema";
import { utf8Exceeds } from "../../lib/utf8";
import { chunks, rowsPerInsert } from "../insert-rows";

/** An event as the server keeps it: ids and timestamps normalized, `received` stamped. */
export interface StoredEvent {
  id: string;
  occurred: string;
  received: string;
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, any>;
  follows: string | null;
}

/** D1 binds at most 100 parameters per statement; multi-row inserts are chunked under it. */
const EVENT_ROWS = rowsPerInsert(event);
const RESOURCE_ROWS = rowsPerInsert(eventResource);


function withoutIdAndRole(resource: Record<string, string>): Record<string, string> {
  const { ["prefect.resource.id"]: _id, ["prefect.resource.role"]: _role, ...rest } = resource;
  return rest;
}

/**
 * The rows of `event_resource`: the primary resource (role "") and each related one. Their ids
 * derive from the event id and position, so re-inserting an event already stored (a client resends
 * after a reconnect) adds nothing — as Prefect, which writes resources only for new events.
 */
function resourceRows(e: StoredEvent): (typeof eventResource.$inferInsert)[] {
  return [e.resource, ...e.related].map((r, i) => ({
    id: `${e.id}:${i}`,
    occurred: e.occurred,
    resource_id: r["prefect.resource.id"],
    resource_role: i === 0 ? "" : (r["prefect.resource.role"] ?? ""),
    resource: withoutIdAndRole(r),
    event_id: e.id,
  }));
}

function eventRow(e: StoredEvent): typeof event.$inferInsert {
  return {
    id: e.id,
    occurred: e.occurred,
    received: e.received,
    event: e.event,
    resource_id: e.resource["prefect.resource.id"],
    resource: e.resource,
    related: e.related,
    related_resource_ids: e.related.map((r) => r["prefect.resource.id"]),
    payload: e.payload,
    follows: e.follows,
  };
}

/** Prefect's PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES: the largest event, as JSON, that is stored. */
export const MAX_EVENT_BYTES = 1_500_000;

/** Prefect's PREFECT_SERVER_EVENTS_MAXIMUM_RELATED_RESOURCES: the most related resources an event has. */
export const MAX_RELATED_RESOURCES = 100;

/**
 * A server-made event within MAX_RELATED_RESOURCES: beyond it (a run with many tags), the tags
 * that do not fit are left out, so that each event stays a bounded number of event_resource rows.
 */
export function withRelatedCapped<E extends StoredEvent>(e: E): E {
  if (e.related.length <= MAX_RELATED_RESOURCES) return e;
  let room = MAX_RELATED_RESOURCES - e.related.filter((r) => r["prefect.resource.role"] !== "tag").length;
  const related = e.related.filter((r) => r["prefect.resource.role"] !== "tag" || room-- > 0).slice(0, MAX_RELATED_RESOURCES);
  return { ...e, related };
}

/** The events within MAX_EVENT_BYTES; larger ones are dropped with a warning, as Prefect's publisher does. */
export function withinEventSize<E extends StoredEvent>(events: E[]): E[] {
  return events.filter((e) => {
    if (!utf8Exceeds(JSON.stringify(e), MAX_EVENT_BYTES)) return true;
    console.warn(`refusing to store event ${e.id} (${e.event.slice(0, 100)}): larger than ${MAX_EVENT_BYTES} bytes`);
    return false;
  });
}

/** Statements that store events and their resources, idempotent on event id. */
export function insertEventStatements(db: Db, events: StoredEvent[]): Statement[] {
  if (!events.length) return [];
  const rows = events.map(eventRow);
  const resources = events.flatMap(resourceRows);
  return [
    ...chunks(rows, EVENT_ROWS).map((c) => db.insert(event).values(c).onConflictDoNothing()),
    ...chunks(resources, RESOURCE_ROWS).map((c) => db.insert(eventResource).values(c).onConflictDoNothing()),
  ];
}

/** The `event` and `event_resource` rows that store `events`, as JSON arrays (see event_outbox). */
export function eventRowsJson(events: StoredEvent[]): { events: string; resources: string } {
  return { events: JSON.stringify(events.map(eventRow)), resources: JSON.stringify(events.flatMap(resourceRows)) };
}

/**
 * `INSERT … SELECT` of the rows held as JSON arrays in `source`'s `column` (each table column
 * read from the row's key of the same name), in source order; existing ids are skipped, so rows
 * moved twice are stored once.
 */
export function insertJsonRowsSql(table: SQLiteTable, source: { from: string; column: string; where: string; order: string }): string {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, c]) => `"${c.name}"`).join(", ");
  const values = columns.map(([key]) => `json_extract(r.value, '$.${key}')`).join(", ");
  return (
    `INSERT INTO "${getTableName(table)}" (${names}) SELECT ${values} FROM ${source.from}, json_each(${source.column}) AS r ` +
    `WHERE ${source.where} ORDER BY ${source.order}, r.key ON CONFLICT DO NOTHING`
  );
}
