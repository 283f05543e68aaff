import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { inList } from "../lists";
import type { Db } from "../client";
import { readPagedWith } from "../page";
import { allOf } from "../../lib/pieces";
import { deployment, deploymentSchedule, flowRun, flowRunState } from "../schema";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { normalizeSchedule, type ScheduleCreateInput, type ScheduleUpdateInput } from "../../schemas/deployment-compat";
import type { DeploymentSchedule } from "../../schemas/prefect.gen";

export type ScheduleRow = typeof deploymentSchedule.$inferSelect;
import type { Batch, Statement } from "../batch";

export function toDeploymentSchedule(row: ScheduleRow): DeploymentSchedule {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    deployment_id: row.deployment_id,
    schedule: row.schedule,
    active: row.active,
    max_scheduled_runs: row.max_scheduled_runs,
    parameters: row.parameters,
    slug: row.slug,
  };
}

/**
 * A deployment's schedules as one JSON array, for reading deployments in a single query; `_rowid`
 * keeps insertion order for ties (see parseSchedulesJson).
 */
export function schedulesJsonSql(deploymentId: SQL | typeof deployment.id = deployment.id): SQL<string> {
  const s = deploymentSchedule;
  return sql<string>`(SELECT json_group_array(json_object('id', ${s.id}, 'created', ${s.created}, 'updated', ${s.updated}, 'deployment_id', ${s.deployment_id}, 'schedule', json(${s.schedule}), 'active', json(CASE WHEN ${s.active} THEN 'true' ELSE 'false' END), 'max_scheduled_runs', ${s.max_scheduled_runs}, 'parameters', json(${s.parameters}), 'slug', ${s.slug}, '_rowid', ${s}.rowid)) FROM ${s} WHERE ${s.deployment_id} = ${deploymentId})`;
}

/** Most recently updated first, as Prefect orders a deployment's schedules. */
export function sortSchedules<T extends { updated: string | null; _rowid?: number }>(list: T[]): T[] {
  return list.sort((a, b) => ((a.updated ?? "") < (b.updated ?? "") ? 1 : (a.updated ?? "") > (b.updated ?? "") ? -1 : (a._rowid ?? 0) - (b._rowid ?? 0)));
}

export function parseSchedulesJson(text: string | null | undefined): DeploymentSchedule[] {
  const list = JSON.parse(text || "[]") as (DeploymentSchedule & { _rowid?: number })[];
  return sortSchedules(list).map(({ _rowid: _r, ...s }) => s);
}

// ---- scheduled runs a deployment change invalidates ----

export interface ScheduledRunsScope {
  /** Only runs the scheduler made (auto_scheduled). */
  autoScheduledOnly?: boolean;
  /** Only runs due after `now`. */
  futureOnly?: boolean;
  now?: string;
}

/**
 * Prefect's rule for the runs a deployment change deletes: SCHEDULED, never run, not waiting
 * for a concurrency slot (AwaitingConcurrencySlot), optionally only auto-scheduled / only future ones.
 */
export function scheduledRunsCond(deploymentIds: SQL | string[], scope: ScheduledRunsScope = {}): SQL {
  const conds: SQL[] = [
    Array.isArray(deploymentIds) ? inList(flowRun.deployment_id, deploymentIds) : sql`${flowRun.deployment_id} IN ${deploymentIds}`,
    eq(flowRun.state_type, "SCHEDULED"),
    sql`coalesce(${flowRun.state_name}, '') != 'AwaitingConcurrencySlot'`,
    eq(flowRun.run_count, 0),
  ];
  if (scope.autoScheduledOnly) conds.push(eq(flowRun.auto_scheduled, true));
  if (scope.futureOnly) conds.push(gt(flowRun.next_scheduled_start_time, scope.now ?? isoNow()));
  return and(...conds)!;
}

