import { and, eq } from "drizzle-orm";
import { runWrites, type Write } from "../db/prepared";
import { decodeSnapshot, flowRunSnapshotStatement, readFlowRunSnapshot, snapshotFromResult, type FlowRunSnapshot, type SnapshotRead } from "../db/queries/flow-run-snapshot";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { taskRun } from "../db/schema";
import type { FlowRunRow } from "../db/queries/runs-serialize";
import { stampServerEvents } from "../db/queries/event-outbox";
import { eventsCommitted } from "../events/outbox";
import { acquireRunSlot, releaseRunSlot, type SlotScope } from "../concurrency/work-queue-slots";
import { isOccupying } from "../schemas/states";
import { deploymentConcurrencyGate } from "../concurrency/gates";
import { isoNow } from "../lib/time";
import { transition, type FlowContext, type FlowRunSurroundings, type OrchestrationResult, type SlotGate } from "./context";
import { orchestrate, type SetStateOptions, type StateProposal } from "./engine";
import { CoreFlowPolicy, GlobalFlowPolicy, MinimalFlowPolicy } from "./policies";
import { newState } from "./states";
import { forcedTaskTransition } from "./task-run-state";
import { contendedRun, flowRunTransitionStatements, isStaleRunError, runStateOf } from "./write";
import { forgetSnapshot, recallSnapshot, rememberedSnapshotText, rememberSnapshot } from "./flow-run-snapshots";
import { runTurn, type RunTurn } from "../concurrency/turns";

export interface SetStateOutcome {
  result: OrchestrationResult;
  /** A new state was stored (Prefect answers 201 then, 200 otherwise). */
  written: boolean;
  run: FlowRunRow;
}

/**
 * Races a proposal may lose before it is answered 503. With turns (below) it loses only to
 * proposals arriving while it holds its turn, or when it got no turn.
 */
const MAX_LOSSES = 16;

interface LoadedRun {
  run: FlowRunRow;
  surroundings: FlowRunSurroundings;
  snapshot: FlowRunSnapshot;
  /** Remembered by this isolate rather than read for this request: maybe stale. */
  remembered: boolean;
  /** A decision on the remembered snapshot reached for a slot or a lease (see heldBack). */
  reachedForSlots: boolean;
}

function loaded(env: Bindings, snapshot: FlowRunSnapshot, remembered: boolean): LoadedRun {
  const { run, flow, deployment, workQueue: q, workPool: p, parentTaskRun, deploymentLimit } = snapshot.rows;
  const scope: SlotScope | null = q && p ? { queueId: q.id, queueLimit: q.concurrency_limit, poolId: p.id, poolLimit: p.concurrency_limit } : null;
  const slots = scope ? slotGate(env, scope, run.id) : null;
  const limits = deployment ? deploymentConcurrencyGate(env, run.id, deploymentLimit, deployment.concurrency_options) : null;
  const out: LoadedRun = {
    run,
    snapshot,
    remembered,
    reachedForSlots: false,
    surroundings: {
      flow,
      deployment: deployment ? { id: deployment.id, name: deployment.name, tags: deployment.tags } : null,
      workQueue: q ? { id: q.id, name: q.name } : null,
      workPool: p ? { id: p.id, name: p.name, type: p.type } : null,
      parentTaskRun,
      slots,
      limits,
    },
  };
  if (remembered) heldBack(out);
  return out;
}

/**
 * A decision on a remembered snapshot takes no slot and no lease: the snapshot may be stale (a
 * limit lowered, the run already holding its slot), and slots are keyed by run, so giving back one
 * taken on a stale view could free the run's own. Reaching for one marks the decision to be taken
 * again on a fresh read; releases after a commit go through.
 */
function heldBack(loadedRun: LoadedRun): void {
  const { slots, limits } = loadedRun.surroundings;
  const reach = () => {
    loadedRun.reachedForSlots = true;
  };
  if (slots) loadedRun.surroundings.slots = { ...slots, acquire: async () => (reach(), "refused" as const) };
  if (limits) loadedRun.surroundings.limits = { ...limits, acquire: async () => (reach(), null), renew: async () => (reach(), false) };
}

