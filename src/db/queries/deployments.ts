import { and, asc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "../client";
import { countOf, countQuery, countWhere, readPaged, readPagedWith, type Page } from "../page";
import type { Pieces } from "../../lib/pieces";
import { concurrencyLimitV2, deployment, flow, flowRun, workPool, workQueue } from "../schema";
import { allOf, flowMatches, present, runHasTaskRun, whereOf, type Cond, type ResourceFilters } from "../filters";
import { deploymentFilterSpec, flowRunFilterSpec, workPoolFilterSpec, workQueueFilterSpec } from "../filters";
import { deploymentOrder } from "../sorts";
import { addSeconds, isoNow } from "../../lib/time";
import { activeSlotsAfterDecay } from "./concurrency-limits";
import { parseSchedulesJson, schedulesJsonSql, type DeploymentRow } from "./deployment-schedules";
import type { DeploymentResponse, DeploymentSort, WorkQueue } from "../../schemas/prefect.gen";

/*
 * Deployments as they are read: the one selection every read (and every write's read-back) uses,
 * Prefect's response shape, and the filters. Their events are in deployments.events.ts, the rules
 * of a create or update in deployments.plan.ts, the writes in deployments.write.ts.
 */

export type { DeploymentRow };

/** Prefect's foreman reports a deployment NOT_READY once nothing polled it for a minute. */
const LAST_POLLED_TIMEOUT_SECONDS = 60;

/**
 * Every deployment read is one query: the row, its queue's and pool's names, its schedules (as
 * JSON) and, under a concurrency limit, the runs holding its slots. Extra columns are aliased:
 * D1 batches answer rows as objects, where a joined `name` would overwrite the deployment's.
 */
function selection() {
  return {
    ...getTableColumns(deployment),
    queue_name: sql<string | null>`${workQueue.name}`.as("queue_name"),
    queue_last_polled: sql<string | null>`${workQueue.last_polled}`.as("queue_last_polled"),
    pool_name: sql<string | null>`${workPool.name}`.as("pool_name"),
    pool_id: sql<string | null>`${workPool.id}`.as("pool_id"),
    pool_type: sql<string | null>`${workPool.type}`.as("pool_type"),
    flow_name: sql<string | null>`(SELECT ${flow.name} FROM ${flow} WHERE ${flow.id} = ${deployment.flow_id})`.as("flow_name"),
    schedules_json: schedulesJsonSql().as("schedules_json"),
    // The global concurrency limit the deployment points at (its own `deployment:<id>` one, or a shared one).
    gcl_id: sql<string | null>`${concurrencyLimitV2.id}`.as("gcl_id"),
    gcl_created: sql<string | null>`${concurrencyLimitV2.created}`.as("gcl_created"),
    gcl_updated: sql<string | null>`${concurrencyLimitV2.updated}`.as("gcl_updated"),
    gcl_active: sql<number | boolean | null>`${concurrencyLimitV2.active}`.as("gcl_active"),
    gcl_name: sql<string | null>`${concurrencyLimitV2.name}`.as("gcl_name"),
    gcl_limit: sql<number | null>`${concurrencyLimitV2.limit}`.as("gcl_limit"),
    gcl_active_slots: sql<number | null>`${concurrencyLimitV2.active_slots}`.as("gcl_active_slots"),
    gcl_decay: sql<number | null>`${concurrencyLimitV2.slot_decay_per_second}`.as("gcl_decay"),
  };
}

export type SelectedDeployment = DeploymentRow & {
  queue_name: string | null;
  queue_last_polled: string | null;
  pool_name: string | null;
  pool_id: string | null;
  pool_type: string | null;
  flow_name: string | null;
  schedules_json: string;
  gcl_id: string | null;
  gcl_created: string | null;
  gcl_updated: string | null;
  gcl_active: number | boolean | null;
  gcl_name: string | null;
  gcl_limit: number | null;
  gcl_active_slots: number | null;
  gcl_decay: number | null;
};

export function selectDeployments(db: Db) {
  return db
    .select(selection())
    .from(deployment)
    .leftJoin(workQueue, eq(workQueue.id, deployment.work_queue_id))
    .leftJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .leftJoin(concurrencyLimitV2, eq(concurrencyLimitV2.id, deployment.concurrency_limit_id));
}

const later = (a: string | null, b: string | null) => (a && b ? (a > b ? a : b) : (a ?? b));

/**
 * The response, as Prefect's DeploymentResponse answers it. `concurrency_limit` is always null
 * (Prefect 3 moved it to `global_concurrency_limit`: the v2 limit the deployment points at, its own
 * `deployment:<id>` one or a shared one). Polling the deployment's queue counts as polling the deployment (Prefect marks the
 * deployments of a polled queue ready), so `last_polled` is the later of the two and the status
 * READY while that is under a minute old.
 */
export function toDeploymentResponse(row: SelectedDeployment, options: { now?: string; legacy?: boolean } = {}): DeploymentResponse {
  const now = options.now ?? isoNow();
  const lastPolled = later(row.last_polled, row.queue_last_polled);
  const ready = !!lastPolled && lastPolled >= addSeconds(now, -LAST_POLLED_TIMEOUT_SECONDS);
  const schedules = parseSchedulesJson(row.schedules_json);
  const response: DeploymentResponse = {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    version: row.version,
    description: row.description,
    flow_id: row.flow_id,
    paused: row.paused,
    schedules,
    concurrency_limit: null,
    global_concurrency_limit:
      row.gcl_id === null
        ? null
        : {
            id: row.gcl_id,
            created: row.gcl_created,
            updated: row.gcl_updated,
            active: !!row.gcl_active,
            name: row.gcl_name!,
            limit: row.gcl_limit!,
            active_slots: activeSlotsAfterDecay({ active_slots: row.gcl_active_slots ?? 0, slot_decay_per_second: row.gcl_decay ?? 0, updated: row.gcl_updated! }),
            slot_decay_per_second: row.gcl_decay ?? 0,
          },
    concurrency_options: row.concurrency_options ?? null,
    job_variables: row.job_variables ?? {},
    parameters: row.parameters ?? {},
    tags: row.tags ?? [],
    labels: row.labels ?? {},
    work_queue_name: row.queue_name ?? row.work_queue_name,
    work_queue_id: row.work_queue_id,
    last_polled: lastPolled,
    parameter_openapi_schema: row.parameter_openapi_schema ?? null,
    path: row.path,
    pull_steps: row.pull_steps ?? null,
    entrypoint: row.entrypoint,
    storage_document_id: row.storage_document_id,
    infrastructure_document_id: row.infrastructure_document_id,
    created_by: row.created_by ?? null,
    updated_by: row.updated_by ?? null,
    work_pool_name: row.pool_name,
    status: ready ? "READY" : "NOT_READY",
    enforce_parameter_schema: row.enforce_parameter_schema,
  };
  if (options.legacy) {
    // What a Prefect 2.x client reads back: its single schedule and `is_schedule_active` (= not paused).
    Object.assign(response, {
      schedule: schedules.length === 1 ? schedules[0].schedule : null,
      is_schedule_active: !row.paused,
      manifest_path: null,
    });
  }
  return response;
}

export async function readDeploymentRow(db: Db, id: string): Promise<SelectedDeployment | undefined> {
  return (await selectDeployments(db).where(eq(deployment.id, id)).get()) as SelectedDeployment | undefined;
}

export async function readDeploymentByName(db: Db, flowName: string, name: string): Promise<SelectedDeployment | undefined> {
  return (await selectDeployments(db)
    .where(and(eq(deployment.name, name), sql`${deployment.flow_id} IN (SELECT ${flow.id} FROM ${flow} WHERE ${flow.name} = ${flowName})`))
    .limit(1)
    .get()) as SelectedDeployment | undefined;
}

// ---- filters ----

/**
 * Deployments matching their own filter and whose flow, flow runs (and their task runs), work
 * queue and work pool match the others, as Prefect combines them (EXISTS subqueries).
 */
export function deploymentWhere(f: ResourceFilters): Cond {
  return allOf(
    whereOf(deploymentFilterSpec, f.deployments),
    flowMatches(deployment.flow_id, f.flows),
    present(f.flow_runs) || present(f.task_runs)
      ? sql`EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.deployment_id} = ${deployment.id} AND ${
          allOf(whereOf(flowRunFilterSpec, f.flow_runs), runHasTaskRun(f.task_runs)) ?? sql`1`
        })`
      : undefined,
    present(f.work_pools) || present(f.work_pool_queues)
      ? sql`EXISTS (SELECT 1 FROM ${workQueue} JOIN ${workPool} ON ${workPool.id} = ${workQueue.work_pool_id} WHERE ${workQueue.id} = ${deployment.work_queue_id} AND ${
          allOf(whereOf(workQueueFilterSpec, f.work_pool_queues), whereOf(workPoolFilterSpec, f.work_pools)) ?? sql`1`
        })`
      : undefined,
  );
}

const deploymentPage = (filters: ResourceFilters, sort: DeploymentSort, limit: number, offset: number): Page => ({
  where: deploymentWhere(filters),
  orderBy: deploymentOrder(sort),
  limit,
  offset,
});

/** A page of deployments, in pieces bounded by bytes (page.ts). */
export async function filterDeployments(db: Db, filters: ResourceFilters, sort: DeploymentSort, limit: number, offset: number): Promise<Pieces<SelectedDeployment>> {
  return (await readPaged(db, selectDeployments(db).$dynamic(), deploymentPage(filters, sort, limit, offset))) as Pieces<SelectedDeployment>;
}

export const countDeployments = (db: Db, filters: ResourceFilters): Promise<number> => countWhere(db, deployment, deploymentWhere(filters));

/** A page and the total count in one round trip. */
type DeploymentPage = { rows: Pieces<SelectedDeployment>; count: number };

export async function paginateDeployments(db: Db, filters: ResourceFilters, sort: DeploymentSort, limit: number, offset: number): Promise<DeploymentPage> {
  const [rows, counted] = await readPagedWith(db, selectDeployments(db).$dynamic(), deploymentPage(filters, sort, limit, offset), countQuery(db, deployment, deploymentWhere(filters)));
  return { rows: rows as Pieces<SelectedDeployment>, count: countOf(counted) };
}

/** The ids of up to `limit` deployments matching the filter (by name), for bulk delete. */
export async function matchingIds(db: Db, filters: ResourceFilters, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: deployment.id })
    .from(deployment)
    .where(deploymentWhere(filters))
    .orderBy(...deploymentOrder("NAME_ASC"))
    .limit(limit);
  return rows.map((r) => r.id);
}

