import { sql } from "drizzle-orm";
import { deployment, flow } from "../schema";
import { array, scalar, type FilterSpec } from "./core";

export const flowFilterSpec: FilterSpec = {
  id: scalar(flow.id),
  name: scalar(flow.name),
  tags: array(flow.tags),
  deployment: (sub) =>
    sub.is_null_ === undefined || sub.is_null_ === null
      ? []
      : [
          sub.is_null_
            ? sql`${flow.id} NOT IN (SELECT DISTINCT ${deployment.flow_id} FROM ${deployment})`
            : sql`${flow.id} IN (SELECT DISTINCT ${deployment.flow_id} FROM ${deployment})`,
        ],
};
