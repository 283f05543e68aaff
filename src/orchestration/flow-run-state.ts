import { and, eq, sql } from "drizzle-orm";
import { preparedQuery, runWrites, type Write } from "../db/prepared";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { concurrencyLimitV2, deployment, flow, flowRun, taskRun, workPool, workQueue } from "../db/schema";
import type { FlowRunRow } from "../db/queries/runs-serialize";
import { stampServerEvents } from "../services/events-ingest";
import { eventOutboxStatement, eventsCommitted } from "../services/event-outbox";
import { acquireRunSlot, isOccupying, releaseRunSlot, type SlotScope } from "../services/work-queue-slots";
import { deploymentConcurrencyGate } from "../services/concurrency/gates";
import { isoNow } from "../lib/time";
import { transition, type FlowContext, type FlowRunSurroundings, type OrchestrationResult, type SlotGate } from "./context";
import { orchestrate, type Policy } from "./engine";
import { CoreFlowPolicy, GlobalFlowPolicy, MinimalFlowPolicy } from "./policies";
import { newState, type RunState } from "./states";
import { forcedTaskTransition } from "./task-run-state";
import { contendedRun, flowRunTransitionStatements, isStaleRunError, runStateOf } from "./write";

export interface StateProposal {
  type: RunState["type"];
  name?: string | null;
  message?: string | null;
  data?: unknown;
  state_details?: Record<string, any> | null;
}

export interface SetStateOptions {
  force?: boolean;
  /** A policy other than the core one (e.g. the late-runs service's); `force` still wins. */
  policy?: Policy<FlowContext>;
  apiVersion?: string | null;
  clientVersion?: string | null;
}

export interface SetStateOutcome {
  result: OrchestrationResult;
  /** A new state was stored (Prefect answers 201 then, 200 otherwise). */
  written: boolean;
  run: FlowRunRow;
}

const MAX_ATTEMPTS = 8;

/** The run with everything its rules and its state-change event need, in one D1 query. */
const flowRunWithSurroundings = preparedQuery((db) =>
  db
    .select({
      run: flowRun,
      flow: { id: flow.id, name: flow.name, tags: flow.tags, labels: flow.labels },
      deployment: { id: deployment.id, name: deployment.name, tags: deployment.tags },
      workQueue: { id: workQueue.id, name: workQueue.name, limit: workQueue.concurrency_limit },
      workPool: { id: workPool.id, name: workPool.name, type: workPool.type, limit: workPool.concurrency_limit },
      parentTaskRun: taskRun,
      deploymentLimit: concurrencyLimitV2,
      concurrencyOptions: deployment.concurrency_options,
    })
    .from(flowRun)
    .leftJoin(flow, eq(flow.id, flowRun.flow_id))
    .leftJoin(deployment, eq(deployment.id, flowRun.deployment_id))
    .leftJoin(workQueue, eq(workQueue.id, flowRun.work_queue_id))
    .leftJoin(workPool, eq(workPool.id, workQueue.work_pool_id))
    .leftJoin(taskRun, eq(taskRun.id, flowRun.parent_task_run_id))
    .leftJoin(concurrencyLimitV2, eq(concurrencyLimitV2.id, deployment.concurrency_limit_id))
    .where(eq(flowRun.id, sql.placeholder("id")))
    .prepare(),
);

async function loadFlowRun(env: Bindings, db: Db, id: string): Promise<{ run: FlowRunRow; surroundings: FlowRunSurroundings } | null> {
  const row = await flowRunWithSurroundings(db).get({ id });
  if (!row) return null;
  const { workQueue: q, workPool: p } = row;
  const scope: SlotScope | null = q && p ? { queueId: q.id, queueLimit: q.limit, poolId: p.id, poolLimit: p.limit } : null;
  return {
    run: row.run,
    surroundings: {
      flow: row.flow,
      deployment: row.deployment,
      workQueue: q ? { id: q.id, name: q.name } : null,
      workPool: p ? { id: p.id, name: p.name, type: p.type } : null,
      parentTaskRun: row.parentTaskRun,
      slots: scope ? slotGate(env, scope, id) : null,
      limits: row.deployment ? deploymentConcurrencyGate(env, row.run.id, row.deploymentLimit, row.concurrencyOptions) : null,
    },
  };
}

