import { sql } from "drizzle-orm";
import { deployment, flow, workPool, workQueue } from "../schema";
import { array, combine, ignored, ilike, istartsWith, scalar, scalarConds, uuid, type FilterSpec } from "./core";

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
  // WorkQueueFilterName.startswith_ is a list: any of the prefixes, case-insensitive
  // (an empty list constrains nothing, as Prefect's empty OR).
  name: ({ startswith_, ...rest }) => [
    ...scalarConds(workQueue.name, rest),
    startswith_ == null ? undefined : combine("or_", startswith_.map((p: string) => istartsWith(workQueue.name, p))),
  ],
};
