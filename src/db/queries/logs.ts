import { asc, desc, sql } from "drizzle-orm";
import type { Db } from "../client";
import { readPaged } from "../page";
import { mapPieces, type Pieces } from "../../lib/pieces";
import { log } from "../schema";
import { whereOf } from "../filters/core";
import { logFilterSpec } from "../filters/logs";
import { normalizeUuid, uuid7 } from "../../lib/ids";
import { isoNow, toIso } from "../../lib/time";
import { yieldToEventLoop } from "../../lib/event-loop";
import type { Log, LogCreate, LogFilter, LogSort } from "../../schemas/prefect.gen";

type LogRow = typeof log.$inferSelect;
/** A row as createLogs writes it (worker_id is not written: it stays NULL). */
type NewLogRow = Omit<LogRow, "worker_id">;

export function toLog(r: NewLogRow): Log {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    name: r.name,
    level: r.level,
    message: r.message,
    timestamp: r.timestamp,
    flow_run_id: r.flow_run_id,
    task_run_id: r.task_run_id,
  };
}

/** 9 columns a row; D1 binds at most 100 parameters per statement. */
const ROWS_PER_INSERT = 11;
const STATEMENTS_PER_BATCH = 200;

const stripNul = (s: string) => s.replaceAll("\x00", "");

const ROWS_PER_BATCH = ROWS_PER_INSERT * STATEMENTS_PER_BATCH;

/**
 * Stores logs, in one round trip up to ROWS_PER_BATCH of them (multi-row inserts in one batch);
 * `committed` is told each batch's rows once stored. The SDK posts up to ~4 MB of logs at once;
 * a larger post takes more than one batch, each built only when its turn comes (memory), the event
 * loop turning in between (other requests go on meanwhile).
 */
export async function createLogs(db: Db, logs: LogCreate[], committed?: (rows: NewLogRow[]) => void): Promise<void> {
  const now = isoNow();
  for (let at = 0; at < logs.length; at += ROWS_PER_BATCH) {
    if (at > 0) await yieldToEventLoop();
    const rows: NewLogRow[] = logs.slice(at, at + ROWS_PER_BATCH).map((l) => ({
      id: uuid7(),
      created: now,
      updated: now,
      name: stripNul(l.name),
      level: l.level,
      message: stripNul(l.message),
      timestamp: toIso(l.timestamp),
      flow_run_id: l.flow_run_id ? normalizeUuid(l.flow_run_id) : null,
      task_run_id: l.task_run_id ? normalizeUuid(l.task_run_id) : null,
    }));
    const statements = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) statements.push(db.insert(log).values(rows.slice(i, i + ROWS_PER_INSERT)));
    await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    committed?.(rows);
  }
}

/** Ids in a filter compared as stored: lower case, hyphenated. */
function normalizedFilter(filter: LogFilter | null | undefined): LogFilter | null | undefined {
  if (!filter) return filter;
  const ids = (sub: { any_?: string[] | null } | null | undefined) =>
    sub?.any_ ? { ...sub, any_: sub.any_.map(normalizeUuid) } : sub;
  return { ...filter, flow_run_id: ids(filter.flow_run_id), task_run_id: ids(filter.task_run_id) };
}

// Ties keep insertion order (rowid), as SQLite answers Prefect's timestamp-only sort.
const LOG_SORTS: Record<LogSort, ReturnType<typeof asc>[]> = {
  TIMESTAMP_ASC: [asc(log.timestamp), sql`${log}.rowid ASC` as any],
  TIMESTAMP_DESC: [desc(log.timestamp), sql`${log}.rowid DESC` as any],
};

/** A page of logs, in pieces bounded by bytes (page.ts: a log line holds up to ~1.9 MB). */
export async function readLogs(db: Db, filter: LogFilter | null | undefined, sort: LogSort, limit: number, offset: number): Promise<Pieces<Log>> {
  const page = { where: whereOf(logFilterSpec, normalizedFilter(filter)), orderBy: LOG_SORTS[sort], limit, offset };
  return mapPieces(await readPaged(db, db.select().from(log).$dynamic(), page), (rows) => rows.map(toLog));
}