function slotGate(env: Bindings, scope: SlotScope, runId: string): SlotGate {
  return {
    acquire: (force) => acquireRunSlot(env, force ? { ...scope, queueLimit: null, poolLimit: null } : scope, runId),
    release: (type) => releaseRunSlot(env, scope, runId, type),
  };
}

/**
 * Proposes a state for a flow run: Prefect's core flow policy (or the minimal one when forced)
 * and the global bookkeeping decide; an accepted or replacement state is stored with the run's
 * fields, the wrapper task run of a subflow and the state-change event (in the event outbox) in
 * one D1 batch. Costs one D1 read and one D1 batch when the run's state does
 * not change underneath it.
 * Returns null when the run does not exist.
 */
export async function setFlowRunState(
  env: Bindings,
  db: Db,
  runId: string,
  proposal: StateProposal,
  opts: SetStateOptions = {},
): Promise<SetStateOutcome | null> {
  // Slots taken by attempts that lost a race; given back if the run did not end up holding them.
  const raced: (() => Promise<void>)[] = [];
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadFlowRun(env, db, runId);
    if (!loaded) {
      await settleRaced(raced, null);
      return null;
    }
    const now = isoNow();
    const ctx: FlowContext = {
      kind: "flow",
      run: structuredClone(loaded.run),
      surroundings: loaded.surroundings,
      ...transition(runStateOf(loaded.run), newState(proposal, now), now, opts),
    };
    const result = await orchestrate(ctx, opts.force ? MinimalFlowPolicy : (opts.policy ?? CoreFlowPolicy), GlobalFlowPolicy);
    if (!ctx.proposedState) {
      await settleRaced(raced, result.state?.type ?? null);
      return { result, written: false, run: loaded.run };
    }
    const statements: Write[] = flowRunTransitionStatements(db, ctx.run, ctx.proposedState, { stateId: loaded.run.state_id }, now, loaded.run);
    const parent = loaded.surroundings.parentTaskRun;
    if (ctx.effects.parentTaskState && parent) statements.push(...(await forcedTaskTransition(db, parent, ctx.effects.parentTaskState, now)));
    if (ctx.effects.retryFailedTaskRunsAt) statements.push(...(await failedTaskRunRetries(db, runId, ctx.effects.retryFailedTaskRunsAt, now)));
    const events = stampServerEvents(ctx.effects.events);
    if (events.length) statements.push(eventOutboxStatement(db, events));
    try {
      await runWrites(db, statements);
    } catch (err) {
      if (isStaleRunError(err) && attempt < MAX_ATTEMPTS) {
        raced.push(...ctx.effects.onWriteFailure);
        continue;
      }
      if (isStaleRunError(err)) {
        await settleRaced([...raced, ...ctx.effects.onWriteFailure], null);
        throw contendedRun();
      }
      // Write order (see src/durable/slot-ledger.ts): a slot taken for a write that failed goes back.
      await Promise.allSettled(ctx.effects.onWriteFailure.map((f) => f()));
      throw err;
    }
    await settleRaced(raced, ctx.proposedState.type);
    eventsCommitted(events, env);
    // Releases after the D1 write; one that fails is repaired by the ledger's reconciliation.
    await Promise.allSettled(ctx.effects.afterCommit.map((f) => f()));
    return { result, written: true, run: ctx.run };
  }
}

/** The flow run's FAILED task runs forced to AwaitingRetry, run count reset (clients before API 0.8.3). */
async function failedTaskRunRetries(db: Db, flowRunId: string, scheduledTime: string, now: string): Promise<Write[]> {
  const failed = await db
    .select()
    .from(taskRun)
    .where(and(eq(taskRun.flow_run_id, flowRunId), eq(taskRun.state_type, "FAILED")));
  const retry = () => newState({ type: "SCHEDULED", name: "AwaitingRetry", state_details: { scheduled_time: scheduledTime } }, now);
  const writes = await Promise.all(failed.map((run) => forcedTaskTransition(db, { ...run, run_count: 0 }, retry(), now)));
  return writes.flat();
}

async function settleRaced(raced: (() => Promise<void>)[], finalType: string | null): Promise<void> {
  if (!raced.length || isOccupying("queue", finalType)) return;
  await Promise.allSettled(raced.map((f) => f()));
}
