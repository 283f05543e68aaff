import { sql } from "drizzle-orm";
import { deployment, flow } from "../schema";
import { array, scalar, uuid, type FilterSpec } from "./core";

/** FlowFilter: id, deployment, name, tags. */
export const flowFilterSpec: FilterSpec = {
  id: uuid(flow.id),
  name: scalar(flow.name),
  tags: array(flow.tags),
  // is_null_: true → flows without any deployment; false → flows with one.
  deployment: ({ is_null_ }) =>
    is_null_ === undefined || is_null_ === null
      ? []
      : [
          is_null_
            ? sql`${flow.id} NOT IN (SELECT DISTINCT ${deployment.flow_id} FROM ${deployment})`
            : sql`${flow.id} IN (SELECT DISTINCT ${deployment.flow_id} FROM ${deployment})`,
        ],
};
