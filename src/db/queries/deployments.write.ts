import { and, eq, or, sql, type SQL } from "drizzle-orm";
import { inList } from "../lists";
import type { Db } from "../client";
import { concurrencyLimitV2, deployment, deploymentSchedule, flow } from "../schema";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { deploymentLimitName } from "./concurrency-limits";
import {
  deleteScheduledRunsStatements,
  insertScheduleStatements,
  scheduleRows,
  scheduleUpdateValues,
  type DeploymentRow,
  type ScheduleRow,
} from "./deployment-schedules";
import { selectDeployments, type SelectedDeployment } from "./deployments";
import { deploymentEvent, writeEvent } from "./deployments.events";
import {
  limitFields,
  newDeploymentRow,
  plainSet,
  resolveWorkQueueId,
  type DeploymentRefusal,
  type LimitInput,
  type SchedulePlan,
} from "./deployments.plan";
import type { DeploymentCreateInput, DeploymentUpdateInput } from "../../schemas/deployment-compat";
import type { ServerEvent } from "./event-outbox";

/* A deployment's writes: create (upsert), update, pause, delete, and the polls that mark it ready. */

import type { Statement } from "../batch";

/**
 * The deployment's own v2 limit follows `concurrency_limit` (Prefect's
 * _create_or_update_deployment_concurrency_limit): a number creates `deployment:<id>` (or sets the
 * limit of the one there) and points the deployment at it; null deletes it. `depId` is the
 * deployment's id as SQL (an upsert knows it only by flow and name).
 */
function ownLimitStatements(
  db: Db,
  input: LimitInput,
  sent: Set<string>,
  depId: SQL,
  now: string,
): Statement[] {
  if (!sent.has("concurrency_limit")) return [];
  const name = sql`('deployment:' || ${depId})`;
  if (input.concurrency_limit != null) {
    return [
      db
        .insert(concurrencyLimitV2)
        .values({ id: uuid4(), created: now, updated: now, active: true, name: name as unknown as string, limit: input.concurrency_limit })
        .onConflictDoUpdate({ target: concurrencyLimitV2.name, set: { limit: input.concurrency_limit, updated: now } }),
      db
        .update(deployment)
        .set({ concurrency_limit_id: sql`(SELECT ${concurrencyLimitV2.id} FROM ${concurrencyLimitV2} WHERE ${concurrencyLimitV2.name} = ${name})` as unknown as string })
        .where(sql`${deployment.id} = ${depId}`),
    ];
  }
  if (input.global_concurrency_limit_id) return [];
  return [db.delete(concurrencyLimitV2).where(sql`${concurrencyLimitV2.name} = ${name}`)];
}

// ---- create (upsert) ----

export type CreateResult = { ok: false; refusal: DeploymentRefusal } | { ok: true; row: SelectedDeployment; created: boolean; events: ServerEvent[] };

/**
 * Prefect's upsert on (flow_id, name): a new deployment is inserted with defaults for what was not
 * sent; an existing one gets only the sent fields. Either way its future auto-scheduled runs are
 * dropped and its schedules replaced by the ones sent. One read (plus what resolving the work
 * queue takes), then one write batch that also reads the result back. Refused when the flow or
 * the work pool named is missing.
 */
