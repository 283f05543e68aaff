import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flow, flowRun, taskRun, workPool, workQueue } from "../db/schema";
import type { FlowRunRow } from "../db/queries/runs-serialize";
import { blankFlowRun } from "../db/queries/blank-runs";
import { notFound, integrityConflict } from "../lib/errors";
import { uuid4 } from "../lib/ids";
import { generateRunName } from "../lib/names";
import { isoNow } from "../lib/time";
import { toState } from "../schemas/serialize";
import type { FlowRunCreate } from "../schemas/prefect.gen";
import { transition, type FlowContext, type SlotGate } from "../orchestration/context";
import { orchestrate } from "../orchestration/engine";
import { GlobalFlowPolicy, MinimalFlowPolicy } from "../orchestration/policies";
import { newState } from "../orchestration/states";
import { flowRunTransitionStatements, isStaleRunError, newFlowRunStatement } from "../orchestration/write";
import { rememberSnapshot } from "../orchestration/flow-run-snapshots";
import { flowRunSnapshotStatement, snapshotFromResult } from "../db/queries/flow-run-snapshot";
import { stampServerEvents } from "../db/queries/event-outbox";
import { eventsCommitted } from "../events/outbox";
import { eventOutboxStatement } from "../db/queries/event-outbox";
import { preparedQuery, runWrites, type Write } from "../db/prepared";
import { acquireRunSlot, releaseRunSlot } from "../concurrency/work-queue-slots";

export interface CreatedFlowRun {
  run: FlowRunRow;
  created: boolean;
}

/** Extra columns a caller (e.g. a deployment's create_flow_run) sets on the new run. */
export type FlowRunExtras = Partial<
  Pick<FlowRunRow, "deployment_id" | "deployment_version" | "auto_scheduled" | "created_by" | "work_queue_name" | "work_queue_id">
> & {
  /** The labels under the client's: the flow's by default, a deployment's for its runs. */
  baseLabels?: Record<string, unknown>;
  /** The deployment, for the run's state-change events. */
  deployment?: { id: string; name: string; tags: string[] } | null;
};

/** What a new run needs of its flow. */
const flowColumns = { id: flow.id, name: flow.name, tags: flow.tags, labels: flow.labels };
/** The flow alone (the common case: no queue or parent lookup beside it), prepared once. */
const flowById = preparedQuery((db) =>
  db.select(flowColumns).from(flow).where(eq(flow.id, sql.placeholder("id"))).prepare(),
);

/**
 * Creates a flow run as Prefect does: a generated `adjective-animal` name when none is given,
 * system labels (`prefect.flow.id`) under the client's, the work queue named by pool/queue, and
 * its first state (PENDING unless another is given) set through the forced policy. A run with
 * the idempotency key of an existing run of the same flow is not created: the existing one is
 * returned. Two D1 round trips: one batch of lookups, one batch of writes.
 */