/** The statements deleting those runs with their states (Prefect's cascade). */
export function deleteScheduledRunsStatements(db: Db, deploymentIds: SQL | string[], scope: ScheduledRunsScope = {}): Statement[] {
  const cond = scheduledRunsCond(deploymentIds, scope);
  return [
    db.delete(flowRunState).where(sql`${flowRunState.flow_run_id} IN (SELECT ${flowRun.id} FROM ${flowRun} WHERE ${cond})`),
    db.delete(flowRun).where(cond),
  ];
}

// ---- schedule rows ----

/** Rows for new schedules (validated input), stamped `now`. */
export function scheduleRows(deploymentId: string, schedules: ScheduleCreateInput[], now = isoNow()): ScheduleRow[] {
  return schedules.map((s) => ({
    id: uuid4(),
    created: now,
    updated: now,
    deployment_id: deploymentId,
    schedule: normalizeSchedule(s.schedule, now),
    active: s.active ?? true,
    max_scheduled_runs: s.max_scheduled_runs ?? null,
    parameters: s.parameters ?? {},
    slug: s.slug ?? null,
  }));
}

/**
 * The values a schedule update writes: Prefect writes every field that is not null, so a
 * `parameters` left out resets to `{}` (the field's default), as on Prefect's server.
 */
export function scheduleUpdateValues(input: Partial<ScheduleUpdateInput>, now = isoNow()): Partial<ScheduleRow> {
  const set: Partial<ScheduleRow> = { updated: now };
  if (input.active != null) set.active = input.active;
  if (input.schedule != null) set.schedule = normalizeSchedule(input.schedule, now);
  if (input.max_scheduled_runs != null) set.max_scheduled_runs = input.max_scheduled_runs;
  set.parameters = input.parameters ?? {};
  if (input.slug != null) set.slug = input.slug;
  return set;
}

/** D1 binds at most 100 parameters per statement: 9 rows of ≤ 11 (a subquery deployment id takes 2). */
const ROWS_PER_INSERT = 9;

/** Insert statements for schedule rows, chunked under D1's parameter limit. */
export function insertScheduleStatements(db: Db, rows: ScheduleRow[]): Statement[] {
  const out: Statement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) out.push(db.insert(deploymentSchedule).values(rows.slice(i, i + ROWS_PER_INSERT)));
  return out;
}

export async function readSchedules(db: Db, deploymentId: string): Promise<DeploymentSchedule[]> {
  const rows = await db
    .select({ row: deploymentSchedule, rowid: sql<number>`${deploymentSchedule}.rowid` })
    .from(deploymentSchedule)
    .where(eq(deploymentSchedule.deployment_id, deploymentId));
  return sortSchedules(rows.map((r) => ({ ...r.row, _rowid: r.rowid }))).map(({ _rowid: _r, ...row }) => toDeploymentSchedule(row));
}

/** Creates schedules; null when there is no such deployment. Throws the unique violation of a taken slug. */
export async function createSchedules(db: Db, deploymentId: string, schedules: ScheduleCreateInput[]): Promise<DeploymentSchedule[] | null> {
  const found = await db.select({ id: deployment.id }).from(deployment).where(eq(deployment.id, deploymentId)).get();
  if (!found) return null;
  const rows = scheduleRows(deploymentId, schedules);
  const inserts = insertScheduleStatements(db, rows);
  if (inserts.length) await db.batch(inserts as Batch);
  return rows.map(toDeploymentSchedule);
}

export type ScheduleWriteResult = "ok" | "no_deployment" | "no_schedule";