async function readRun(env: Bindings, db: Db, id: string): Promise<LoadedRun | null> {
  const snapshot = await readFlowRunSnapshot(db, id);
  if (!snapshot) return null;
  rememberSnapshot(id, snapshot.text);
  return loaded(env, snapshot, false);
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
 * one D1 batch, which also reads the run's new snapshot.
 *
 * Costs one D1 read and one D1 batch, or the batch alone when this isolate remembers the run's
 * snapshot (flow-run-snapshots.ts) and it is still current. A decision on a remembered snapshot
 * that turns out stale, or that is not a plain transition, is taken again on a fresh one.
 * Returns null when the run does not exist.
 *
 * Concurrent proposals: the batch stores the transition only over the state it was decided on.
 * A proposal that loses that race (other than on a stale memory, retried at once on the snapshot
 * the batch read) waits for its turn at the run (src/concurrency/run-turns.ts) and is decided
 * again on the state the run is in then — Prefect's row lock, taken only when needed.
 */
export async function setFlowRunState(
  env: Bindings,
  db: Db,
  runId: string,
  proposal: StateProposal,
  opts: SetStateOptions = {},
): Promise<SetStateOutcome | null> {
  const turn = runTurn(env, "flow_run", runId);
  try {
    return await proposeFlowRunState(env, db, runId, proposal, opts, turn);
  } finally {
    if (turn.held) await turn.give(rememberedSnapshotText(runId));
  }
}

async function proposeFlowRunState(
  env: Bindings,
  db: Db,
  runId: string,
  proposal: StateProposal,
  opts: SetStateOptions,
  turn: RunTurn,
): Promise<SetStateOutcome | null> {
  // Slots taken by attempts that lost a race; given back if the run did not end up holding them.
  const raced: (() => Promise<void>)[] = [];
  const remembered = recallSnapshot(runId);
  let current: LoadedRun | null = remembered ? loaded(env, remembered, true) : null;
  for (let losses = 0; ; ) {
    current ??= await readRun(env, db, runId);
    if (!current) {
      await settleRaced(raced, null);
      return null;
    }
    const now = isoNow();
    const ctx: FlowContext = {
      kind: "flow",
      run: structuredClone(current.run),
      surroundings: current.surroundings,
      ...transition(runStateOf(current.run), newState(proposal, now), now, opts),
    };
    const result = await orchestrate(ctx, opts.force ? MinimalFlowPolicy : (opts.policy ?? CoreFlowPolicy), GlobalFlowPolicy);
    const plain = !ctx.effects.parentTaskState && !ctx.effects.retryFailedTaskRunsAt;
    if (current.remembered && (current.reachedForSlots || !(ctx.proposedState && plain))) {
      // Only a plain transition that takes no slot is stored conditionally on the snapshot: decide again on a fresh one.
      raced.push(...ctx.effects.onWriteFailure);
      current = null;
      continue;
    }
    if (!ctx.proposedState) {
      await settleRaced(raced, result.state?.type ?? null);
      return { result, written: false, run: current.run };
    }
    const state = ctx.proposedState;
    const events = stampServerEvents(ctx.effects.events);
    const guessed = current.remembered;
    const guard = guessed ? { snapshot: current.snapshot.text } : { stateId: current.run.state_id };
    const statements: Write[] = flowRunTransitionStatements(db, ctx.run, state, guard, now, { before: current.run, events });
    const parent = current.surroundings.parentTaskRun;
    if (ctx.effects.parentTaskState && parent) statements.push(...(await forcedTaskTransition(env, db, parent, ctx.effects.parentTaskState, now)));
    if (ctx.effects.retryFailedTaskRunsAt) statements.push(...(await failedTaskRunRetries(env, db, runId, ctx.effects.retryFailedTaskRunsAt, now)));
    statements.push(flowRunSnapshotStatement(db, runId));
    let after: SnapshotRead | null | "raced";
    try {
      after = snapshotFromResult((await runWrites(db, statements)).at(-1));
    } catch (err) {
      if (!isStaleRunError(err)) {
        // Write order (see src/concurrency/slot-ledger.ts): a slot taken for a write that failed goes back.
        await Promise.allSettled(ctx.effects.onWriteFailure.map((f) => f()));
        throw err;
      }
      after = "raced"; // the batch failed as a whole
    }
    if (after !== "raced" && after?.stateId === state.id) {
      rememberSnapshot(runId, after.text);
      await settleRaced(raced, state.type);
      eventsCommitted(events, env);
      // Releases after the D1 write; one that fails is repaired by the ledger's reconciliation.
      await Promise.allSettled(ctx.effects.afterCommit.map((f) => f()));
      return { result, written: true, run: ctx.run };
    }
    // Nothing was written; a snapshot read by the batch is the run as it is now.
    raced.push(...ctx.effects.onWriteFailure);
    current = null;
    if (after === null) {
      forgetSnapshot(runId); // the run is gone: the next read answers so
      continue;
    }
    if (after !== "raced") {
      rememberSnapshot(runId, after.text);
      current = loaded(env, decodeSnapshot(after.text), false);
    }
    losses++;
    if (losses >= MAX_LOSSES) {
      await settleRaced(raced, null);
      throw contendedRun();
    }
    // A stale memory is retried at once; a race lost on the run as it was is waited out in turn.
    if (turn.held || (guessed && losses === 1)) continue;
    // The run may have changed while waiting: decide on the newest snapshot known, stored only if still current.
    const newest = (await turn.take()) ?? rememberedSnapshotText(runId);
    current = newest === null ? null : loaded(env, decodeSnapshot(newest), true);
  }
}

/** The flow run's FAILED task runs forced to AwaitingRetry, run count reset (clients before API 0.8.3). */
async function failedTaskRunRetries(env: Bindings, db: Db, flowRunId: string, scheduledTime: string, now: string): Promise<Write[]> {
  const failed = await db
    .select()
    .from(taskRun)
    .where(and(eq(taskRun.flow_run_id, flowRunId), eq(taskRun.state_type, "FAILED")));
  const retry = () => newState({ type: "SCHEDULED", name: "AwaitingRetry", state_details: { scheduled_time: scheduledTime } }, now);
  const writes = await Promise.all(failed.map((run) => forcedTaskTransition(env, db, { ...run, run_count: 0 }, retry(), now)));
  return writes.flat();
}

async function settleRaced(raced: (() => Promise<void>)[], finalType: string | null): Promise<void> {
  if (!raced.length || isOccupying("queue", finalType)) return;
  await Promise.allSettled(raced.map((f) => f()));
}
