import { sql } from "drizzle-orm";
import { blockDocument, blockSchema, blockType } from "../schema";
import { allOf, array, scalar, uuid, whereOf, type Cond, type FilterSpec } from "./core";

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

const present = (f: unknown): f is Record<string, any> => f !== null && f !== undefined;

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