export async function createDeployment(
  db: Db,
  input: DeploymentCreateInput,
  sent: Set<string>,
): Promise<CreateResult> {
  const now = isoNow();
  const [flows, existingRows] = await db.batch([
    db.select().from(flow).where(eq(flow.id, input.flow_id)).limit(1),
    db
      .select()
      .from(deployment)
      .where(and(eq(deployment.flow_id, input.flow_id), eq(deployment.name, input.name)))
      .limit(1),
  ]);
  const parent = flows[0];
  if (!parent) return { ok: false, refusal: { kind: "flow_missing" } };
  const existing = existingRows[0];
  // Resolved once the flow is known to exist: it may create a queue (or the default agent pool).
  const queue = await resolveWorkQueueId(db, input.work_pool_name, input.work_queue_name);
  if (!queue.ok) return queue;
  const workQueueId = queue.value;

  const labels = { ...(parent.labels ?? {}), "prefect.flow.id": parent.id, ...(input.labels ?? {}) };
  const set: Partial<DeploymentRow> = {
    ...plainSet(input, sent),
    ...limitFields(input, sent, existing),
    labels,
    updated: now,
    ...(workQueueId !== undefined ? { work_queue_id: workQueueId } : {}),
  };
  const id = uuid4();
  const values = newDeploymentRow(id, now, input, labels, set);
  const target = sql`(SELECT ${deployment.id} FROM ${deployment} WHERE ${deployment.flow_id} = ${input.flow_id} AND ${deployment.name} = ${input.name})`;
  const schedules = scheduleRows("", input.schedules, now).map((r) => ({ ...r, deployment_id: target as unknown as string }));
  const statements: Statement[] = [
    db.insert(deployment).values(values).onConflictDoUpdate({ target: [deployment.flow_id, deployment.name], set }),
    ...ownLimitStatements(db, input, sent, target, now),
    ...deleteScheduledRunsStatements(db, target, { autoScheduledOnly: true, futureOnly: true, now }),
    db.delete(deploymentSchedule).where(sql`${deploymentSchedule.deployment_id} = ${target}`),
    ...insertScheduleStatements(db, schedules),
    selectDeployments(db).where(and(eq(deployment.flow_id, input.flow_id), eq(deployment.name, input.name))),
  ];
  const results = await db.batch(statements as [Statement, ...Statement[]]);
  const row = (results[results.length - 1] as SelectedDeployment[])[0];
  const created = row.id === id;
  return { ok: true, row, created, events: writeEvent(existing, row, created) };
}

// ---- update ----

/**
 * Applies a PATCH in one batch: the sent fields, the queue named (resolved by the caller), the
 * concurrency limit, the schedule plan; drops the future auto-scheduled runs made under the old
 * configuration. False when the deployment is gone.
 */
export async function updateDeployment(
  db: Db,
  current: DeploymentRow,
  input: Partial<DeploymentUpdateInput>,
  sent: Set<string>,
  workQueueId: string | null | undefined,
  plan: SchedulePlan,
): Promise<{ updated: false } | { updated: true; events: ServerEvent[] }> {
  const now = isoNow();
  const set: Partial<DeploymentRow> = {
    ...plainSet(input, sent),
    ...limitFields(input, sent, current),
    updated: now,
    ...(workQueueId !== undefined ? { work_queue_id: workQueueId } : {}),
  };
  const id = current.id;
  const statements: Statement[] = [
    db.update(deployment).set(set).where(eq(deployment.id, id)).returning({ id: deployment.id }),
    ...ownLimitStatements(db, input, sent, sql`${id}`, now),
    ...deleteScheduledRunsStatements(db, [id], { autoScheduledOnly: true, futureOnly: true, now }),
  ];
  if (plan.kind === "replace") {
    statements.push(db.delete(deploymentSchedule).where(eq(deploymentSchedule.deployment_id, id)));
    statements.push(...insertScheduleStatements(db, scheduleRows(id, plan.create, now)));
  } else if (plan.kind === "targeted") {
    // Renamed schedules first lose their slug, so that a rename never collides with itself.
    const renamed = plan.patch.filter((p) => p.update.replaces);
    const renamedIds = new Map<string, SQL>();
    if (renamed.length) {
      const renamedRows = await db
        .select({ id: deploymentSchedule.id, slug: deploymentSchedule.slug })
        .from(deploymentSchedule)
        .where(and(eq(deploymentSchedule.deployment_id, id), inList(deploymentSchedule.slug, renamed.map((p) => p.targetSlug))));
      for (const r of renamedRows) renamedIds.set(r.slug!, sql`${r.id}`);
      statements.push(
        db
          .update(deploymentSchedule)
          .set({ slug: null })
          .where(and(eq(deploymentSchedule.deployment_id, id), inList(deploymentSchedule.slug, renamed.map((p) => p.targetSlug)))),
      );
    }
    for (const p of plan.patch) {
      const values = scheduleUpdateValues(p.update, now) as Partial<ScheduleRow>;
      const where = p.update.replaces
        ? and(eq(deploymentSchedule.deployment_id, id), sql`${deploymentSchedule.id} = ${renamedIds.get(p.targetSlug) ?? sql`NULL`}`)
        : and(eq(deploymentSchedule.deployment_id, id), eq(deploymentSchedule.slug, p.targetSlug));
      statements.push(db.update(deploymentSchedule).set(values).where(where));
    }
    statements.push(...insertScheduleStatements(db, scheduleRows(id, plan.create, now)));
  }
  statements.push(selectDeployments(db).where(eq(deployment.id, id)));
  const results = await db.batch(statements as [Statement, ...Statement[]]);
  const after = (results[results.length - 1] as SelectedDeployment[])[0];
  if (!(results[0] as unknown[]).length || !after) return { updated: false };
  return { updated: true, events: writeEvent(current, after, false) };
}

