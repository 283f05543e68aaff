import { flowRun, taskRun } from "../schema";
import { array, scalar, type FilterSpec } from "./core";

// TODO(core issue): complete with every FlowRunFilter / TaskRunFilter field Prefect defines.
export const flowRunFilterSpec: FilterSpec = {
  id: scalar(flowRun.id),
  name: scalar(flowRun.name),
  tags: array(flowRun.tags),
};

export const taskRunFilterSpec: FilterSpec = {
  id: scalar(taskRun.id),
  name: scalar(taskRun.name),
  tags: array(taskRun.tags),
};
