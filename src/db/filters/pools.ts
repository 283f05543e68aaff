import { deployment, workPool, workQueue } from "../schema";
import { sql } from "drizzle-orm";
import { array, combine, scalar, scalarConds, startsWith, type FilterSpec } from "./core";

// TODO(core issue): complete with every DeploymentFilter / WorkPoolFilter / WorkQueueFilter field.
export const deploymentFilterSpec: FilterSpec = {
  id: scalar(deployment.id),
  name: scalar(deployment.name),
  tags: array(deployment.tags),
};

export const workPoolFilterSpec: FilterSpec = {
  id: scalar(workPool.id),
  name: scalar(workPool.name),
  type: scalar(workPool.type),
};

export const workQueueFilterSpec: FilterSpec = {
  id: scalar(workQueue.id),
  // WorkQueueFilterName.startswith_ is a list: any of the prefixes, case-insensitive.
  name: ({ startswith_, ...rest }) => [
    ...scalarConds(workQueue.name, rest),
    startswith_ == null
      ? undefined
      : (combine("or_", startswith_.map((p: string) => startsWith(sql`lower(${workQueue.name})`, p.toLowerCase()))) ?? sql`0`),
  ],
};