// ---- legacy queue filters ----

/**
 * Prefect's deprecated work_queue_check: queues whose legacy filter would pick the deployment up
 * (no tags, or tags all among the deployment's; no deployment ids, or the deployment's among them).
 * Null when there is no such deployment.
 */
export async function workQueuesForDeployment(db: Db, id: string): Promise<WorkQueue[] | null> {
  const dep = await db.select({ id: deployment.id, tags: deployment.tags }).from(deployment).where(eq(deployment.id, id)).get();
  if (!dep) return null;
  const tags = sql`json_extract(${workQueue.filter}, '$.tags')`;
  const ids = sql`json_extract(${workQueue.filter}, '$.deployment_ids')`;
  const depTags = JSON.stringify(dep.tags ?? []);
  const rows = await db
    .select()
    .from(workQueue)
    .where(
      and(
        sql`(${tags} IS NULL OR json_array_length(${tags}) = 0 OR NOT EXISTS (SELECT 1 FROM json_each(${tags}) AS t WHERE t.value NOT IN (SELECT value FROM json_each(${depTags}))))`,
        sql`(${ids} IS NULL OR json_array_length(${ids}) = 0 OR EXISTS (SELECT 1 FROM json_each(${ids}) AS d WHERE lower(replace(d.value, '-', '')) = ${id.replace(/-/g, "").toLowerCase()}))`,
      ),
    )
    .orderBy(asc(workQueue.name), asc(workQueue.id));
  return rows.map((q) => ({
    id: q.id,
    created: q.created,
    updated: q.updated,
    name: q.name,
    description: q.description,
    is_paused: q.is_paused,
    concurrency_limit: q.concurrency_limit,
    priority: q.priority,
    work_pool_id: q.work_pool_id,
    filter: q.filter ?? null,
    last_polled: q.last_polled,
  }));
}
