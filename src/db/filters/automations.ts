import { automation } from "../schema";
import { array, scalar, whereOf, type Cond, type FilterSpec } from "./core";

/** AutomationFilter: name (any_), created (before_), tags (all_/any_/is_null_). */
export const automationFilterSpec: FilterSpec = {
  name: scalar(automation.name),
  created: scalar(automation.created),
  tags: array(automation.tags),
};

export function automationWhere(filter: Record<string, any> | null | undefined): Cond {
  return whereOf(automationFilterSpec, filter);
}
