import { and, asc, count, eq, getTableColumns, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { concurrencyLimitV2, deployment, deploymentSchedule, flow, flowRun, taskRun, workPool, workQueue } from "../schema";
import { allOf, whereOf, type Cond, type ResourceFilters } from "../filters";
import { deploymentFilterSpec, flowFilterSpec, flowRunFilterSpec, taskRunFilterSpec, workPoolFilterSpec, workQueueFilterSpec } from "../filters";
import { deploymentOrder } from "../sorts";
import { notFound } from "../../lib/errors";
import { uuid4 } from "../../lib/ids";
import { addSeconds, isoNow } from "../../lib/time";
import * as pools from "./work-pools";
import { activeSlotsAfterDecay, deploymentLimitName } from "./concurrency-limits";
import * as queues from "./work-queues";
import {
  deleteScheduledRunsStatements,
  insertScheduleStatements,
  parseSchedulesJson,
  scheduleRows,
  scheduleUpdateValues,
  schedulesJsonSql,
  type DeploymentRow,
  type ScheduleRow,
} from "./deployment-schedules";
import type { DeploymentCreateInput, DeploymentUpdateInput, ScheduleCreateInput, ScheduleUpdateInput } from "../../schemas/deployment-compat";
import type { DeploymentResponse, DeploymentSort, WorkQueue } from "../../schemas/prefect.gen";
import type { ServerEvent } from "../../events/ingest";

export type { DeploymentRow };
type Statement = any;

/** Prefect's foreman reports a deployment NOT_READY once nothing polled it for a minute. */
const LAST_POLLED_TIMEOUT_SECONDS = 60;
// ---- reading ----

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

function selectDeployments(db: Db) {
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

// ---- events ----

/** The fields whose changes Prefect reports in `prefect.deployment.updated` (job variables by their column name). */
const EVENT_FIELDS: [string, keyof DeploymentRow][] = [
  ["description", "description"],
  ["tags", "tags"],
  ["parameters", "parameters"],
  ["parameter_openapi_schema", "parameter_openapi_schema"],
  ["enforce_parameter_schema", "enforce_parameter_schema"],
  ["entrypoint", "entrypoint"],
  ["path", "path"],
  ["pull_steps", "pull_steps"],
  ["work_queue_id", "work_queue_id"],
  ["infra_overrides", "job_variables"],
  ["paused", "paused"],
  ["labels", "labels"],
  ["version", "version"],
  ["concurrency_limit_id", "concurrency_limit_id"],
  ["concurrency_options", "concurrency_options"],
];

/** `{field: {from, to}}` for each reported field that changed. */
export function changedFields(before: DeploymentRow, after: DeploymentRow): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [name, col] of EVENT_FIELDS) {
    const from = before[col] ?? null;
    const to = after[col] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out[name] = { from, to };
  }
  return out;
}

/** The flow, queue, pool, blocks and concurrency limit a deployment event relates to, as Prefect lists them. */
function relatedResources(row: SelectedDeployment): Record<string, string>[] {
  const related: Record<string, string>[] = [];
  if (row.flow_name !== null) {
    related.push({ "prefect.resource.id": `prefect.flow.${row.flow_id}`, "prefect.resource.name": row.flow_name, "prefect.resource.role": "flow" });
  }
  if (row.work_queue_id && row.queue_name !== null) {
    related.push({ "prefect.resource.id": `prefect.work-queue.${row.work_queue_id}`, "prefect.resource.name": row.queue_name, "prefect.resource.role": "work-queue" });
  }
  if (row.pool_id && row.pool_name !== null) {
    related.push({
      "prefect.resource.id": `prefect.work-pool.${row.pool_id}`,
      "prefect.resource.name": row.pool_name,
      "prefect.work-pool.type": row.pool_type ?? "",
      "prefect.resource.role": "work-pool",
    });
  }
  if (row.storage_document_id) related.push({ "prefect.resource.id": `prefect.block-document.${row.storage_document_id}`, "prefect.resource.role": "storage" });
  if (row.infrastructure_document_id) {
    related.push({ "prefect.resource.id": `prefect.block-document.${row.infrastructure_document_id}`, "prefect.resource.role": "infrastructure" });
  }
  if (row.concurrency_limit_id) {
    related.push({ "prefect.resource.id": `prefect.concurrency-limit.${row.concurrency_limit_id}`, "prefect.resource.role": "concurrency-limit" });
  }
  return related;
}

