import { inList } from "../lists";
import { eq, sql } from "drizzle-orm";
import type { Statement, Batch } from "../batch";
import type { Db } from "../client";
import { countWhere, selectPage } from "../page";
import { readOne } from "../rows";
import { flow, flowRun } from "../schema";
import { deploymentsOfFlows, flowRunCascade } from "./flow-runs";
import { flowWhere, type ResourceFilters } from "../filters";
import { flowOrder } from "../sorts";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { Flow, FlowCreate, FlowSort, FlowUpdate } from "../../schemas/prefect.gen";

export type FlowRow = typeof flow.$inferSelect;

export function toFlow(row: FlowRow): Flow {
  return { id: row.id, created: row.created, updated: row.updated, name: row.name, tags: row.tags, labels: row.labels };
}

/** Idempotent by name: the existing flow comes back unchanged (created=false). */
export async function createFlow(db: Db, input: FlowCreate): Promise<{ flow: Flow; created: boolean }> {
  const now = isoNow();
  const inserted = await db
    .insert(flow)
    .values({ id: uuid4(), created: now, updated: now, name: input.name, tags: input.tags ?? [], labels: input.labels ?? {} })
    .onConflictDoNothing({ target: flow.name })
    .returning();
  if (inserted[0]) return { flow: toFlow(inserted[0]), created: true };
  const existing = await db.select().from(flow).where(eq(flow.name, input.name)).get();
  return { flow: toFlow(existing!), created: false };
}

export const readFlow = (db: Db, id: string): Promise<Flow | undefined> => readOne(db, flow, eq(flow.id, id), toFlow);

export const readFlowByName = (db: Db, name: string): Promise<Flow | undefined> => readOne(db, flow, eq(flow.name, name), toFlow);

export async function updateFlow(db: Db, id: string, input: Partial<FlowUpdate>): Promise<boolean> {
  const res = await db
    .update(flow)
    .set({ ...(input.tags !== undefined ? { tags: input.tags } : {}), updated: isoNow() })
    .where(eq(flow.id, id))
    .returning({ id: flow.id });
  return res.length > 0;
}

/**
 * Deleting flows takes, as Prefect's foreign keys cascade, their deployments and their flow runs
 * with everything under those (see flowRunCascade): one batch, one round trip.
 */
function flowCascade(db: Db, flowIds: string[]): Statement[] {
  const runIds = sql`(SELECT ${flowRun.id} FROM ${flowRun} WHERE ${inList(flowRun.flow_id, flowIds)})`;
  return [
    ...flowRunCascade(db, runIds),
    db.delete(flowRun).where(inList(flowRun.flow_id, flowIds)),
    ...deploymentsOfFlows(db, flowIds),
  ];
}

export async function deleteFlow(db: Db, id: string): Promise<boolean> {
  const results = await db.batch([
    ...flowCascade(db, [id]),
    db.delete(flow).where(eq(flow.id, id)).returning({ id: flow.id }),
  ] as unknown as Batch);
  return (results[results.length - 1] as unknown[]).length > 0;
}

export async function filterFlows(db: Db, filters: ResourceFilters, sort: FlowSort, limit: number, offset: number): Promise<Flow[]> {
  return (await selectPage(db, flow, { where: flowWhere(filters), orderBy: flowOrder(sort), limit, offset })).map(toFlow);
}

export const countFlows = (db: Db, filters: ResourceFilters): Promise<number> => countWhere(db, flow, flowWhere(filters));

export async function bulkDeleteFlows(db: Db, filters: ResourceFilters, limit: number): Promise<string[]> {
  const ids = await db.select({ id: flow.id }).from(flow).where(flowWhere(filters)).limit(limit);
  if (!ids.length) return [];
  const list = ids.map((r) => r.id);
  await db.batch([...flowCascade(db, list), db.delete(flow).where(inList(flow.id, list))] as unknown as Batch);
  return list;
}

void sql;
