import { sql, type Column, type SQL } from "drizzle-orm";
import { deployment, flow, flowRun, taskRun, workPool, workQueue } from "../schema";
import { allOf, present, TRUE, uuidConds, whereOf, type Cond } from "./core";
import { flowFilterSpec } from "./flows";
import { flowRunFilterSpec, taskRunFilterSpec } from "./runs";
import { deploymentFilterSpec, workPoolFilterSpec, workQueueFilterSpec } from "./pools";

export { flowFilterSpec, flowRunFilterSpec, taskRunFilterSpec, deploymentFilterSpec, workPoolFilterSpec, workQueueFilterSpec };
export { whereOf, allOf, combine, present, type Cond } from "./core";

/** The filters a Prefect read endpoint accepts together; each is absent (null) unless sent. */
export interface ResourceFilters {
  flows?: Record<string, any> | null;
  flow_runs?: Record<string, any> | null;
  task_runs?: Record<string, any> | null;
  deployments?: Record<string, any> | null;
  work_pools?: Record<string, any> | null;
  work_pool_queues?: Record<string, any> | null;
}

/** Flows matching their own filter and having a deployment / flow run / task run matching the others. */
export function flowWhere(f: ResourceFilters): Cond {
  const conds: Cond[] = [whereOf(flowFilterSpec, f.flows)];
  if (present(f.deployments) || present(f.work_pools)) {
    conds.push(sql`EXISTS (SELECT 1 FROM ${deployment} WHERE ${deployment.flow_id} = ${flow.id} AND ${deploymentPoolCond(f) ?? TRUE})`);
  }
  if (present(f.flow_runs) || present(f.task_runs)) {
    const runCond = allOf(whereOf(flowRunFilterSpec, f.flow_runs), runHasTaskRun(f.task_runs));
    conds.push(sql`EXISTS (SELECT 1 FROM ${flowRun} WHERE ${flowRun.flow_id} = ${flow.id} AND ${runCond ?? TRUE})`);
  }
  return allOf(...conds);
}

type Filter = Record<string, any> | null | undefined;

/** The row's flow (its `flowId` column) matches the flow filter; no condition when none is sent. */
export const flowMatches = (flowId: Column, flows: Filter): Cond =>
  present(flows) ? sql`${flowId} IN (SELECT ${flow.id} FROM ${flow} WHERE ${whereOf(flowFilterSpec, flows) ?? TRUE})` : undefined;

/** The flow run (of the enclosing query) has a task run matching the filter; none when none is sent. */
export const runHasTaskRun = (taskRuns: Filter): Cond =>
  present(taskRuns)
    ? sql`EXISTS (SELECT 1 FROM ${taskRun} WHERE ${taskRun.flow_run_id} = ${flowRun.id} AND ${whereOf(taskRunFilterSpec, taskRuns) ?? TRUE})`
    : undefined;

/** The row's queue (its `queueId` column) is in a pool matching the work-pool filter; none when none is sent. */
const queuePoolMatches = (queueId: Column, workPools: Filter): Cond =>
  present(workPools)
    ? sql`${queueId} IN (SELECT ${workQueue.id} FROM ${workQueue} JOIN ${workPool} ON ${workPool.id} = ${workQueue.work_pool_id} WHERE ${whereOf(workPoolFilterSpec, workPools) ?? TRUE})`
    : undefined;

/** A deployment matching the deployment filter whose queue's pool matches the work-pool filter. */
function deploymentPoolCond(f: ResourceFilters): Cond {
  return allOf(whereOf(deploymentFilterSpec, f.deployments), queuePoolMatches(deployment.work_queue_id, f.work_pools));
}

/** Flow runs matching their own filter and whose flow / deployment / work pool / task runs match. */
export function flowRunWhere(f: ResourceFilters): Cond {
  return allOf(
    whereOf(flowRunFilterSpec, f.flow_runs),
    flowMatches(flowRun.flow_id, f.flows),
    present(f.deployments)
      ? sql`${flowRun.deployment_id} IN (SELECT ${deployment.id} FROM ${deployment} WHERE ${whereOf(deploymentFilterSpec, f.deployments) ?? TRUE})`
      : undefined,
    queuePoolMatches(flowRun.work_queue_id, f.work_pools),
    present(f.work_pool_queues)
      ? sql`${flowRun.work_queue_id} IN (SELECT ${workQueue.id} FROM ${workQueue} WHERE ${whereOf(workQueueFilterSpec, f.work_pool_queues) ?? TRUE})`
      : undefined,
    runHasTaskRun(f.task_runs),
  );
}

/**
 * The distinct state types a run filter requires (`state.type.any_`, two or more) when that list is
 * ANDed with the rest of the filter, so that the filter is the union of its copies with one type
 * each; undefined otherwise (an or_ above it, a not_any_ beside it, fewer than two types).
 */
function requiredStateTypes(f: Filter): string[] | undefined {
  if (!present(f) || f.operator === "or_" || !present(f.state)) return undefined;
  const { state } = f;
  if (state.operator === "or_" && present(state.name)) return undefined;
  const type = state.type;
  if (!present(type) || !Array.isArray(type.any_) || (Array.isArray(type.not_any_) && type.not_any_.length)) return undefined;
  const types = [...new Set<string>(type.any_)];
  return types.length > 1 ? types : undefined;
}

/** `filters` with the run filter under `key` requiring one state type each, when it requires several (see requiredStateTypes). */
function byStateType(f: ResourceFilters, key: "flow_runs" | "task_runs"): ResourceFilters[] | undefined {
  const runs = f[key];
  return requiredStateTypes(runs)?.map((t) => ({ ...f, [key]: { ...runs, state: { ...runs!.state, type: { ...runs!.state.type, any_: [t] } } } }));
}

/** flowRunWhere as disjoint branches, one per state type the flow-run filter requires (a merged page's, page.ts). */
export const flowRunWhereByState = (f: ResourceFilters): SQL[] | undefined => byStateType(f, "flow_runs")?.map((g) => flowRunWhere(g) ?? TRUE);

/** taskRunWhere as disjoint branches, one per state type the task-run filter requires. */
export const taskRunWhereByState = (f: ResourceFilters): SQL[] | undefined => byStateType(f, "task_runs")?.map((g) => taskRunWhere(g) ?? TRUE);

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
      ? sql`${taskRun.flow_run_id} IN (SELECT ${flowRun.id} FROM ${flowRun} WHERE ${flowRunWhere({ ...f, task_runs: null }) ?? TRUE})`
      : undefined,
  );
}