// ---- pause / resume ----

/** Pausing drops the deployment's auto-scheduled runs; false when there is no such deployment. */
export async function setPaused(db: Db, id: string, paused: boolean, legacySchedule?: { active: boolean }): Promise<boolean> {
  const now = isoNow();
  const statements: Statement[] = [db.update(deployment).set({ paused, updated: now }).where(eq(deployment.id, id)).returning({ id: deployment.id })];
  if (legacySchedule) {
    statements.push(db.update(deploymentSchedule).set({ active: legacySchedule.active, updated: now }).where(eq(deploymentSchedule.deployment_id, id)));
  }
  if (paused) statements.push(...deleteScheduledRunsStatements(db, [id], { autoScheduledOnly: true, now }));
  const results = await db.batch(statements as [Statement, ...Statement[]]);
  return (results[0] as unknown[]).length > 0;
}

// ---- delete ----

/**
 * Deletes deployments with their schedules and every scheduled run they have not started
 * (auto-scheduled or not), in one batch; answers the ids that existed (in the order asked) and
 * their `prefect.deployment.deleted` events.
 */
export async function deleteDeployments(db: Db, ids: string[]): Promise<{ deleted: string[]; events: ServerEvent[] }> {
  if (!ids.length) return { deleted: [], events: [] };
  const results = await db.batch([
    selectDeployments(db).where(inList(deployment.id, ids)),
    ...deleteScheduledRunsStatements(db, ids),
    db.delete(deploymentSchedule).where(inList(deploymentSchedule.deployment_id, ids)),
    // Their own concurrency limits go with them (a shared one they point at stays).
    db.delete(concurrencyLimitV2).where(inList(concurrencyLimitV2.name, ids.map(deploymentLimitName))),
    db.delete(deployment).where(inList(deployment.id, ids)),
  ] as [Statement, ...Statement[]]);
  const rows = results[0] as SelectedDeployment[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const deleted = ids.filter((id) => byId.has(id));
  return { deleted, events: deleted.map((id) => deploymentEvent("deleted", byId.get(id)!)) };
}

// ---- polling ----

/**
 * Prefect's mark_deployments_ready: the deployments polled (by id, or through their work queues)
 * become READY with a fresh last_polled; `updated` is left alone.
 */
export async function markDeploymentsReady(db: Db, target: { deploymentIds?: string[]; workQueueIds?: string[] }, now = isoNow()): Promise<void> {
  const conds: SQL[] = [];
  if (target.deploymentIds?.length) conds.push(inList(deployment.id, target.deploymentIds));
  if (target.workQueueIds?.length) conds.push(inList(deployment.work_queue_id, target.workQueueIds));
  if (!conds.length) return;
  await db.update(deployment).set({ status: "READY", last_polled: now }).where(or(...conds));
}
