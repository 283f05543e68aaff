import { asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { flowRunState, taskRunState } from "../schema";
import { toState } from "../../schemas/serialize";
import type { State } from "../../schemas/prefect.gen";

/** True once the flow-run state row whose id is the placeholder `state_id` exists (a conditional write's test). */
export const flowRunStateStored = (): SQL =>
  sql`EXISTS (SELECT 1 FROM ${flowRunState} WHERE ${flowRunState.id} = ${sql.placeholder("state_id")})`;

type StateRow = typeof flowRunState.$inferSelect | typeof taskRunState.$inferSelect;

function stateOf(r: StateRow): State {
  return toState({
    id: r.id,
    type: r.type,
    name: r.name,
    timestamp: r.timestamp,
    message: r.message,
    data: r.data,
    state_details: r.state_details,
  });
}

/** A flow run's state history, oldest first (ties in state-id order, which is time-ordered). */
export async function readFlowRunStates(db: Db, flowRunId: string): Promise<State[]> {
  const rows = await db
    .select()
    .from(flowRunState)
    .where(eq(flowRunState.flow_run_id, flowRunId))
    .orderBy(asc(flowRunState.timestamp), asc(flowRunState.id));
  return rows.map(stateOf);
}

export async function readFlowRunState(db: Db, id: string): Promise<State | undefined> {
  const row = await db.select().from(flowRunState).where(eq(flowRunState.id, id)).get();
  return row && stateOf(row);
}

export async function readTaskRunStates(db: Db, taskRunId: string): Promise<State[]> {
  const rows = await db
    .select()
    .from(taskRunState)
    .where(eq(taskRunState.task_run_id, taskRunId))
    .orderBy(asc(taskRunState.timestamp), asc(taskRunState.id));
  return rows.map(stateOf);
}

export async function readTaskRunState(db: Db, id: string): Promise<State | undefined> {
  const row = await db.select().from(taskRunState).where(eq(taskRunState.id, id)).get();
  return row && stateOf(row);
}
