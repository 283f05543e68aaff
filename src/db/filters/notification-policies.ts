import { sql } from "drizzle-orm";
import { flowRunNotificationPolicy } from "../schema";
import type { FilterSpec } from "./core";

/** Prefect 2.x's FlowRunNotificationPolicyFilter: only `is_active.eq_` (SQL `IS`). */
export const notificationPolicyFilterSpec: FilterSpec = {
  is_active: ({ eq_ }) =>
    eq_ === undefined || eq_ === null ? [] : [sql`${flowRunNotificationPolicy.is_active} IS ${eq_ ? 1 : 0}`],
};
