import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { listing } from "../page";
import { readOne } from "../rows";
import { flowRun, log, taskRun, taskRunState } from "../schema";
import { taskRunWhere, taskRunWhereByState, type ResourceFilters } from "../filters";
import { TASK_RUN_SORTS_BY_STATE, taskRunOrder } from "../sorts";
import { isoNow } from "../../lib/time";
import { allAtNow, toTaskRun } from "./runs-serialize";
import type { TaskRun, TaskRunSort, TaskRunUpdate } from "../../schemas/prefect.gen";

export const readTaskRun = (db: Db, id: string): Promise<TaskRun | undefined> => readOne(db, taskRun, eq(taskRun.id, id), (row) => toTaskRun(row));

const taskRuns = listing(
  taskRun,
  (f: ResourceFilters) => taskRunWhere(f),
  (sort: TaskRunSort) => taskRunOrder(sort),
  allAtNow(toTaskRun),
  (f, sort) => (TASK_RUN_SORTS_BY_STATE.has(sort) ? taskRunWhereByState(f) : undefined),
);
export const { filter: filterTaskRuns, count: countTaskRuns, paginate: paginateTaskRuns } = taskRuns;

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