export async function createFlowRun(env: Bindings, db: Db, input: FlowRunCreate, extras: FlowRunExtras = {}): Promise<CreatedFlowRun> {
  // Aliased columns: D1 batch rows are keyed by column name, so a join must not repeat one.
  const queueQuery = db
    .select({
      queueId: sql<string | null>`${workQueue.id}`.as("queue_id"),
      queueName: sql<string | null>`${workQueue.name}`.as("queue_name"),
      queueLimit: sql<number | null>`${workQueue.concurrency_limit}`.as("queue_limit"),
      poolId: sql<string>`${workPool.id}`.as("pool_id"),
      poolName: sql<string>`${workPool.name}`.as("pool_name"),
      poolType: sql<string>`${workPool.type}`.as("pool_type"),
      poolLimit: sql<number | null>`${workPool.concurrency_limit}`.as("pool_limit"),
    })
    .from(workPool);
  const queueLookup = extras.work_queue_id
    ? queueQuery.innerJoin(workQueue, eq(workQueue.work_pool_id, workPool.id)).where(eq(workQueue.id, extras.work_queue_id))
    : input.work_pool_name
      ? queueQuery
          .leftJoin(workQueue, input.work_queue_name ? and(eq(workQueue.work_pool_id, workPool.id), eq(workQueue.name, input.work_queue_name)) : eq(workQueue.id, workPool.default_queue_id))
          .where(eq(workPool.name, input.work_pool_name))
      : null;
  const parentLookup = input.parent_task_run_id ? db.select().from(taskRun).where(eq(taskRun.id, input.parent_task_run_id)) : null;
  // Only the lookups this run needs, in one round trip.
  const others = [queueLookup, parentLookup].filter((l) => l !== null);
  const flowLookup = () => db.select(flowColumns).from(flow).where(eq(flow.id, input.flow_id));
  const results = (
    others.length ? await db.batch([flowLookup(), ...others] as [ReturnType<typeof flowLookup>]) : [await flowById(db).all({ id: input.flow_id })]
  ) as unknown[][];
  const flows = results[0] as Awaited<ReturnType<typeof flowLookup>>;
  const queues = (queueLookup ? results[1] : []) as Awaited<NonNullable<typeof queueLookup>>;
  const parents = (parentLookup ? results[queueLookup ? 2 : 1] : []) as Awaited<NonNullable<typeof parentLookup>>;
  const flowRow = flows[0];
  if (!flowRow) throw integrityConflict();
  const found = queues[0];
  if (input.work_pool_name && !extras.work_queue_id) {
    if (!found) throw notFound(`Work pool "${input.work_pool_name}" not found.`);
    if (!found.queueId)
      throw notFound(
        input.work_queue_name ? `Work pool queue '${input.work_pool_name}/${input.work_queue_name}' not found.` : `Work pool "${input.work_pool_name}" not found.`,
      );
  }
  const queueRow = found?.queueId ? { id: found.queueId, name: found.queueName!, concurrency_limit: found.queueLimit } : null;
  const poolRow = found?.queueId ? { id: found.poolId, name: found.poolName, type: found.poolType, concurrency_limit: found.poolLimit } : null;

  const now = isoNow();
  const run = blankFlowRun({
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name ?? generateRunName(),
    flow_id: input.flow_id,
    deployment_id: extras.deployment_id ?? input.deployment_id ?? null,
    deployment_version: extras.deployment_version ?? null,
    work_queue_id: queueRow?.id ?? null,
    work_queue_name: queueRow?.name ?? extras.work_queue_name ?? null,
    work_pool_id: poolRow?.id ?? null,
    work_pool_name: poolRow?.name ?? null,
    flow_version: input.flow_version ?? null,
    parameters: input.parameters ?? {},
    idempotency_key: input.idempotency_key ?? null,
    context: input.context ?? {},
    empirical_policy: input.empirical_policy ?? {},
    tags: input.tags ?? [],
    labels: { ...(extras.baseLabels ?? flowRow.labels ?? {}), "prefect.flow.id": flowRow.id, ...(extras.deployment_id ? { "prefect.deployment.id": extras.deployment_id } : {}), ...(input.labels ?? {}) },
    parent_task_run_id: input.parent_task_run_id ?? null,
    auto_scheduled: extras.auto_scheduled ?? false,
    infrastructure_document_id: input.infrastructure_document_id ?? null,
    created_by: extras.created_by ?? null,
    job_variables: input.job_variables ?? {},
  });

  const scope = queueRow && poolRow ? { queueId: queueRow.id, queueLimit: queueRow.concurrency_limit, poolId: poolRow.id, poolLimit: poolRow.concurrency_limit } : null;
  const slots: SlotGate | null = scope
    ? { acquire: () => acquireRunSlot(env, { ...scope, queueLimit: null, poolLimit: null }, run.id), release: (t) => releaseRunSlot(env, scope, run.id, t) }
    : null;
  const ctx: FlowContext = {
    kind: "flow",
    run,
    surroundings: {
      flow: flowRow,
      deployment: extras.deployment ?? null,
      workQueue: queueRow ? { id: queueRow.id, name: queueRow.name } : null,
      workPool: poolRow ? { id: poolRow.id, name: poolRow.name, type: poolRow.type } : null,
      parentTaskRun: parents[0] ?? null,
      slots,
    },
    ...transition(null, newState(input.state ?? { type: "PENDING" }, now), now),
  };
  await orchestrate(ctx, MinimalFlowPolicy, GlobalFlowPolicy);
  const statements: Write[] = [newFlowRunStatement(db, run)];
  if (ctx.proposedState) {
    statements.push(...flowRunTransitionStatements(db, ctx.run, ctx.proposedState, { stateId: null }, now));
  }
  const events = stampServerEvents(ctx.effects.events);
  if (events.length) statements.push(eventOutboxStatement(db, events));
  // The new run's snapshot, remembered for its first state change (see flow-run-snapshots.ts).
  statements.push(flowRunSnapshotStatement(db, run.id));
  try {
    const snapshot = snapshotFromResult((await runWrites(db, statements)).at(-1));
    if (snapshot) rememberSnapshot(run.id, snapshot.text);
  } catch (err) {
    await Promise.allSettled(ctx.effects.onWriteFailure.map((f) => f()));
    if (!isStaleRunError(err) || !run.idempotency_key) throw err;
    const existing = await db
      .select()
      .from(flowRun)
      .where(and(eq(flowRun.flow_id, run.flow_id), eq(flowRun.idempotency_key, run.idempotency_key)))
      .get();
    if (!existing) throw integrityConflict();
    return { run: existing, created: false };
  }
  eventsCommitted(events, env);
  const state = ctx.proposedState;
  return {
    run: state ? { ...ctx.run, state_id: state.id, state: toState(state), updated: now } : ctx.run,
    created: true,
  };
}
