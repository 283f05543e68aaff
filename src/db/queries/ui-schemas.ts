import {  } from "drizzle-orm";
import { inList } from "../lists";
import type { Db } from "../client";
import { variable } from "../schema";

/** The `workspace_variable` names referenced anywhere in a values object. */
export function referencedVariableNames(values: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(values)) for (const v of values) referencedVariableNames(v, out);
  else if (values && typeof values === "object") {
    const obj = values as Record<string, unknown>;
    if (obj.__prefect_kind === "workspace_variable" && typeof obj.variable_name === "string") out.add(obj.variable_name);
    for (const v of Object.values(obj)) referencedVariableNames(v, out);
  }
  return out;
}

/** Workspace variables by name, only those asked for (hydration needs no others). */
export async function workspaceVariables(db: Db, names: Set<string>): Promise<Record<string, unknown>> {
  if (!names.size) return {};
  const query = db.select({ name: variable.name, value: variable.value }).from(variable);
  const rows = await query.where(inList(variable.name, [...names]));
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}
