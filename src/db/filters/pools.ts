import { sql } from "drizzle-orm";
import { deployment, flow, workPool, workQueue } from "../schema";
import { array, combine, ignored, ilike, present, scalar, scalarConds, spliced, TRUE, uuid, type FilterSpec } from "./core";
import { LIKE, someMatches } from "./patterns";

/** DeploymentFilter: every field of Prefect's deployment filter. */
export const deploymentFilterSpec: FilterSpec = {
  id: uuid(deployment.id),
  name: scalar(deployment.name),
  // One search box for both names: the deployment's, or its flow's.
  flow_or_deployment_name: ({ like_ }) =>
    like_
      ? [
          sql`(${ilike(deployment.name, like_)} OR EXISTS (SELECT 1 FROM ${flow} WHERE ${flow.id} = ${deployment.flow_id} AND ${ilike(flow.name, like_)}))`,
        ]
      : [],
  paused: scalar(deployment.paused),
  tags: array(deployment.tags),
  work_queue_name: scalar(deployment.work_queue_name),
  // Deprecated in Prefect: accepted and ignored (it no longer filters on the concurrency limit).
  concurrency_limit: ignored,
  // Prefect 2.x: the schedule is active where the deployment is not paused.
  is_schedule_active: ({ eq_ }) => (present(eq_) ? [sql`${deployment.paused} = ${eq_ ? 0 : 1}`] : []),
};

/** WorkPoolFilter: id, name, type. */
export const workPoolFilterSpec: FilterSpec = {
  id: uuid(workPool.id),
  name: scalar(workPool.name),
  type: scalar(workPool.type),
};

/** WorkQueueFilter: id, name. */
export const workQueueFilterSpec: FilterSpec = {
  id: uuid(workQueue.id),
  // WorkQueueFilterName.startswith_ is a list: any of the prefixes, case-insensitive. An empty list
  // is Prefect's empty OR, which SQLAlchemy drops: no constraint, and (unlike a sub-filter sent
  // empty, which is TRUE) nothing at all under the work-queue filter's or_.
  name: spliced(({ startswith_, ...rest }) => {
    const conds = scalarConds(workQueue.name, rest);
    if (startswith_ != null && startswith_.length)
      conds.push(someMatches(workQueue.name, startswith_.map((p: string) => ({ pattern: `${p}%` })), LIKE));
    if (startswith_ != null && !startswith_.length && !conds.length) return [];
    return [combine("and_", conds) ?? TRUE];
  }),
};
