import { asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { readOne } from "../rows";
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

/** A run's state history, oldest first (ties in state-id order, which is time-ordered). */
async function history(db: Db, table: typeof flowRunState | typeof taskRunState, ofRun: SQL): Promise<State[]> {
  const rows = await db.select().from(table).where(ofRun).orderBy(asc(table.timestamp), asc(table.id));
  return rows.map(stateOf);
}

export const readFlowRunStates = (db: Db, flowRunId: string): Promise<State[]> => history(db, flowRunState, eq(flowRunState.flow_run_id, flowRunId));

export const readTaskRunStates = (db: Db, taskRunId: string): Promise<State[]> => history(db, taskRunState, eq(taskRunState.task_run_id, taskRunId));

export const readFlowRunState = (db: Db, id: string): Promise<State | undefined> => readOne(db, flowRunState, eq(flowRunState.id, id), stateOf);

export const readTaskRunState = (db: Db, id: string): Promise<State | undefined> => readOne(db, taskRunState, eq(taskRunState.id, id), stateOf);