/** Updates one schedule and drops the deployment's future auto-scheduled runs, in one batch. */
export async function updateSchedule(db: Db, deploymentId: string, scheduleId: string, input: Partial<ScheduleUpdateInput>): Promise<ScheduleWriteResult> {
  const now = isoNow();
  const [found, updated] = await db.batch([
    db.select({ id: deployment.id }).from(deployment).where(eq(deployment.id, deploymentId)),
    db
      .update(deploymentSchedule)
      .set(scheduleUpdateValues(input, now))
      .where(and(eq(deploymentSchedule.id, scheduleId), eq(deploymentSchedule.deployment_id, deploymentId)))
      .returning({ id: deploymentSchedule.id }),
  ]);
  if (!found.length) return "no_deployment";
  if (!updated.length) return "no_schedule";
  await db.batch(deleteScheduledRunsStatements(db, [deploymentId], { autoScheduledOnly: true, futureOnly: true, now }) as Batch);
  return "ok";
}

/** Deletes one schedule and the deployment's auto-scheduled runs (past ones too, as Prefect). */
export async function deleteSchedule(db: Db, deploymentId: string, scheduleId: string): Promise<ScheduleWriteResult> {
  const [found, deleted] = await db.batch([
    db.select({ id: deployment.id }).from(deployment).where(eq(deployment.id, deploymentId)),
    db
      .delete(deploymentSchedule)
      .where(and(eq(deploymentSchedule.id, scheduleId), eq(deploymentSchedule.deployment_id, deploymentId)))
      .returning({ id: deploymentSchedule.id }),
  ]);
  if (!found.length) return "no_deployment";
  if (!deleted.length) return "no_schedule";
  await db.batch(deleteScheduledRunsStatements(db, [deploymentId], { autoScheduledOnly: true }) as Batch);
  return "ok";
}

// ---- for the scheduler ----

export type DeploymentRow = typeof deployment.$inferSelect;

export interface SchedulableDeployment {
  deployment: DeploymentRow;
  /** Its active schedules, most recently updated first. */
  schedules: DeploymentSchedule[];
}

/**
 * Unpaused deployments with at least one active schedule, with those schedules, in id order
 * (page with `afterId`). `updatedSince` narrows to recently changed deployments (Prefect's
 * "recent deployments" pass). Answered in one round trip.
 */
export async function schedulableDeployments(
  db: Db,
  opts: { limit?: number; afterId?: string; updatedSince?: string } = {},
): Promise<SchedulableDeployment[]> {
  const conds: SQL[] = [
    eq(deployment.paused, false),
    sql`EXISTS (SELECT 1 FROM ${deploymentSchedule} WHERE ${deploymentSchedule.deployment_id} = ${deployment.id} AND ${deploymentSchedule.active} = 1)`,
  ];
  if (opts.afterId) conds.push(gt(deployment.id, opts.afterId));
  if (opts.updatedSince) conds.push(sql`${deployment.updated} >= ${opts.updatedSince}`);
  const ids = db
    .select({ id: deployment.id })
    .from(deployment)
    .where(and(...conds))
    .orderBy(asc(deployment.id))
    .limit(opts.limit ?? 100);
  // The deployments in pieces under D1's result limit (page.ts: a deployment row holds up to ~1.9 MB).
  const page = { where: inArray(deployment.id, ids), orderBy: [asc(deployment.id)], limit: opts.limit ?? 100, offset: 0 };
  const [pieces, schedules] = await readPagedWith(
    db,
    db.select().from(deployment).$dynamic(),
    page,
    db
      .select({ row: deploymentSchedule, rowid: sql<number>`${deploymentSchedule}.rowid` })
      .from(deploymentSchedule)
      .where(and(inArray(deploymentSchedule.deployment_id, ids), eq(deploymentSchedule.active, true))),
  );
  const deployments = await allOf(pieces);
  const byDeployment = new Map<string, (ScheduleRow & { _rowid: number })[]>();
  for (const s of schedules) {
    const list = byDeployment.get(s.row.deployment_id) ?? [];
    list.push({ ...s.row, _rowid: s.rowid });
    byDeployment.set(s.row.deployment_id, list);
  }
  return deployments.map((d) => ({
    deployment: d,
    schedules: sortSchedules(byDeployment.get(d.id) ?? []).map(({ _rowid: _r, ...row }) => toDeploymentSchedule(row)),
  }));
}
