import { sql } from "drizzle-orm";
import { flowRunNotificationPolicy } from "../schema";
import { present, type FilterSpec } from "./core";

/** Prefect 2.x's FlowRunNotificationPolicyFilter: only `is_active.eq_` (SQL `IS`). */
export const notificationPolicyFilterSpec: FilterSpec = {
  is_active: ({ eq_ }) =>
    present(eq_) ? [sql`${flowRunNotificationPolicy.is_active} IS ${eq_ ? 1 : 0}`] : [],
};
