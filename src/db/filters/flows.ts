import { sql } from "drizzle-orm";
import { deployment, flow } from "../schema";
import { array, present, scalar, uuid, type FilterSpec } from "./core";

/** FlowFilter: id, deployment, name, tags. */
export const flowFilterSpec: FilterSpec = {
  id: uuid(flow.id),
  name: scalar(flow.name),
  tags: array(flow.tags),
  // is_null_: true → flows without any deployment; false → flows with one.
  deployment: ({ is_null_ }) => {
    if (!present(is_null_)) return [];
    const flowsWithDeployment = sql`(SELECT DISTINCT ${deployment.flow_id} FROM ${deployment})`;
    return [is_null_ ? sql`${flow.id} NOT IN ${flowsWithDeployment}` : sql`${flow.id} IN ${flowsWithDeployment}`];
  },
};