/** `prefect.deployment.created` / `.updated` (with what changed) / `.deleted`. */
export function deploymentEvent(kind: "created" | "updated" | "deleted", row: SelectedDeployment, changes?: Record<string, { from: unknown; to: unknown }>): ServerEvent {
  return {
    event: `prefect.deployment.${kind}`,
    resource: { "prefect.resource.id": `prefect.deployment.${row.id}`, "prefect.resource.name": row.name },
    related: relatedResources(row),
    ...(changes ? { payload: { updated_fields: Object.keys(changes), updates: changes } } : {}),
  };
}

/** The event a create/upsert or update leads to: created, updated with its changes, or none. */
export function writeEvent(before: DeploymentRow | undefined, after: SelectedDeployment, created: boolean): ServerEvent[] {
  if (created) return [deploymentEvent("created", after)];
  if (!before) return [];
  const changes = changedFields(before, after);
  return Object.keys(changes).length ? [deploymentEvent("updated", after, changes)] : [];
}

// ---- filters ----

const present = (f: unknown): f is Record<string, any> => f !== null && f !== undefined;

/**
 * Deployments matching their own filter and whose flow, flow runs (and their task runs), work
 * queue and work pool match the others, as Prefect combines them (EXISTS subqueries).
 */
export function deploymentWhere(f: ResourceFilters): Cond {
  return allOf(
    whereOf(deploymentFilterSpec, f.deployments),
    present(f.flows)
      ? sql`${deployment.flow_id} IN (SELECT ${flow.id} FROM ${flow} WHERE ${whereOf(flowFilterSpec, f.flows) ?? sql`1`})`
      : undefined,
    present(f.flow_runs) || present(f.task_runs)
      ? sql`EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.deployment_id} = ${deployment.id} AND ${
          allOf(
            whereOf(flowRunFilterSpec, f.flow_runs),
            present(f.task_runs)
              ? sql`EXISTS (SELECT 1 FROM ${taskRun} WHERE ${taskRun.flow_run_id} = ${flowRun.id} AND ${whereOf(taskRunFilterSpec, f.task_runs) ?? sql`1`})`
              : undefined,
          ) ?? sql`1`
        })`
      : undefined,
    present(f.work_pools) || present(f.work_pool_queues)
      ? sql`EXISTS (SELECT 1 FROM ${workQueue} JOIN ${workPool} ON ${workPool.id} = ${workQueue.work_pool_id} WHERE ${workQueue.id} = ${deployment.work_queue_id} AND ${
          allOf(whereOf(workQueueFilterSpec, f.work_pool_queues), whereOf(workPoolFilterSpec, f.work_pools)) ?? sql`1`
        })`
      : undefined,
  );
}


export async function filterDeployments(
  db: Db,
  filters: ResourceFilters,
  sort: DeploymentSort,
  limit: number,
  offset: number,
): Promise<SelectedDeployment[]> {
  return (await selectDeployments(db)
    .where(deploymentWhere(filters))
    .orderBy(...deploymentOrder(sort))
    .limit(limit)
    .offset(offset)) as SelectedDeployment[];
}

export async function countDeployments(db: Db, filters: ResourceFilters): Promise<number> {
  const row = await db.select({ n: count() }).from(deployment).where(deploymentWhere(filters)).get();
  return row?.n ?? 0;
}

/** A page and the total count in one round trip. */
export async function paginateDeployments(
  db: Db,
  filters: ResourceFilters,
  sort: DeploymentSort,
  limit: number,
  offset: number,
): Promise<{ rows: SelectedDeployment[]; count: number }> {
  const [rows, counted] = await db.batch([
    selectDeployments(db).where(deploymentWhere(filters)).orderBy(...deploymentOrder(sort)).limit(limit).offset(offset),
    db.select({ n: count() }).from(deployment).where(deploymentWhere(filters)),
  ]);
  return { rows: rows as SelectedDeployment[], count: counted[0]?.n ?? 0 };
}

// ---- work queues ----

