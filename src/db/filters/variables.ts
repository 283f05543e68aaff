import { variable } from "../schema";
import { array, scalar, uuid, type FilterSpec } from "./core";

/** VariableFilter: id (any_), name (any_, like_), tags (all_, is_null_). */
export const variableFilterSpec: FilterSpec = {
  id: uuid(variable.id),
  name: scalar(variable.name),
  tags: array(variable.tags),
};
