import { and, asc, eq, sql } from "drizzle-orm";
import { notInList } from "../lists";
import { LIKE, matches } from "../filters/patterns";
import type { Db } from "../client";
import { deleteWhere, readOne } from "../rows";
import { flowRun, flowRunInput } from "../schema";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { FlowRunInput } from "../../schemas/prefect.gen";

type InputRow = typeof flowRunInput.$inferSelect;

export function toFlowRunInput(r: InputRow): FlowRunInput {
  return {
    id: r.id,
    created: r.created,
    updated: r.updated,
    flow_run_id: r.flow_run_id,
    key: r.key,
    value: r.value,
    sender: r.sender,
  };
}

/**
 * Stores an input unless the run is missing or already has the key; one round trip.
 * Answers which, as Prefect tells them apart (404 / 409).
 */
export async function createFlowRunInput(
  db: Db,
  flowRunId: string,
  input: { key: string; value: string; sender?: string | null },
): Promise<"created" | "no_run" | "duplicate"> {
  const now = isoNow();
  const [run, inserted] = await db.batch([
    db.select({ id: flowRun.id }).from(flowRun).where(eq(flowRun.id, flowRunId)),
    db
      .insert(flowRunInput)
      .select(
        db
          .select({
            id: sql`${uuid4()}`.as("id"),
            created: sql`${now}`.as("created"),
            updated: sql`${now}`.as("updated"),
            flow_run_id: flowRun.id,
            key: sql`${input.key}`.as("key"),
            value: sql`${input.value}`.as("value"),
            sender: sql`${input.sender ?? null}`.as("sender"),
          })
          .from(flowRun)
          .where(eq(flowRun.id, flowRunId)),
      )
      .onConflictDoNothing()
      .returning({ id: flowRunInput.id }),
  ]);
  if (!run.length) return "no_run";
  return inserted.length ? "created" : "duplicate";
}

/** Inputs whose key starts with `prefix` (a LIKE pattern, as Prefect's), oldest first. */
export async function filterFlowRunInputs(
  db: Db,
  flowRunId: string,
  prefix: string,
  limit: number,
  excludeKeys: string[],
): Promise<FlowRunInput[]> {
  const rows = await db
    .select()
    .from(flowRunInput)
    .where(
      and(
        eq(flowRunInput.flow_run_id, flowRunId),
        matches(flowRunInput.key, `${prefix}%`, LIKE),
        excludeKeys.length ? notInList(flowRunInput.key, excludeKeys) : undefined,
      ),
    )
    .orderBy(asc(flowRunInput.created), asc(sql`${flowRunInput}.rowid`))
    .limit(limit);
  return rows.map(toFlowRunInput);
}

const byKey = (flowRunId: string, key: string) => and(eq(flowRunInput.flow_run_id, flowRunId), eq(flowRunInput.key, key));

export const readFlowRunInput = (db: Db, flowRunId: string, key: string): Promise<FlowRunInput | undefined> =>
  readOne(db, flowRunInput, byKey(flowRunId, key), toFlowRunInput);

export const deleteFlowRunInput = (db: Db, flowRunId: string, key: string): Promise<boolean> => deleteWhere(db, flowRunInput, byKey(flowRunId, key));
