import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { readPaged, readPagedWith } from "../page";
import { mapPieces, type Pieces } from "../../lib/pieces";
import { event } from "../schema";
import type { StoredEvent } from "./events";
import { logicalLimit, resolveEventFilter, type ResolvedEventFilter } from "../filters/events";
import { eventFilterWhere } from "../filters/events-sql";
import { EventFilter, type Countable, type TimeUnit } from "../../schemas/prefect.gen";

type EventRow = typeof event.$inferSelect;

/** A ReceivedEvent as Prefect answers it (its field order). */
export interface ReceivedEventJson {
  occurred: string;
  event: string;
  resource: Record<string, string>;
  related: Record<string, string>[];
  payload: Record<string, any>;
  id: string;
  follows: string | null;
  received: string;
}

export function toReceivedEvent(e: StoredEvent | EventRow): ReceivedEventJson {
  return {
    occurred: e.occurred,
    event: e.event,
    resource: e.resource as Record<string, string>,
    related: e.related as Record<string, string>[],
    payload: e.payload as Record<string, any>,
    id: e.id,
    follows: e.follows ?? null,
    received: e.received,
  };
}

/** The interactive page size of POST /events/filter (Prefect's INTERACTIVE_PAGE_SIZE). */
export const INTERACTIVE_PAGE_SIZE = 50;

const direction = (f: ResolvedEventFilter) => sql.raw(f.order === "ASC" ? "ASC" : "DESC");

/** A page of matching events (read in pieces bounded by bytes: an event holds up to 1.5 MB, page.ts). */
function readEventPage(db: Db, f: ResolvedEventFilter, limit: number, offset: number) {
  const where = eventFilterWhere(f);
  const dir = direction(f);
  const condition = f.resource?.distinct
    ? sql`"event"."id" IN (SELECT id FROM (SELECT "event"."id" AS id, row_number() OVER (PARTITION BY "event"."resource_id" ORDER BY "event"."occurred" ${dir}) AS rn FROM "event" WHERE ${where}) WHERE rn = 1)`
    : where;
  return {
    query: db.select().from(event).$dynamic(),
    page: {
      where: condition,
      // Ties in `occurred` keep arrival order, so that pages neither overlap nor skip.
      orderBy: [sql`"event"."occurred" ${dir}`, sql`"event"."rowid" ${dir}`],
      limit: Math.max(0, Math.min(limit, logicalLimit(f))),
      offset,
    },
  };
}

function countQuery(db: Db, f: ResolvedEventFilter) {
  const counted = f.resource?.distinct ? sql`count(DISTINCT "event"."resource_id")` : sql`count(*)`;
  return db
    .select({ n: sql<number>`${counted}` })
    .from(event)
    .where(eventFilterWhere(f));
}

