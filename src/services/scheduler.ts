import { eq } from "drizzle-orm";
import { inList } from "../db/lists";
import { d1Of, type Db } from "../db/client";
import { deployment, workPool, workQueue } from "../db/schema";
import { readSchedules, schedulableDeployments, type DeploymentRow } from "../db/queries/deployment-schedules";
import type { DeploymentSchedule } from "../schemas/prefect.gen";
import { uuid7 } from "../lib/ids";
import { generateRunName as generateName } from "../lib/names";
import { isoNow } from "../lib/time";
import { toState } from "../schemas/serialize";
import { newState } from "../orchestration/states";
import {
  autoScheduledIdempotencyKey,
  datesToSchedule,
  DEFAULT_SCHEDULE_LIMITS,
  SCHEDULER_DEPLOYMENT_BATCH_SIZE,
  type ScheduleLimits,
} from "../lib/schedules";

/**
 * Prefect's scheduler service: future SCHEDULED runs for the active schedules of unpaused
 * deployments, far enough ahead (min runs / min time) and no further (max runs / max time).
 * Each run carries the idempotency key `scheduled <deployment> <schedule> <date>`, so repeated
 * passes — the Cron Trigger every minute, and the on-demand pass after a deployment or schedule
 * changes — never create a run twice. Runs are inserted directly (no orchestration), as
 * Prefect's scheduler does, in batches of INSERTS_PER_BATCH runs per D1 round trip.
 */

const INSERTS_PER_BATCH = 50;

type QueueInfo = { id: string; name: string; poolId: string; poolName: string };

export interface ScheduleOptions extends Partial<ScheduleLimits> {
  now?: string;
  /** Mark runs auto-scheduled (the scheduler) or not (a manual `schedule` call). */
  autoScheduled?: boolean;
}

/** The run rows (with their first state) one deployment's schedules call for. */
export function scheduledRuns(
  deployment: DeploymentRow,
  schedules: DeploymentSchedule[],
  queue: QueueInfo | null,
  opts: ScheduleOptions = {},
): { run: Record<string, unknown>; state: ReturnType<typeof newState> }[] {
  const now = opts.now ?? isoNow();
  const autoScheduled = opts.autoScheduled ?? true;
  const out: { run: Record<string, unknown>; state: ReturnType<typeof newState> }[] = [];
  for (const schedule of schedules) {
    if (schedule.active === false) continue;
    const dates = datesToSchedule(schedule.schedule as any, now, opts);
    const tags = autoScheduled ? ["auto-scheduled", ...(deployment.tags ?? [])] : (deployment.tags ?? []);
    const parameters = { ...(deployment.parameters ?? {}), ...((schedule as any).parameters ?? {}) };
    const labels = { ...(deployment.labels ?? {}), "prefect.flow.id": deployment.flow_id, "prefect.deployment.id": deployment.id };
    for (const date of dates) {
      const id = uuid7();
      const state = newState({ type: "SCHEDULED", message: "Flow run scheduled", state_details: { scheduled_time: date, flow_run_id: id } }, now);
      out.push({
        state,
        run: {
          id,
          created: now,
          updated: now,
          name: generateName(),
          flow_id: deployment.flow_id,
          deployment_id: deployment.id,
          deployment_version: deployment.version,
          work_queue_name: deployment.work_queue_name,
          work_queue_id: deployment.work_queue_id,
          work_pool_id: queue?.poolId ?? null,
          work_pool_name: queue?.poolName ?? null,
          parameters,
          infrastructure_document_id: deployment.infrastructure_document_id,
          idempotency_key: autoScheduledIdempotencyKey(deployment.id, schedule.id, date, schedule.schedule as any),
          tags,
          labels,
          auto_scheduled: autoScheduled,
          state_id: state.id,
          state_type: "SCHEDULED",
          state_name: "Scheduled",
          state_timestamp: state.timestamp,
          state: toState(state),
          next_scheduled_start_time: date,
          expected_start_time: date,
          created_by: { id: schedule.id, display_value: (schedule as any).slug || scheduleClassName(schedule.schedule), type: "SCHEDULE" },
          job_variables: {},
        },
      });
    }
  }
  return out;
}

function scheduleClassName(schedule: unknown): string {
  const s = schedule as Record<string, unknown>;
  return "interval" in s ? "IntervalSchedule" : "cron" in s ? "CronSchedule" : "RRuleSchedule";
}



