import { and, sql } from "drizzle-orm";
import type { Db } from "../client";
import { flowRun, taskRun } from "../schema";
import { flowRunWhere, taskRunWhere, type ResourceFilters } from "../filters";
import { estimatedLatenessSql, estimatedRunTimeSql, micros } from "./flow-runs";
import { toIso } from "../../lib/time";
import type { HistoryResponse, HistoryResponseState } from "../../schemas/prefect.gen";

/** Prefect answers at most 500 intervals. */
const MAX_INTERVALS = 500;

/** An ISO timestamp (any offset) as integer microseconds since the epoch. */
export function isoToMicros(iso: string): number {
  const norm = toIso(iso);
  return Date.parse(`${norm.slice(0, 19)}Z`) * 1000 + Number(norm.slice(20, 26));
}

export function microsToIso(us: number): string {
  const secs = Math.floor(us / 1e6);
  const frac = us - secs * 1e6;
  return `${new Date(secs * 1000).toISOString().slice(0, 19)}.${String(frac).padStart(6, "0")}Z`;
}

const int = (n: number) => sql.raw(String(Math.trunc(n)));

export interface HistoryWindow {
  history_start: string;
  history_end: string;
  history_interval_seconds: number;
}

/**
 * Prefect's run history: the window cut into intervals of `history_interval_seconds` from
 * `history_start` (those starting before `history_end`, at most 500), and for each interval the
 * runs whose expected start falls in it, counted per state type and name with their summed
 * (positive) estimated run time and lateness. Empty intervals answer `states: []`.
 */
export async function runHistory(db: Db, kind: "flow_run" | "task_run", window: HistoryWindow, filters: ResourceFilters): Promise<HistoryResponse[]> {
  const where = kind === "flow_run" ? flowRunWhere(filters) : taskRunWhere(filters);
  const start = isoToMicros(window.history_start);
  const end = isoToMicros(window.history_end);
  const step = Math.max(1, Math.round(window.history_interval_seconds * 1e6));
  const intervals = end > start ? Math.min(MAX_INTERVALS, Math.ceil((end - start) / step)) : 0;
  if (intervals === 0) return [];
  const windowEnd = start + intervals * step;

  const t = kind === "flow_run" ? flowRun : taskRun;
  const nowMs = Date.now();
  const now = toIso(nowMs);
  const nowMicros = nowMs * 1000;
  const bucket = sql<number>`CAST((${micros(t.expected_start_time)} - ${int(start)}) / ${int(step)} AS INTEGER)`;
  const rows = await db
    .select({
      bucket,
      state_type: t.state_type,
      state_name: t.state_name,
      count_runs: sql<number>`count(*)`,
      run_time: sql<number>`sum(max(0, ${estimatedRunTimeSql(t, nowMicros)}))`,
      lateness: sql<number>`sum(max(0, ${estimatedLatenessSql(t, now, nowMicros)}))`,
    })
    .from(t)
    .where(
      and(
        sql`${t.expected_start_time} >= ${microsToIso(start)}`,
        sql`${t.expected_start_time} < ${microsToIso(windowEnd)}`,
        sql`${t.state_type} IS NOT NULL`,
        where,
      ),
    )
    .groupBy(sql`1`, t.state_type, t.state_name);

  const byBucket = new Map<number, HistoryResponseState[]>();
  for (const r of rows) {
    if (r.bucket < 0 || r.bucket >= intervals) continue;
    const list = byBucket.get(r.bucket) ?? [];
    list.push({
      state_type: r.state_type as HistoryResponseState["state_type"],
      state_name: r.state_name ?? "",
      count_runs: r.count_runs,
      sum_estimated_run_time: r.run_time ?? 0,
      sum_estimated_lateness: r.lateness ?? 0,
    });
    byBucket.set(r.bucket, list);
  }
  const out: HistoryResponse[] = [];
  for (let i = 0; i < intervals; i++) {
    const states = (byBucket.get(i) ?? []).sort(
      (a, b) => (a.state_type < b.state_type ? -1 : a.state_type > b.state_type ? 1 : a.state_name < b.state_name ? -1 : a.state_name > b.state_name ? 1 : 0),
    );
    out.push({ interval_start: microsToIso(start + i * step), interval_end: microsToIso(start + (i + 1) * step), states });
  }
  return out;
}
