import { deployment, workPool, workQueue } from "../schema";
import { array, scalar, type FilterSpec } from "./core";

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
  name: scalar(workQueue.name),
};