/**
 * The queue a deployment's `work_pool_name` / `work_queue_name` name, as Prefect resolves them:
 * pool and queue → that queue, created when missing; pool only → its default queue; queue only →
 * the legacy queue of that name (in the default agent pool, created with the pool when missing).
 * Undefined when neither is named. Throws Prefect's 404 for a missing pool.
 */
export async function resolveWorkQueueId(db: Db, poolName: string | null | undefined, queueName: string | null | undefined): Promise<string | undefined> {
  if (poolName && queueName) {
    const found = await queues.readPoolQueueRow(db, poolName, queueName);
    if (found) return found.queue.id;
    const made = await queues.createQueueInPool(db, poolName, { name: queueName, description: "", is_paused: false });
    if (made.kind === "created") return made.queue.id;
    if (made.kind === "no_pool") throw notFound(`Work pool "${poolName}" not found.`);
    const raced = await queues.readPoolQueueRow(db, poolName, queueName);
    if (raced) return raced.queue.id;
    throw notFound(`Work pool queue '${poolName}/${queueName}' not found.`);
  }
  if (poolName) {
    const pool = await pools.readPoolRow(db, poolName);
    if (!pool) throw notFound(`Work pool "${poolName}" not found.`);
    return pool.default_queue_id ?? undefined;
  }
  if (queueName) return ensureLegacyQueue(db, queueName);
  return undefined;
}

/** Prefect's ensure_work_queue_exists: the named queue, made in the default agent pool if needed. */
async function ensureLegacyQueue(db: Db, name: string): Promise<string> {
  const existing = await queues.readLegacyQueueByName(db, name);
  if (existing) return existing.id;
  let pool = await pools.readPoolRow(db, pools.DEFAULT_AGENT_POOL_NAME);
  if (!pool) {
    await pools.createPool(db, {
      name: pools.DEFAULT_AGENT_POOL_NAME,
      type: "prefect-agent",
      base_job_template: {},
      is_paused: false,
      storage_configuration: {},
    });
    pool = await pools.readPoolRow(db, pools.DEFAULT_AGENT_POOL_NAME);
  }
  if (pool && name === pools.DEFAULT_QUEUE_NAME && pool.default_queue_id) return pool.default_queue_id;
  const made = await queues.createQueueInPool(db, pools.DEFAULT_AGENT_POOL_NAME, { name, description: "", is_paused: false, priority: 1 });
  if (made.kind === "created") return made.queue.id;
  const raced = await queues.readLegacyQueueByName(db, name);
  if (!raced) throw new Error(`work queue ${name} could not be created`);
  return raced.id;
}

// ---- concurrency ----

type LimitFields = Pick<DeploymentRow, "concurrency_limit" | "concurrency_limit_id">;

/**
 * The stored limit fields after a request: `concurrency_limit` makes (or keeps) the deployment's
 * own `deployment:<id>` limit, null removes it; `global_concurrency_limit_id` points at a shared one.
 */
function limitFields(
  input: { concurrency_limit?: number | null; global_concurrency_limit_id?: string | null },
  sent: Set<string>,
  current: LimitFields | undefined,
): Partial<LimitFields> {
  const out: Partial<LimitFields> = {};
  if (sent.has("global_concurrency_limit_id")) {
    out.concurrency_limit_id = input.global_concurrency_limit_id ?? null;
    if (input.global_concurrency_limit_id) out.concurrency_limit = null;
  }
  if (sent.has("concurrency_limit")) {
    if (input.concurrency_limit != null) {
      out.concurrency_limit = input.concurrency_limit;
      out.concurrency_limit_id = current?.concurrency_limit != null && current.concurrency_limit_id ? current.concurrency_limit_id : uuid4();
    } else if (!input.global_concurrency_limit_id) {
      out.concurrency_limit = null;
      if (current?.concurrency_limit != null) out.concurrency_limit_id = null;
    }
  }
  return out;
}

/**
 * The deployment's own v2 limit follows `concurrency_limit` (Prefect's
 * _create_or_update_deployment_concurrency_limit): a number creates `deployment:<id>` (or sets the
 * limit of the one there) and points the deployment at it; null deletes it. `depId` is the
 * deployment's id as SQL (an upsert knows it only by flow and name).
 */
