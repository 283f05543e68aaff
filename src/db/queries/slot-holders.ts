import { OCCUPYING } from "../../schemas/states";

/**
 * What D1 shows of the runs holding concurrency slots, for the Durable Objects that keep those
 * slots to reconcile against (src/concurrency/slot-ledger.ts, concurrency-limit.ts). Raw D1: an
 * object holds the binding, not a drizzle handle.
 */

/** The flow runs of a work queue (or work pool) in a state that occupies one of its slots. */
export async function occupyingFlowRunIds(d1: D1Database, scope: { kind: "queue" | "pool"; id: string }): Promise<string[]> {
  const states = OCCUPYING[scope.kind];
  const column = scope.kind === "queue" ? "work_queue_id" : "work_pool_id";
  const placeholders = states.map(() => "?").join(", ");
  const { results } = await d1
    .prepare(`SELECT id FROM flow_run WHERE ${column} = ? AND state_type IN (${placeholders})`)
    .bind(scope.id, ...states)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** D1 binds at most 100 parameters a statement. */
const IDS_PER_QUERY = 90;

/** Of these runs, the ones D1 shows in one of `states`. */
export async function runIdsInStates(d1: D1Database, table: "task_run" | "flow_run", ids: string[], states: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const { results } = await d1
      .prepare(`SELECT id FROM ${table} WHERE id IN (${chunk.map(() => "?").join(", ")}) AND state_type IN (${states.map(() => "?").join(", ")})`)
      .bind(...chunk, ...states)
      .all<{ id: string }>();
    for (const r of results) found.push(r.id);
  }
  return found;
}
