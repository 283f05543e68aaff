import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { countWhere, selectPieces } from "../page";
import { mapPieces, type Pieces } from "../../lib/pieces";
import { readOne } from "../rows";
import { variable } from "../schema";
import { whereOf } from "../filters/core";
import { variableFilterSpec } from "../filters/variables";
import { namedResourceOrder } from "../sorts";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { conflict, integrityConflict } from "../../lib/errors";
import { refusingViolations } from "../integrity";
import { serverEventWrite, type ServerEvent, type EventSink } from "./event-outbox";
import type { Variable, VariableFilter, VariableSort } from "../../schemas/prefect.gen";

export type VariableRow = typeof variable.$inferSelect;

export interface VariableInput {
  name: string;
  value: unknown;
  tags: string[];
}

export type VariablePatch = Partial<VariableInput>;

export function toVariable(row: VariableRow): Variable {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    value: row.value ?? null,
    tags: row.tags ?? [],
  };
}

/** `prefect.variable.{created,updated,deleted}`, payload {name, value, tags}, as Prefect's lifecycle events. */
function variableEvent(action: "created" | "updated" | "deleted", v: Variable): ServerEvent {
  return {
    event: `prefect.variable.${action}`,
    resource: { "prefect.resource.id": `prefect.variable.${v.id}`, "prefect.resource.name": v.name },
    related: [],
    payload: { name: v.name, value: v.value ?? null, tags: v.tags ?? [] },
  };
}

/** Inserts the variable and its created event in one batch; a taken name is Prefect's 409. */
export async function createVariable(db: Db, input: VariableInput, sink: EventSink): Promise<Variable> {
  const now = isoNow();
  const row: VariableRow = { id: uuid4(), created: now, updated: now, name: input.name, value: input.value ?? null, tags: input.tags };
  const created = toVariable(row);
  const event = serverEventWrite(db, sink, [variableEvent("created", created)]);
  await refusingViolations(db.batch([db.insert(variable).values(row), event.statement]), () =>
    conflict(`A variable with the name '${input.name}' already exists.`),
  );
  event.committed();
  return created;
}

export const readVariable = (db: Db, id: string): Promise<Variable | undefined> => readOne(db, variable, eq(variable.id, id), toVariable);

export const readVariableByName = (db: Db, name: string): Promise<Variable | undefined> =>
  readOne(db, variable, eq(variable.name, name), toVariable);

/**
 * Applies the fields sent; false when there is no such variable. Renaming onto a taken name is
 * the database's integrity error, which Prefect answers with its generic 409.
 */
export async function updateVariable(db: Db, by: { id: string } | { name: string }, patch: VariablePatch, sink: EventSink): Promise<boolean> {
  const set: Partial<VariableRow> = { updated: isoNow() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.value !== undefined) set.value = patch.value ?? null;
  if (patch.tags !== undefined) set.tags = patch.tags;
  const rows = await refusingViolations(
    db.update(variable).set(set).where("id" in by ? eq(variable.id, by.id) : eq(variable.name, by.name)).returning(),
    integrityConflict,
  );
  if (!rows.length) return false;
  await sink.emit([variableEvent("updated", toVariable(rows[0]))]);
  return true;
}

export async function deleteVariable(db: Db, by: { id: string } | { name: string }, sink: EventSink): Promise<boolean> {
  const rows = await db
    .delete(variable)
    .where("id" in by ? eq(variable.id, by.id) : eq(variable.name, by.name))
    .returning();
  if (!rows.length) return false;
  await sink.emit([variableEvent("deleted", toVariable(rows[0]))]);
  return true;
}

type Filter = VariableFilter | null | undefined;

export async function filterVariables(db: Db, filter: Filter, sort: VariableSort, limit: number, offset: number): Promise<Pieces<Variable>> {
  const page = { where: whereOf(variableFilterSpec, filter), orderBy: namedResourceOrder(sort, variable), limit, offset };
  return mapPieces(await selectPieces(db, variable, page), (piece) => piece.map(toVariable));
}

export const countVariables = (db: Db, filter: Filter): Promise<number> => countWhere(db, variable, whereOf(variableFilterSpec, filter));
