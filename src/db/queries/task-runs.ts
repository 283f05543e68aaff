import { count, eq } from "drizzle-orm";
import type { Db } from "../client";
import { flowRun, log, taskRun, taskRunState } from "../schema";
import { taskRunWhere, type ResourceFilters } from "../filters";
import { taskRunOrder } from "../sorts";
import { isoNow } from "../../lib/time";
import { toTaskRun, type TaskRunRow } from "./runs-serialize";
import type { TaskRun, TaskRunSort, TaskRunUpdate } from "../../schemas/prefect.gen";

export async function readTaskRun(db: Db, id: string): Promise<TaskRun | undefined> {
  const row = await db.select().from(taskRun).where(eq(taskRun.id, id)).get();
  return row && toTaskRun(row);
}

function filteredRuns(db: Db, filters: ResourceFilters, sort: TaskRunSort, limit: number, offset: number) {
  return db
    .select()
    .from(taskRun)
    .where(taskRunWhere(filters))
    .orderBy(...taskRunOrder(sort))
    .limit(limit)
    .offset(offset);
}

function countQuery(db: Db, filters: ResourceFilters) {
  return db.select({ n: count() }).from(taskRun).where(taskRunWhere(filters));
}

export async function filterTaskRuns(
  db: Db,
  filters: ResourceFilters,
  sort: TaskRunSort,
  limit: number,
  offset: number,
): Promise<TaskRun[]> {
  const now = isoNow();
  return (await filteredRuns(db, filters, sort, limit, offset)).map((r: TaskRunRow) => toTaskRun(r, now));
}

export async function countTaskRuns(db: Db, filters: ResourceFilters): Promise<number> {
  return (await countQuery(db, filters).get())?.n ?? 0;
}

export async function paginateTaskRuns(
  db: Db,
  filters: ResourceFilters,
  sort: TaskRunSort,
  limit: number,
  offset: number,
): Promise<{ results: TaskRun[]; count: number }> {
  const [rows, counted] = await db.batch([filteredRuns(db, filters, sort, limit, offset), countQuery(db, filters)]);
  const now = isoNow();
  return { results: rows.map((r) => toTaskRun(r, now)), count: counted[0]?.n ?? 0 };
}

export async function updateTaskRun(db: Db, id: string, input: Partial<TaskRunUpdate>): Promise<boolean> {
  const set: Partial<typeof taskRun.$inferInsert> = { updated: isoNow() };
  if (input.name !== undefined) set.name = input.name;
  const res = await db.update(taskRun).set(set).where(eq(taskRun.id, id)).returning({ id: taskRun.id });
  return res.length > 0;
}

/**
 * Deletes a task run with its states and logs (one round trip); a subflow run it wrapped keeps
 * running free (parent_task_run_id set to null, as Prefect's foreign key does).
 */
export async function deleteTaskRun(db: Db, id: string): Promise<boolean> {
  const [, , , deleted] = await db.batch([
    db.update(flowRun).set({ parent_task_run_id: null }).where(eq(flowRun.parent_task_run_id, id)),
    db.delete(taskRunState).where(eq(taskRunState.task_run_id, id)),
    db.delete(log).where(eq(log.task_run_id, id)),
    db.delete(taskRun).where(eq(taskRun.id, id)).returning({ id: taskRun.id }),
  ]);
  return deleted.length > 0;
}

