import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { flowRun, taskRun } from "../db/schema";
import type { Statement } from "../db/batch";
import type { TaskRunRow } from "../db/queries/runs-serialize";
import { isoNow } from "../lib/time";
import { toState } from "../schemas/serialize";
import { enqueueIfDeferred } from "../task-queue/client";
import { transition, type TaskContext, type TaskRunSurroundings, type OrchestrationResult } from "./context";
import { orchestrate, type SetStateOptions, type StateProposal } from "./engine";
import { CoreTaskPolicy, GlobalTaskPolicy, MinimalTaskPolicy } from "./policies";
import { newState, type RunState } from "./states";
import { cachedTaskState, contendedRun, isStaleRunError, runStateOf, taskRunTransitionStatements } from "./write";
import { parseLimitRows, tagLimitsJson } from "../db/queries/concurrency-limits";
import { taskConcurrencyGate } from "../concurrency/gates";
import { runTurn, type RunTurn } from "../concurrency/turns";

export interface TaskSetStateOutcome {
  result: OrchestrationResult;
  written: boolean;
  run: TaskRunRow;
}

/** Races a proposal may lose before it is answered 503 (in its turn it loses only to newcomers). */
const MAX_LOSSES = 16;

async function loadTaskRun(db: Db, id: string) {
  return db
    .select({ run: taskRun, flowRun, tagLimits: tagLimitsJson(taskRun.tags) })
    .from(taskRun)
    .leftJoin(flowRun, eq(flowRun.id, taskRun.flow_run_id))
    .where(eq(taskRun.id, id))
    .get();
}

function taskContext(
  env: Bindings,
  db: Db,
  run: TaskRunRow,
  flowRunRow: TaskRunSurroundings["flowRun"],
  proposed: RunState,
  now: string,
  opts: SetStateOptions,
  tagLimits: string | null = null,
): TaskContext {
  return {
    kind: "task",
    run: structuredClone(run),
    surroundings: {
      flowRun: flowRunRow,
      cachedState: (key) => cachedTaskState(db, key, now),
      limits: taskConcurrencyGate(env, run.id, parseLimitRows(tagLimits)),
    },
    ...transition(runStateOf(run), proposed, now, opts),
  };
}

/**
 * Prefect's core task policy (or the minimal one when forced) over a proposed task-run state.
 * The transition is stored only over the state it was decided on; a proposal that loses that
 * race waits for its turn at the run (src/concurrency/run-turns.ts) and is decided again on the
 * state the run is in then.
 */
export async function setTaskRunState(env: Bindings, db: Db, runId: string, proposal: StateProposal, opts: SetStateOptions = {}): Promise<TaskSetStateOutcome | null> {
  const turn = runTurn(env, "task_run", runId);
  try {
    return await proposeTaskRunState(env, db, runId, proposal, opts, turn);
  } finally {
    await turn.give(null);
  }
}

async function proposeTaskRunState(env: Bindings, db: Db, runId: string, proposal: StateProposal, opts: SetStateOptions, turn: RunTurn): Promise<TaskSetStateOutcome | null> {
  for (let losses = 0; ; ) {
    const loaded = await loadTaskRun(db, runId);
    if (!loaded) return null;
    const now = isoNow();
    const ctx = taskContext(env, db, loaded.run, loaded.flowRun, newState(proposal, now), now, opts, loaded.tagLimits);
    const result = await orchestrate(ctx, opts.force ? MinimalTaskPolicy : CoreTaskPolicy, GlobalTaskPolicy);
    if (!ctx.proposedState) return { result, written: false, run: loaded.run };
    try {
      await db.batch(taskRunTransitionStatements(db, ctx.run, ctx.proposedState, { stateId: loaded.run.state_id }, now) as [any, ...any[]]);
    } catch (err) {
      // Slots taken for this attempt go back before it is retried or abandoned.
      await Promise.allSettled(ctx.effects.onWriteFailure.map((f) => f()));
      if (!isStaleRunError(err)) throw err;
      if (++losses >= MAX_LOSSES) throw contendedRun();
      if (!turn.held) await turn.take();
      continue;
    }
    await Promise.allSettled(ctx.effects.afterCommit.map((f) => f()));
    const stored = { ...ctx.run, state_id: ctx.proposedState.id, state: toState(ctx.proposedState) };
    // A deferred (background) task run entering SCHEDULED goes to the task workers' queue.
    await enqueueIfDeferred(env, stored);
    return { result, written: true, run: ctx.run };
  }
}

/**
 * A forced task-run transition computed in memory, for a caller to add to its own batch (the
 * wrapper task run of a subflow following the subflow's state).
 */
export async function forcedTaskTransition(env: Bindings, db: Db, run: TaskRunRow, state: RunState, now = isoNow()): Promise<Statement[]> {
  const ctx = taskContext(env, db, run, null, state, now, { force: true });
  await orchestrate(ctx, MinimalTaskPolicy, GlobalTaskPolicy);
  return ctx.proposedState ? taskRunTransitionStatements(db, ctx.run, ctx.proposedState, null, now) : [];
}