const RUN_COLUMNS = [
  "id", "created", "updated", "name", "flow_id", "deployment_id", "deployment_version", "work_queue_name", "work_queue_id",
  "work_pool_id", "work_pool_name", "parameters", "infrastructure_document_id", "idempotency_key", "tags", "labels",
  "auto_scheduled", "state_id", "state_type", "state_name", "state_timestamp", "state", "next_scheduled_start_time",
  "expected_start_time", "created_by", "job_variables",
] as const;

const encode = (v: unknown) => (v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : typeof v === "boolean" ? (v ? 1 : 0) : v);

/**
 * Inserts generated runs, skipping any whose idempotency key already exists; a run's state row
 * is written only when its run was (the state insert checks the run carries that state id).
 */
export async function insertScheduledRuns(db: Db, runs: ReturnType<typeof scheduledRuns>): Promise<string[]> {
  const d1 = d1Of(db);
  const created: string[] = [];
  for (let i = 0; i < runs.length; i += INSERTS_PER_BATCH) {
    const chunk = runs.slice(i, i + INSERTS_PER_BATCH);
    const statements: D1PreparedStatement[] = [];
    for (const { run, state } of chunk) {
      statements.push(
        d1
          .prepare(`INSERT INTO flow_run (${RUN_COLUMNS.join(", ")}) VALUES (${RUN_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING RETURNING id`)
          .bind(...RUN_COLUMNS.map((c) => encode(run[c]))),
        d1
          .prepare(
            `INSERT INTO flow_run_state (id, created, updated, type, timestamp, name, message, state_details, data, flow_run_id)
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, NULL, ? WHERE EXISTS (SELECT 1 FROM flow_run WHERE id = ? AND state_id = ?)`,
          )
          .bind(state.id, state.timestamp, state.timestamp, state.type, state.timestamp, state.name, state.message, JSON.stringify(state.state_details), run.id, run.id, state.id),
      );
    }
    const results = await d1.batch(statements);
    for (let j = 0; j < results.length; j += 2) {
      const row = (results[j].results as { id: string }[])[0];
      if (row) created.push(row.id);
    }
  }
  return created;
}

async function queuesOf(db: Db, ids: string[]): Promise<Map<string, QueueInfo>> {
  if (!ids.length) return new Map();
  const rows = await db
    .select({ id: workQueue.id, name: workQueue.name, poolId: workPool.id, poolName: workPool.name })
    .from(workQueue)
    .innerJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .where(inList(workQueue.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Schedules one deployment's active schedules now (the manual `schedule` route and the on-demand
 * pass after a deployment or its schedules change). Returns null when the deployment does not exist.
 */
export async function scheduleDeployment(db: Db, deploymentId: string, opts: ScheduleOptions = {}): Promise<string[] | null> {
  const [dep] = await db.select().from(deployment).where(eq(deployment.id, deploymentId));
  if (!dep) return null;
  const schedules = (await readSchedules(db, deploymentId)).filter((s) => s.active !== false);
  if (dep.paused || !schedules.length) return [];
  const queues = await queuesOf(db, dep.work_queue_id ? [dep.work_queue_id] : []);
  const limits = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const runs = scheduledRuns(dep, schedules, dep.work_queue_id ? (queues.get(dep.work_queue_id) ?? null) : null, { ...DEFAULT_SCHEDULE_LIMITS, ...limits });
  return insertScheduledRuns(db, runs);
}

/** One pass of the scheduler over every schedulable deployment (or those updated since `updatedSince`). */
export async function scheduleDeployments(db: Db, opts: ScheduleOptions & { updatedSince?: string } = {}): Promise<string[]> {
  const created: string[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await schedulableDeployments(db, { limit: SCHEDULER_DEPLOYMENT_BATCH_SIZE, afterId, updatedSince: opts.updatedSince });
    if (!page.length) break;
    const queues = await queuesOf(db, [...new Set(page.map((p) => p.deployment.work_queue_id).filter((q): q is string => !!q))]);
    const runs = page.flatMap(({ deployment, schedules }) =>
      scheduledRuns(deployment, schedules, deployment.work_queue_id ? (queues.get(deployment.work_queue_id) ?? null) : null, {
        ...DEFAULT_SCHEDULE_LIMITS,
        ...opts,
      }),
    );
    created.push(...(await insertScheduledRuns(db, runs)));
    afterId = page[page.length - 1].deployment.id;
    if (page.length < SCHEDULER_DEPLOYMENT_BATCH_SIZE) break;
  }
  return created;
}
