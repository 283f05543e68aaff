import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { BlockSchema, BlockType } from "../../../schemas/prefect.gen";
import { d1Of, type Db } from "../../client";

/**
 * Raw rows of the block tables as `db.all(sql…)` answers them (JSON columns as text, booleans as
 * 0/1), with the block type's columns prefixed `t_`, so a row of a join reads without ambiguity.
 */

export interface BlockTypeRow {
  id: string;
  created: string;
  updated: string;
  name: string;
  slug: string;
  logo_url: string | null;
  documentation_url: string | null;
  description: string | null;
  code_example: string | null;
  is_protected: boolean | number;
}

export const TYPE_COLUMNS = ["id", "created", "updated", "name", "slug", "logo_url", "documentation_url", "description", "code_example", "is_protected"] as const;

/** `t.id AS t_id, …` for a block type joined under the alias `alias`. */
export const typeColumns = (alias: string): SQL =>
  sql.raw(TYPE_COLUMNS.map((c) => `${alias}."${c}" AS t_${c}`).join(", "));

export function toBlockType(row: BlockTypeRow): BlockType {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    slug: row.slug,
    logo_url: row.logo_url,
    documentation_url: row.documentation_url,
    description: row.description,
    code_example: row.code_example,
    is_protected: !!row.is_protected,
  };
}

/** The `t_`-prefixed block type of a joined row (null when the join found none). */
export function joinedType(row: Record<string, any>): BlockType | null {
  if (!row.t_id) return null;
  const out: Record<string, unknown> = {};
  for (const c of TYPE_COLUMNS) out[c] = row[`t_${c}`];
  return toBlockType(out as unknown as BlockTypeRow);
}

export interface SchemaRow {
  id: string;
  created: string;
  updated: string;
  checksum: string;
  fields: Record<string, any>;
  capabilities: string[];
  version: string;
  block_type_id: string;
  block_type: BlockType | null;
}

export const SCHEMA_COLUMNS = ["id", "created", "updated", "checksum", "fields", "capabilities", "version", "block_type_id"] as const;

export const schemaColumns = (alias: string): SQL => sql.raw(SCHEMA_COLUMNS.map((c) => `${alias}."${c}" AS "${c}"`).join(", "));

export const parseJson = <T>(v: unknown, fallback: T): T => {
  if (typeof v !== "string") return (v ?? fallback) as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};

export function toSchemaRow(row: Record<string, any>): SchemaRow {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    checksum: row.checksum,
    fields: parseJson(row.fields, {}),
    capabilities: parseJson(row.capabilities, []),
    version: row.version,
    block_type_id: row.block_type_id,
    block_type: joinedType(row),
  };
}

export function toBlockSchema(row: SchemaRow, fields: Record<string, any> = row.fields): BlockSchema {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    checksum: row.checksum,
    fields,
    block_type_id: row.block_type_id,
    block_type: row.block_type,
    capabilities: row.capabilities,
    version: row.version,
  };
}

/** HTML-escapes `&`, `<` and `>` as Python's `html.escape(s, quote=False)`. */
export const htmlEscape = (s: string | null | undefined): string | null | undefined =>
  typeof s === "string" ? s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : s;

/** Python's `html.unescape` for the entities that escaping produces (and the usual quotes). */
export const htmlUnescape = (s: unknown): unknown =>
  typeof s === "string"
    ? s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'", amp: "&" })[e]!)
    : s;

/**
 * Runs raw SELECTs (drizzle `sql`, which may embed query builders) in one D1 batch, answering
 * each one's rows as objects keyed by column name (so every column here is given a unique alias).
 */
export async function allRows(db: Db, queries: SQL[]): Promise<Record<string, any>[][]> {
  const dialect = (db as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }).dialect;
  const d1 = d1Of(db);
  const statements = queries.map((q) => {
    const { sql: text, params } = dialect.sqlToQuery(q);
    return d1.prepare(text).bind(...params);
  });
  const results = await d1.batch(statements);
  return results.map((r) => (r.results ?? []) as Record<string, any>[]);
}

/** Bound parameters a filter may carry and still be repeated inside one statement batch. */
const EMBEDDABLE_PARAMS = 24;

/**
 * The ids a query selects, as a parenthesized subquery to embed in the statements of a read
 * (which repeat it). D1 binds at most 100 parameters per statement, so a query with many (a long
 * `any_` list) is run first and its ids are passed as one JSON parameter instead.
 */
export async function idsSubquery(db: Db, query: SQLWrapper & PromiseLike<{ id: string }[]>): Promise<SQL> {
  const dialect = (db as unknown as { dialect: { sqlToQuery(q: SQL): { params: unknown[] } } }).dialect;
  if (dialect.sqlToQuery(query.getSQL()).params.length <= EMBEDDABLE_PARAMS) return sql`${query}`;
  const rows = await query;
  return sql`(SELECT value FROM json_each(${JSON.stringify(rows.map((r) => r.id))}))`;
}

/**
 * `WITH RECURSIVE refs(parent_id, child_id, name)`: every reference reachable from `rootIds`
 * through the block documents' or the block schemas' reference table (a statement's CTE head).
 */
export function referencesFrom(kind: "document" | "schema", rootIds: SQL | { getSQL(): SQL }): SQL {
  const [table, parent, child] = [`block_${kind}_reference`, `parent_block_${kind}_id`, `reference_block_${kind}_id`].map((n) => sql.raw(n));
  return sql`WITH RECURSIVE refs(parent_id, child_id, name) AS (
            SELECT ${parent}, ${child}, name FROM ${table}
            WHERE ${parent} IN ${rootIds}
            UNION
            SELECT r.${parent}, r.${child}, r.name FROM ${table} r
            JOIN refs ON r.${parent} = refs.child_id)`;
}
