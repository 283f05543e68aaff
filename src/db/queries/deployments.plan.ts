import type { Db } from "../client";
import { uuid4 } from "../../lib/ids";
import * as pools from "./work-pools";
import * as queues from "./work-queues";
import type { DeploymentRow } from "./deployment-schedules";
import type { DeploymentCreateInput, DeploymentUpdateInput, ScheduleCreateInput, ScheduleUpdateInput } from "../../schemas/deployment-compat";

/*
 * Prefect's rules for what a deployment create (upsert) or update writes: the columns set, the
 * concurrency limit fields, the work queue named, the schedule changes. What they refuse is a
 * `DeploymentRefusal`, in the domain's terms; the routes answer each the way Prefect does.
 */

/** Why a deployment cannot be created or updated as asked. */
export type DeploymentRefusal =
  /** The deployment's flow does not exist. */
  | { kind: "flow_missing" }
  /** The named work pool does not exist. */
  | { kind: "work_pool_missing"; poolName: string }
  /** The named queue of the pool neither exists nor could be created. */
  | { kind: "work_queue_missing"; poolName: string; queueName: string }
  /** The schedules sent break Prefect's rules for them (`detail` says how, in Prefect's words). */
  | { kind: "invalid_schedules"; detail: string };

export type Planned<T> = { ok: true; value: T } | { ok: false; refusal: DeploymentRefusal };

const ok = <T>(value: T): Planned<T> => ({ ok: true, value });
const refuse = (refusal: DeploymentRefusal): { ok: false; refusal: DeploymentRefusal } => ({ ok: false, refusal });

// ---- columns ----

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

/** The plain columns a create or update body sets (only those sent). */
export function plainSet(input: Record<string, any>, sent: Set<string>): Partial<DeploymentRow> {
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

/** A new deployment's row: Prefect's defaults for what `set` does not set. */
export function newDeploymentRow(id: string, now: string, input: Pick<DeploymentCreateInput, "name" | "flow_id">, labels: DeploymentRow["labels"], set: Partial<DeploymentRow>): DeploymentRow {
  return {
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
}

// ---- concurrency ----

type LimitFields = Pick<DeploymentRow, "concurrency_limit" | "concurrency_limit_id">;

/** The limit fields of a create or update body. */
export type LimitInput = { concurrency_limit?: number | null; global_concurrency_limit_id?: string | null };

/**
 * The stored limit fields after a request: `concurrency_limit` makes (or keeps) the deployment's
 * own `deployment:<id>` limit, null removes it; `global_concurrency_limit_id` points at a shared one.
 */
export function limitFields(input: LimitInput, sent: Set<string>, current: LimitFields | undefined): Partial<LimitFields> {
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

// ---- work queues ----

/**
 * The queue a deployment's `work_pool_name` / `work_queue_name` name, as Prefect resolves them:
 * pool and queue → that queue, created when missing; pool only → its default queue; queue only →
 * the legacy queue of that name (in the default agent pool, created with the pool when missing).
 * Undefined when neither is named; refused when the pool is missing.
 */
export async function resolveWorkQueueId(
  db: Db,
  poolName: string | null | undefined,
  queueName: string | null | undefined,
): Promise<Planned<string | undefined>> {
  if (poolName && queueName) {
    const found = await queues.readPoolQueueRow(db, poolName, queueName);
    if (found) return ok(found.queue.id);
    const made = await queues.createQueueInPool(db, poolName, { name: queueName, description: "", is_paused: false });
    if (made.kind === "created") return ok(made.queue.id);
    if (made.kind === "no_pool") return refuse({ kind: "work_pool_missing", poolName });
    const raced = await queues.readPoolQueueRow(db, poolName, queueName);
    if (raced) return ok(raced.queue.id);
    return refuse({ kind: "work_queue_missing", poolName, queueName });
  }
  if (poolName) {
    const pool = await pools.readPoolRow(db, poolName);
    if (!pool) return refuse({ kind: "work_pool_missing", poolName });
    return ok(pool.default_queue_id ?? undefined);
  }
  if (queueName) return ok(await ensureLegacyQueue(db, queueName));
  return ok(undefined);
}

/**
 * The queue an update points the deployment at: the one its pool (and queue) name, none when the
 * pool was sent as null, the legacy queue a queue name alone names; undefined leaves it as it is.
 */
export async function plannedWorkQueueId(
  db: Db,
  input: Pick<Partial<DeploymentUpdateInput>, "work_pool_name" | "work_queue_name">,
  sent: Set<string>,
): Promise<Planned<string | null | undefined>> {
  if (input.work_pool_name) return resolveWorkQueueId(db, input.work_pool_name, input.work_queue_name);
  if (sent.has("work_pool_name")) return ok(null);
  if (input.work_queue_name) return resolveWorkQueueId(db, undefined, input.work_queue_name);
  return ok(undefined);
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

// ---- schedules ----

/** How a PATCH changes the deployment's schedules. */
export type SchedulePlan =
  | { kind: "none" }
  /** Delete them all, then create these. */
  | { kind: "replace"; create: ScheduleCreateInput[] }
  /** Prefect's slug-targeted update: patch the schedules these slugs (or `replaces`) name, create the rest. */
  | { kind: "targeted"; patch: { targetSlug: string; update: Partial<ScheduleUpdateInput> }[]; create: ScheduleCreateInput[] };

const invalidSchedules = (detail: string) => refuse({ kind: "invalid_schedules", detail });

/**
 * Prefect's rules for `schedules` in a PATCH: when every existing schedule has a slug, schedules
 * are matched by slug (or renamed through `replaces`) and the others kept; otherwise sent
 * schedules replace all of them.
 */
export function planScheduleUpdate(existing: { slug?: string | null }[], provided: ScheduleUpdateInput[], sent: boolean): Planned<SchedulePlan> {
  const allProvidedHaveSlugs = provided.every((s) => s.slug != null);
  const allExistingHaveSlugs = existing.length > 0 && existing.every((s) => s.slug != null);
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
      if (replaced.has(s.replaces)) return invalidSchedules(`Multiple schedules have 'replaces' targeting the same slug: ${s.replaces}`);
      replaced.add(s.replaces);
    }
    for (const s of provided) {
      if (s.slug && current.has(s.slug) && !replaced.has(s.slug) && s.replaces) {
        return invalidSchedules(`Cannot rename schedule from '${s.replaces}' to '${s.slug}': a schedule with slug '${s.slug}' already exists.`);
      }
    }
    const patch: { targetSlug: string; update: Partial<ScheduleUpdateInput> }[] = [];
    const create: ScheduleCreateInput[] = [];
    for (const s of provided) {
      const target = s.replaces || s.slug!;
      if (current.has(target)) patch.push({ targetSlug: target, update: s });
      else if (s.schedule) create.push(asCreate(s));
      else return invalidSchedules("Unable to create new deployment schedules without a schedule configuration.");
    }
    return ok({ kind: "targeted", patch, create });
  }
  if (!allProvidedHaveSlugs && allExistingHaveSlugs) {
    return invalidSchedules("Please provide a slug for each schedule in your request to ensure schedules are updated correctly.");
  }
  if (!sent) return ok({ kind: "none" });
  return ok({ kind: "replace", create: provided.filter((s) => s.schedule != null).map(asCreate) });
}