function ownLimitStatements(
  db: Db,
  input: { concurrency_limit?: number | null; global_concurrency_limit_id?: string | null },
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

/** The columns a create or update body sets directly, when sent. */
const PLAIN_FIELDS = [
  "version",
  "description",
  "paused",
  "tags",
  "parameters",
  "work_queue_name",
  "concurrency_options",
  "enforce_parameter_schema",
  "parameter_openapi_schema",
  "pull_steps",
  "path",
  "entrypoint",
  "storage_document_id",
  "infrastructure_document_id",
] as const;

/** Columns that cannot hold null: a null sent for them leaves them as they are. */
const NOT_NULL = new Set(["paused", "tags", "parameters", "enforce_parameter_schema"]);

function plainSet(input: Record<string, any>, sent: Set<string>): Partial<DeploymentRow> {
  const set: Record<string, unknown> = {};
  for (const key of PLAIN_FIELDS) {
    if (!sent.has(key)) continue;
    if (input[key] === null && NOT_NULL.has(key)) continue;
    set[key] = input[key] ?? null;
  }
  // Prefect writes job variables only when there are some: `{}` leaves the stored ones.
  if (sent.has("job_variables") && input.job_variables && Object.keys(input.job_variables).length) set.job_variables = input.job_variables;
  return set as Partial<DeploymentRow>;
}

export type CreateResult = { kind: "no_flow" } | { kind: "ok"; row: SelectedDeployment; created: boolean; events: ServerEvent[] };

/**
 * Prefect's upsert on (flow_id, name): a new deployment is inserted with defaults for what was not
 * sent; an existing one gets only the sent fields. Either way its future auto-scheduled runs are
 * dropped and its schedules replaced by the ones sent. One read (plus what resolving the work
 * queue takes), then one write batch that also reads the result back.
 */
export async function createDeployment(
  db: Db,
  input: DeploymentCreateInput,
  sent: Set<string>,
  resolveQueue: () => Promise<string | undefined>,
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
  if (!parent) return { kind: "no_flow" };
  const existing = existingRows[0];
  // Resolved once the flow is known to exist: it may create a queue (or the default agent pool).
  const workQueueId = await resolveQueue();

  const labels = { ...(parent.labels ?? {}), "prefect.flow.id": parent.id, ...(input.labels ?? {}) };
  const set: Partial<DeploymentRow> = {
    ...plainSet(input, sent),
    ...limitFields(input, sent, existing),
    labels,
    updated: now,
    ...(workQueueId !== undefined ? { work_queue_id: workQueueId } : {}),
  };
  const id = uuid4();
  const values: DeploymentRow = {
    id,
    created: now,
    updated: now,
    name: input.name,
    flow_id: input.flow_id,
    version: null,
    description: null,
    paused: false,
    tags: [],
    labels,
    parameters: {},
    work_queue_name: null,
    work_queue_id: null,
    concurrency_limit: null,
    status: "NOT_READY",
    job_variables: {},
    path: null,
    entrypoint: null,
    last_polled: null,
    concurrency_limit_id: null,
    concurrency_options: null,
    pull_steps: [],
    parameter_openapi_schema: {},
    enforce_parameter_schema: true,
    created_by: null,
    updated_by: null,
    infrastructure_document_id: null,
    storage_document_id: null,
    ...set,
  };
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
  return { kind: "ok", row, created, events: writeEvent(existing, row, created) };
}

// ---- update ----

/** How a PATCH changes the deployment's schedules. */
export type SchedulePlan =
  | { kind: "none" }
  /** Delete them all, then create these. */
  | { kind: "replace"; create: ScheduleCreateInput[] }
  /** Prefect's slug-targeted update: patch the schedules these slugs (or `replaces`) name, create the rest. */
  | { kind: "targeted"; patch: { targetSlug: string; update: Partial<ScheduleUpdateInput> }[]; create: ScheduleCreateInput[] };

export type PlanResult = { plan: SchedulePlan } | { error: string; status: 404 | 422 };

/**
 * Prefect's rules for `schedules` in a PATCH: when every existing schedule has a slug, schedules
 * are matched by slug (or renamed through `replaces`) and the others kept; otherwise sent
 * schedules replace all of them.
 */
export function planScheduleUpdate(existing: { slug?: string | null }[], provided: ScheduleUpdateInput[], sent: boolean): PlanResult {
  const allProvidedHaveSlugs = provided.every((s) => s.slug != null);
  const allExistingHaveSlugs = existing.length > 0 && existing.every((s) => s.slug != null);
  const missingSchedule = { error: "Unable to create new deployment schedules without a schedule configuration.", status: 422 as const };
  const asCreate = (s: ScheduleUpdateInput): ScheduleCreateInput => ({
    schedule: s.schedule!,
    active: s.active ?? true,
    slug: s.slug,
    parameters: s.parameters ?? {},
    max_scheduled_runs: undefined,
  });
  if (allProvidedHaveSlugs && allExistingHaveSlugs) {
    const current = new Set(existing.map((s) => s.slug!));
    const replaced = new Set<string>();
    for (const s of provided) {
      if (!s.replaces) continue;
      if (replaced.has(s.replaces)) return { error: `Multiple schedules have 'replaces' targeting the same slug: ${s.replaces}`, status: 422 };
      replaced.add(s.replaces);
    }
    for (const s of provided) {
      if (s.slug && current.has(s.slug) && !replaced.has(s.slug) && s.replaces) {
        return {
          error: `Cannot rename schedule from '${s.replaces}' to '${s.slug}': a schedule with slug '${s.slug}' already exists.`,
          status: 422,
        };
      }
    }
    const patch: { targetSlug: string; update: Partial<ScheduleUpdateInput> }[] = [];
    const create: ScheduleCreateInput[] = [];
    for (const s of provided) {
      const target = s.replaces || s.slug!;
      if (current.has(target)) patch.push({ targetSlug: target, update: s });
      else if (s.schedule) create.push(asCreate(s));
      else return missingSchedule;
    }
    return { plan: { kind: "targeted", patch, create } };
  }
  if (!allProvidedHaveSlugs && allExistingHaveSlugs) {
    return { error: "Please provide a slug for each schedule in your request to ensure schedules are updated correctly.", status: 422 };
  }
  if (!sent) return { plan: { kind: "none" } };
  return { plan: { kind: "replace", create: provided.filter((s) => s.schedule != null).map(asCreate) } };
}

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
        .where(and(eq(deploymentSchedule.deployment_id, id), inArray(deploymentSchedule.slug, renamed.map((p) => p.targetSlug))));
      for (const r of renamedRows) renamedIds.set(r.slug!, sql`${r.id}`);
      statements.push(
        db
          .update(deploymentSchedule)
          .set({ slug: null })
          .where(and(eq(deploymentSchedule.deployment_id, id), inArray(deploymentSchedule.slug, renamed.map((p) => p.targetSlug)))),
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
    selectDeployments(db).where(inArray(deployment.id, ids)),
    ...deleteScheduledRunsStatements(db, ids),
    db.delete(deploymentSchedule).where(inArray(deploymentSchedule.deployment_id, ids)),
    // Their own concurrency limits go with them (a shared one they point at stays).
    db.delete(concurrencyLimitV2).where(inArray(concurrencyLimitV2.name, ids.map(deploymentLimitName))),
    db.delete(deployment).where(inArray(deployment.id, ids)),
  ] as [Statement, ...Statement[]]);
  const rows = results[0] as SelectedDeployment[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const deleted = ids.filter((id) => byId.has(id));
  return { deleted, events: deleted.map((id) => deploymentEvent("deleted", byId.get(id)!)) };
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

// ---- polling ----

/**
 * Prefect's mark_deployments_ready: the deployments polled (by id, or through their work queues)
 * become READY with a fresh last_polled; `updated` is left alone.
 */
export async function markDeploymentsReady(db: Db, target: { deploymentIds?: string[]; workQueueIds?: string[] }, now = isoNow()): Promise<void> {
  const conds: SQL[] = [];
  if (target.deploymentIds?.length) conds.push(inArray(deployment.id, target.deploymentIds));
  if (target.workQueueIds?.length) conds.push(inArray(deployment.work_queue_id, target.workQueueIds));
  if (!conds.length) return;
  await db.update(deployment).set({ status: "READY", last_polled: now }).where(or(...conds));
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