/** Matching events in the filter's order, in pieces; with `resource.distinct`, the first event of each resource. */
export async function readEvents(db: Db, f: ResolvedEventFilter, limit: number, offset: number): Promise<Pieces<ReceivedEventJson>> {
  const { query, page } = readEventPage(db, f, limit, offset);
  return mapPieces(await readPaged(db, query, page), (rows) => rows.map(toReceivedEvent));
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

export class InvalidPageToken extends Error {}

interface PageState {
  filter: ResolvedEventFilter;
  count: number;
  page_size: number;
  offset: number;
}

export interface EventsPage {
  events: Pieces<ReceivedEventJson>;
  total: number;
  /** The token of the next page (null on the last one). */
  next: string | null;
}

function b64encode(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function b64decode(text: string): string {
  const bin = atob(text);
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** Like Prefect's, the token carries the whole query: the resolved filter, the total, the page size and the offset. */
function toPageToken(filter: ResolvedEventFilter, count: number, pageSize: number, offset: number): string | null {
  if (offset + pageSize >= count) return null;
  return b64encode(JSON.stringify({ filter, count, page_size: pageSize, offset: offset + pageSize }));
}

function fromPageToken(token: string): PageState {
  let parsed: any;
  try {
    parsed = JSON.parse(b64decode(token));
  } catch {
    throw new InvalidPageToken("Unable to parse page token");
  }
  const filter = EventFilter.safeParse(parsed?.filter);
  const ints = [parsed?.count, parsed?.page_size, parsed?.offset];
  if (!filter.success || !ints.every((n) => Number.isInteger(n) && n >= 0)) throw new InvalidPageToken("Invalid page token");
  return { filter: resolveEventFilter(filter.data), count: parsed.count, page_size: parsed.page_size, offset: parsed.offset };
}

/** The first page of a query, with the total, in one D1 round trip. */
export async function queryEvents(db: Db, f: ResolvedEventFilter, pageSize = INTERACTIVE_PAGE_SIZE): Promise<EventsPage> {
  const { query, page } = readEventPage(db, f, pageSize, 0);
  const [rows, counted] = await readPagedWith(db, query, page, countQuery(db, f));
  const total = Number(counted[0]?.n ?? 0);
  return { events: mapPieces(rows, (piece) => piece.map(toReceivedEvent)), total, next: toPageToken(f, total, pageSize, 0) };
}

/** The page a token points at; the total is the one counted for the first page. */
export async function queryNextPage(db: Db, token: string): Promise<EventsPage> {
  const { filter, count, page_size, offset } = fromPageToken(token);
  const events = await readEvents(db, filter, page_size, offset);
  return { events, total: count, next: toPageToken(filter, count, page_size, offset) };
}

/** The link to a page, as Prefect builds it: the token base64-encoded once more. */
export function nextPageLink(baseUrl: string, token: string | null): string | null {
  return token ? `${baseUrl}api/events/filter/next?page-token=${b64encode(token)}` : null;
}

// ---------------------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------------------

export class InvalidCountParameters extends Error {}

export interface EventCountJson {
  value: string;
  label: string;
  count: number;
  start_time: string;
  end_time: string;
}

/** Time buckets are counted from this Monday (Prefect's PIVOT_DATETIME), in microseconds. */
const PIVOT_US = Date.UTC(2024, 3, 1) * 1000;
const UNIT_US: Record<TimeUnit, number> = { week: 7 * 86_400e6, day: 86_400e6, hour: 3_600e6, minute: 60e6, second: 1e6 };
const MAX_BUCKETS = 1000;

function microsOf(iso: string): number {
  const ms = Math.floor(Date.parse(iso) / 1000) * 1000;
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? "0";
  return ms * 1000 + Number(frac.padEnd(6, "0").slice(0, 6));
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function isoOfMicros(us: number): { base: string; micro: number } {
  const ms = Math.floor(us / 1000);
  const micro = us - Math.floor(us / 1e6) * 1e6;
  return { base: new Date(ms).toISOString().slice(0, 19), micro };
}

/** As the API writes timestamps: microseconds, UTC `Z`. */
function timestampOf(us: number): string {
  const { base, micro } = isoOfMicros(us);
  return `${base}.${pad(micro, 6)}Z`;
}

/** Python's `datetime.isoformat()` of a UTC datetime (the label of a time bucket). */
function pythonIsoformat(us: number): string {
  const { base, micro } = isoOfMicros(us);
  return `${base}${micro ? `.${pad(micro, 6)}` : ""}+00:00`;
}

function deltaOf(unit: TimeUnit, interval: number): number {
  return Math.round(UNIT_US[unit] * interval);
}

export function validateBuckets(unit: TimeUnit, interval: number, since: string, until: string): void {
  if (interval < 0.01) throw new InvalidCountParameters("The minimum interval is 0.01");
  const buckets = Math.ceil((microsOf(until) - microsOf(since)) / deltaOf(unit, interval));
  if (buckets > MAX_BUCKETS)
    throw new InvalidCountParameters(
      `The given interval would create ${buckets} buckets, which is too many. Please increase the interval or reduce the time range to produce ${MAX_BUCKETS} buckets or fewer.`,
    );
}

/** The last microsecond of the unit `now` falls in (weeks end on Sunday). */
function endOfPeriod(nowUs: number, unit: TimeUnit): number {
  const second = Math.floor(nowUs / 1e6) * 1e6;
  const d = new Date(second / 1000);
  switch (unit) {
    case "second":
      return second + 999_999;
    case "minute":
      return second + (59 - d.getUTCSeconds()) * 1e6 + 999_999;
    case "hour":
      return second + ((59 - d.getUTCMinutes()) * 60 + (59 - d.getUTCSeconds())) * 1e6 + 999_999;
    case "day":
    case "week": {
      const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) * 1000;
      const toSunday = unit === "week" ? (7 - (d.getUTCDay() || 7)) : 0;
      return dayStart + (toSunday + 1) * 86_400e6 - 1;
    }
  }
}

/** The buckets from the one holding `since` up to `until` (or the end of the current unit). */
function intervalSpans(unit: TimeUnit, interval: number, since: string, until: string, nowUs: number) {
  const delta = deltaOf(unit, interval);
  let end = microsOf(until);
  if (end > nowUs) end = endOfPeriod(nowUs, unit);
  const first = Math.floor((microsOf(since) - PIVOT_US) / delta);
  const spans: [number, number][] = [];
  for (let start = PIVOT_US + delta * first; start < end; start += delta) spans.push([start, start + delta - 1]);
  return { first, spans };
}

/** The bucket (index since the pivot) an event falls in, by whole seconds as on SQLite. */
function bucketExpression(deltaSeconds: number) {
  const x = sql`((CAST(strftime('%s', "event"."occurred") AS INTEGER) - ${PIVOT_US / 1e6}) * 1.0 / ${deltaSeconds})`;
  return sql`(CAST(${x} AS INTEGER) - (${x} < CAST(${x} AS INTEGER)))`;
}

/**
 * Prefect's event counts. By `day`/`time`: one entry per bucket in the window, empty ones included,
 * valued by their position; by `event`/`resource`: one entry per name or resource id, labelled
 * with the resource's latest name, most frequent first.
 */
export async function countEvents(
  db: Db,
  f: ResolvedEventFilter,
  countable: Countable,
  unit: TimeUnit,
  interval: number,
  now = new Date(),
): Promise<EventCountJson[]> {
  validateBuckets(unit, interval, f.occurred.since, f.occurred.until);
  const where = eventFilterWhere(f);
  if (countable === "day" || countable === "time") {
    // `day` buckets by whole days; the spans it is reported in are those of the requested unit, as in Prefect.
    const bucket = countable === "day" ? bucketExpression(86_400) : bucketExpression(deltaOf(unit, interval) / 1e6);
    const rows = await db.all<{ value: number; count: number }>(
      sql`SELECT ${bucket} AS value, count(*) AS count FROM "event" WHERE ${where} GROUP BY 1`,
    );
    const { first, spans } = intervalSpans(unit, interval, f.occurred.since, f.occurred.until, now.getTime() * 1000);
    const counts: EventCountJson[] = spans.map(([start, end], i) => ({
      value: String(i),
      label: pythonIsoformat(start),
      count: 0,
      start_time: timestampOf(start),
      end_time: timestampOf(end),
    }));
    for (const row of rows) {
      const index = Number(row.value) - first;
      if (index >= 0 && index < counts.length) counts[index].count = Number(row.count);
    }
    return counts;
  }
  const value = countable === "event" ? sql`"event"."event"` : sql`"event"."resource_id"`;
  const label =
    countable === "event"
      ? sql`"event"."event"`
      : sql`coalesce(json_extract("event"."resource", '$."prefect.resource.name"'), json_extract("event"."resource", '$."prefect.name"'), "event"."resource_id")`;
  const rows = await db.all<{ value: string; label: string; count: number; start_time: string; end_time: string }>(sql`
    WITH fundamental AS (
      SELECT ${value} AS value, ${label} AS label, max("event"."occurred") AS latest, min("event"."occurred") AS oldest, count(*) AS count
      FROM "event" WHERE ${where} GROUP BY 1, 2
    ), with_latest_labels AS (
      SELECT value, first_value(label) OVER (PARTITION BY value ORDER BY latest DESC) AS label, latest, oldest, count FROM fundamental
    )
    SELECT value, label, sum(count) AS count, min(oldest) AS start_time, max(latest) AS end_time
    FROM with_latest_labels GROUP BY value, label ORDER BY sum(count) DESC, label ASC`);
  return rows.map((r) => ({
    value: String(r.value),
    label: String(r.label),
    count: Number(r.count),
    start_time: r.start_time,
    end_time: r.end_time,
  }));
}
