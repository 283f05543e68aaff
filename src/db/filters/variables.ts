import { sql } from "drizzle-orm";
import { variable } from "../schema";
import { anyOf, array, ilike, present, scalar, uuid, type Cond, type FilterSpec } from "./core";

/**
 * A variable's value as Prefect 2.x stored it, a string: a string value as its text, any other
 * value (Prefect 3 allows any JSON) as its JSON text.
 */
const valueText = sql`(CASE json_type(${variable.value}) WHEN 'text' THEN json_extract(${variable.value}, '$') ELSE ${variable.value} END)`;

/** VariableFilter: id (any_), name (any_, like_), tags (all_, is_null_); Prefect 2.x's value (any_, like_). */
export const variableFilterSpec: FilterSpec = {
  id: uuid(variable.id),
  name: scalar(variable.name),
  tags: array(variable.tags),
  value: ({ any_, like_ }) => {
    const conds: Cond[] = [];
    if (present(any_)) conds.push(anyOf(valueText, any_));
    if (present(like_)) conds.push(ilike(valueText, like_));
    return conds;
  },
};
