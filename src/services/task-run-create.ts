import { and, eq, isNull } from "drizzle-orm";
import type { Bindings } from "../env";
import type { Db } from "../db/client";
import { flowRun, taskRun } from "../db/schema";
import type { TaskRunRow } from "../db/queries/runs-serialize";
import { blankTaskRun } from "../db/queries/blank-runs";
import { integrityConflict } from "../lib/errors";
import { uuid4 } from "../lib/ids";
import { generateRunName } from "../lib/names";
import { isoNow, toIsoOrNull } from "../lib/time";
import { toState } from "../schemas/serialize";
import type { TaskRunCreate } from "../schemas/prefect.gen";
import { transition, type TaskContext } from "../orchestration/context";
import { orchestrate } from "../orchestration/engine";
import { GlobalTaskPolicy, MinimalTaskPolicy } from "../orchestration/policies";
import { newState } from "../orchestration/states";
import { isStaleRunError, taskRunTransitionStatements } from "../orchestration/write";
import { enqueueIfDeferred } from "../task-queue/client";

const sameKey = (input: TaskRunCreate) =>
  and(
    input.flow_run_id ? eq(taskRun.flow_run_id, input.flow_run_id) : isNull(taskRun.flow_run_id),
    eq(taskRun.task_key, input.task_key),
    eq(taskRun.dynamic_key, input.dynamic_key),
  );

/**
 * Creates a task run, idempotent on (flow_run_id, task_key, dynamic_key): the existing run is
 * returned for a repeated key. Labels carry the flow run's labels and `prefect.flow-run.id`;
 * the first state (PENDING unless given) is set through the forced policy.
 */
export async function createTaskRun(env: Bindings, db: Db, input: TaskRunCreate): Promise<{ run: TaskRunRow; created: boolean }> {
  const [flowRuns, existing] = await db.batch([
    db.select().from(flowRun).where(eq(flowRun.id, input.flow_run_id ?? "")),
    db.select().from(taskRun).where(sameKey(input)).limit(1),
  ]);
  if (existing[0]) return { run: existing[0], created: false };
  const parent = flowRuns[0] ?? null;
  if (input.flow_run_id && !parent) throw integrityConflict();

  const now = isoNow();
  const run = blankTaskRun({
    id: input.id ?? uuid4(),
    created: now,
    updated: now,
    name: input.name ?? generateRunName(),
    flow_run_id: input.flow_run_id ?? null,
    task_key: input.task_key,
    dynamic_key: input.dynamic_key,
    cache_key: input.cache_key ?? null,
    cache_expiration: toIsoOrNull(input.cache_expiration),
    task_version: input.task_version ?? null,
    empirical_policy: input.empirical_policy ?? {},
    tags: input.tags ?? [],
    labels: {
      ...((parent?.labels as Record<string, unknown>) ?? {}),
      ...(input.flow_run_id ? { "prefect.flow-run.id": input.flow_run_id } : {}),
      ...(input.labels ?? {}),
    },
    task_inputs: input.task_inputs ?? {},
  });
  const ctx: TaskContext = {
    kind: "task",
    run,
    surroundings: { flowRun: parent, cachedState: async () => null },
    ...transition(null, newState(input.state ?? { type: "PENDING" }, now), now),
  };
  await orchestrate(ctx, MinimalTaskPolicy, GlobalTaskPolicy);
  const statements: any[] = [db.insert(taskRun).values(run).onConflictDoNothing()];
  if (ctx.proposedState) statements.push(...taskRunTransitionStatements(db, ctx.run, ctx.proposedState, { stateId: null }, now));
  try {
    await db.batch(statements as [any, ...any[]]);
  } catch (err) {
    if (!isStaleRunError(err)) throw err;
    // Another request created the same task run first.
    const winner = await db.select().from(taskRun).where(sameKey(input)).get();
    if (!winner) throw integrityConflict();
    return { run: winner, created: false };
  }
  const state = ctx.proposedState;
  const stored = state ? { ...ctx.run, state_id: state.id, state: toState(state), updated: now } : ctx.run;
  // A background task run (SCHEDULED, deferred) goes to the task workers' queue, as Prefect's EnqueueScheduledTasks.
  await enqueueIfDeferred(env, stored);
  return { run: stored, created: true };
}
