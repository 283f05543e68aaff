import { sql } from "drizzle-orm";
import { deployment, flow, flowRun, taskRun, workPool, workQueue } from "../schema";
import { allOf, uuidConds, whereOf, type Cond } from "./core";
import { flowFilterSpec } from "./flows";
import { flowRunFilterSpec, taskRunFilterSpec } from "./runs";
import { deploymentFilterSpec, workPoolFilterSpec, workQueueFilterSpec } from "./pools";

export { flowFilterSpec, flowRunFilterSpec, taskRunFilterSpec, deploymentFilterSpec, workPoolFilterSpec, workQueueFilterSpec };
export { whereOf, allOf, combine, type Cond } from "./core";

/** The filters a Prefect read endpoint accepts together; each is absent (null) unless sent. */
export interface ResourceFilters {
  flows?: Record<string, any> | null;
  flow_runs?: Record<string, any> | null;
  task_runs?: Record<string, any> | null;
  deployments?: Record<string, any> | null;
  work_pools?: Record<string, any> | null;
  work_pool_queues?: Record<string, any> | null;
}

const present = (f: unknown): f is Record<string, any> => f !== null && f !== undefined;

/** Flows matching their own filter and having a deployment / flow run / task run matching the others. */
export function flowWhere(f: ResourceFilters): Cond {
  const conds: Cond[] = [whereOf(flowFilterSpec, f.flows)];
  if (present(f.deployments) || present(f.work_pools)) {
    conds.push(
      sql`EXISTS (SELECT 1 FROM ${deployment} WHERE ${deployment.flow_id} = ${flow.id} AND ${deploymentPoolCond(f) ?? sql`1`})`,
    );
  }
  if (present(f.flow_runs) || present(f.task_runs)) {
    const runCond = allOf(
      whereOf(flowRunFilterSpec, f.flow_runs),
      present(f.task_runs)
        ? sql`EXISTS (SELECT 1 FROM ${taskRun} WHERE ${taskRun.flow_run_id} = ${flowRun.id} AND ${whereOf(taskRunFilterSpec, f.task_runs) ?? sql`1`})`
        : undefined,
    );
    conds.push(sql`EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.flow_id} = ${flow.id} AND ${runCond ?? sql`1`})`);
  }
  return allOf(...conds);
}

/** A deployment matching the deployment filter whose queue's pool matches the work-pool filter. */
function deploymentPoolCond(f: ResourceFilters): Cond {
  return allOf(
    whereOf(deploymentFilterSpec, f.deployments),
    present(f.work_pools)
      ? sql`${deployment.work_queue_id} IN (SELECT ${workQueue.id} FROM ${workQueue} JOIN ${workPool} ON ${workPool.id} = ${workQueue.work_pool_id} WHERE ${whereOf(workPoolFilterSpec, f.work_pools) ?? sql`1`})`
      : undefined,
  );
}

/** Flow runs matching their own filter and whose flow / deployment / work pool / task runs match. */
export function flowRunWhere(f: ResourceFilters): Cond {
  return allOf(
    whereOf(flowRunFilterSpec, f.flow_runs),
    present(f.flows)
      ? sql`${flowRun.flow_id} IN (SELECT ${flow.id} FROM ${flow} WHERE ${whereOf(flowFilterSpec, f.flows) ?? sql`1`})`
      : undefined,
    present(f.deployments)
      ? sql`${flowRun.deployment_id} IN (SELECT ${deployment.id} FROM ${deployment} WHERE ${whereOf(deploymentFilterSpec, f.deployments) ?? sql`1`})`
      : undefined,
    present(f.work_pools)
      ? sql`${flowRun.work_queue_id} IN (SELECT ${workQueue.id} FROM ${workQueue} JOIN ${workPool} ON ${workPool.id} = ${workQueue.work_pool_id} WHERE ${whereOf(workPoolFilterSpec, f.work_pools) ?? sql`1`})`
      : undefined,
    present(f.work_pool_queues)
      ? sql`${flowRun.work_queue_id} IN (SELECT ${workQueue.id} FROM ${workQueue} WHERE ${whereOf(workQueueFilterSpec, f.work_pool_queues) ?? sql`1`})`
      : undefined,
    present(f.task_runs)
      ? sql`EXISTS (SELECT 1 FROM ${taskRun} WHERE ${taskRun.flow_run_id} = ${flowRun.id} AND ${whereOf(taskRunFilterSpec, f.task_runs) ?? sql`1`})`
      : undefined,
  );
}

/** True when a flow-run filter says nothing but `id.any_` (non-empty), as Prefect's only_filters_on_id. */
function onlyFiltersOnId(f: Record<string, any>): boolean {
  const { operator: _operator, id, ...rest } = f;
  return (
    present(id) &&
    Array.isArray(id.any_) &&
    id.any_.length > 0 &&
    !(Array.isArray(id.not_any_) && id.not_any_.length > 0) &&
    Object.values(rest).every((v) => !present(v))
  );
}

/** Task runs matching their own filter and whose flow run / flow / deployment / pool / queue match. */
export function taskRunWhere(f: ResourceFilters): Cond {
  const others = present(f.flows) || present(f.deployments) || present(f.work_pools) || present(f.work_pool_queues);
  // Filtering only on flow-run ids needs no flow-run subquery (Prefect takes the same shortcut).
  if (present(f.flow_runs) && !others && onlyFiltersOnId(f.flow_runs)) {
    return allOf(whereOf(taskRunFilterSpec, f.task_runs), uuidConds(taskRun.flow_run_id, { any_: f.flow_runs.id.any_ })[0]);
  }
  return allOf(
    whereOf(taskRunFilterSpec, f.task_runs),
    others || present(f.flow_runs)
      ? sql`${taskRun.flow_run_id} IN (SELECT ${flowRun.id} FROM ${flowRun} WHERE ${flowRunWhere({ ...f, task_runs: null }) ?? sql`1`})`
      : undefined,
  );
}
