import { sql } from "drizzle-orm";
import { blockDocument, blockSchema, blockType } from "../schema";
import { allOf, array, FALSE, present, scalarConds, uuidValues, whereOf, type Cond, type FieldRule, type FilterSpec } from "./core";
import type { Column } from "drizzle-orm";
import { inList } from "../lists";

/**
 * `any_` lists bound as one JSON parameter (`IN (SELECT value FROM json_each(?))`), so that long
 * lists (the UI's, the SDK's) stay under D1's 100 bound parameters per statement.
 */
const listed =
  (col: Column, ids = false): FieldRule =>
  (sub) => {
    const { any_, ...rest } = sub;
    const conds = scalarConds(col, rest);
    if (any_ !== undefined && any_ !== null) {
      const values: unknown[] = ids ? uuidValues(any_)! : any_;
      conds.unshift(values.length ? inList(col, values) : FALSE);
    }
    return conds;
  };
const scalar = (col: Column) => listed(col);
const uuid = (col: Column) => listed(col, true);

/** BlockTypeFilter: name (like_), slug (any_). */
export const blockTypeFilterSpec: FilterSpec = {
  name: scalar(blockType.name),
  slug: scalar(blockType.slug),
};

/** BlockSchemaFilter: block_type_id, block_capabilities (all_), id, version. */
export const blockSchemaFilterSpec: FilterSpec = {
  block_type_id: uuid(blockSchema.block_type_id),
  block_capabilities: array(blockSchema.capabilities),
  id: uuid(blockSchema.id),
  version: scalar(blockSchema.version),
};

/** BlockDocumentFilter: id, is_anonymous (eq_), block_type_id, name (any_, like_). */
export const blockDocumentFilterSpec: FilterSpec = {
  id: uuid(blockDocument.id),
  is_anonymous: scalar(blockDocument.is_anonymous),
  block_type_id: uuid(blockDocument.block_type_id),
  name: scalar(blockDocument.name),
};

export interface BlockFilters {
  block_types?: Record<string, any> | null;
  block_schemas?: Record<string, any> | null;
  block_documents?: Record<string, any> | null;
}

/** Block types matching their filter and having a block schema that matches the schema filter. */
export function blockTypeWhere(f: BlockFilters): Cond {
  return allOf(
    whereOf(blockTypeFilterSpec, f.block_types),
    present(f.block_schemas)
      ? sql`EXISTS (SELECT 1 FROM ${blockSchema} WHERE ${blockSchema.block_type_id} = ${blockType.id} AND ${
          whereOf(blockSchemaFilterSpec, f.block_schemas) ?? sql`1`
        })`
      : undefined,
  );
}

export function blockSchemaWhere(f: BlockFilters): Cond {
  return whereOf(blockSchemaFilterSpec, f.block_schemas);
}

/**
 * Block documents matching their filter (anonymous ones left out unless the filter says
 * otherwise, as Prefect's default `is_anonymous: {eq_: false}`), whose block type and block schema
 * match theirs.
 */
export function blockDocumentWhere(f: BlockFilters): Cond {
  const documents = present(f.block_documents) ? f.block_documents : { is_anonymous: { eq_: false } };
  return allOf(
    whereOf(blockDocumentFilterSpec, documents),
    present(f.block_types)
      ? sql`EXISTS (SELECT 1 FROM ${blockType} WHERE ${blockType.id} = ${blockDocument.block_type_id} AND ${
          whereOf(blockTypeFilterSpec, f.block_types) ?? sql`1`
        })`
      : undefined,
    present(f.block_schemas)
      ? sql`EXISTS (SELECT 1 FROM ${blockSchema} WHERE ${blockSchema.id} = ${blockDocument.block_schema_id} AND ${
          whereOf(blockSchemaFilterSpec, f.block_schemas) ?? sql`1`
        })`
      : undefined,
  );
}
