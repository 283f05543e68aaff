import { pyRepr } from "../../../lib/python";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Batch } from "../../batch";
import type { Db } from "../../client";
import { paged } from "../../page";
import { blockSchema, blockSchemaReference, blockType } from "../../schema";
import { blockSchemaWhere, type BlockFilters } from "../../filters/blocks";
import type { BlockSchema } from "../../../schemas/prefect.gen";
import { ApiError, badRequest, conflict } from "../../../lib/errors";
import { uuid4 } from "../../../lib/ids";
import { isoNow } from "../../../lib/time";
import { isDict, toPlain, type PyValue } from "../../../lib/python";
import { nonBlockDefinitions, referenceStrings, schemaChecksum } from "../../../lib/blocks/checksum";
import { allRows, idsSubquery, referencesFrom, schemaColumns, toBlockSchema, toSchemaRow, typeColumns, type SchemaRow } from "./rows";
import { readBlockTypeBySlug } from "./types";
import { schemaCascade } from "./cascade";

export const DEFAULT_SCHEMA_VERSION = "non-versioned";
/** Reference graphs deeper than this are cut (Prefect's server refuses to recurse past 50). */
const MAX_DEPTH = 50;

// ---- reading -------------------------------------------------------------------------------

type SchemaReference = { parentId: string; name: string; child: SchemaRow };

/**
 * The schemas whose ids `rootIds` (a parenthesized subquery, or a query builder, which drizzle
 * parenthesizes) selects, in `created DESC` order, each with its
 * `fields` rebuilt as Prefect answers them: `block_schema_references` from the reference table
 * and the nested blocks' fields under `definitions`. One round trip: the roots, and every schema
 * they reach through references (a recursive CTE).
 */
export async function readSchemasOf(db: Db, rootIds: SQL | { getSQL(): SQL }): Promise<BlockSchema[]> {
  const [roots, refs] = await allRows(db, schemaStatements(rootIds));
  return buildSchemas(roots, refs);
}

/** The two statements of readSchemasOf, to run in a caller's own batch; see buildSchemas. */
export function schemaStatements(rootIds: SQL | { getSQL(): SQL }): SQL[] {
  return [
    sql`SELECT ${schemaColumns("s")}, ${typeColumns("t")} FROM block_schema s LEFT JOIN block_type t ON t.id = s.block_type_id
          WHERE s.id IN ${rootIds} ORDER BY s.created DESC, s.rowid DESC`,
    sql`${referencesFrom("schema", rootIds)}
          SELECT refs.parent_id AS ref_parent_id, refs.name AS ref_name, ${schemaColumns("s")}, ${typeColumns("t")}
          FROM refs JOIN block_schema s ON s.id = refs.child_id LEFT JOIN block_type t ON t.id = s.block_type_id
          ORDER BY s.created ASC, s.rowid ASC`,
  ];
}

export function buildSchemas(roots: unknown, refs: unknown): BlockSchema[] {
  const references: SchemaReference[] = (refs as Record<string, any>[]).map((r) => ({
    parentId: r.ref_parent_id,
    name: r.ref_name,
    child: toSchemaRow(r),
  }));
  const rootRows = (roots as Record<string, any>[]).map(toSchemaRow);
  const byChecksum = new Map<string, SchemaRow>();
  for (const s of [...rootRows, ...references.map((r) => r.child)]) if (!byChecksum.has(s.checksum)) byChecksum.set(s.checksum, s);
  return rootRows.map((row) => toBlockSchema(row, fullFields(row, references, byChecksum, 0)));
}

/** Prefect's schema reconstruction: references from the table, nested blocks as definitions. */
function fullFields(
  row: SchemaRow,
  references: SchemaReference[],
  byChecksum: Map<string, SchemaRow>,
  depth: number,
): Record<string, any> {
  const refs: Record<string, any> = {};
  for (const { parentId, name, child } of references) {
    if (parentId !== row.id) continue;
    const entry = { block_schema_checksum: child.checksum, block_type_slug: child.block_type?.slug ?? null };
    const existing = refs[name];
    if (existing === undefined) refs[name] = entry;
    else if (Array.isArray(existing)) {
      if (!existing.some((e) => sameRef(e, entry))) existing.push(entry);
    } else if (!sameRef(existing, entry)) refs[name] = [existing, entry];
  }
  const fields: Record<string, any> = { ...row.fields, block_schema_references: refs };
  let definitions: Record<string, any> = {};
  if (depth < MAX_DEPTH) {
    for (const value of Object.values(refs)) {
      for (const ref of Array.isArray(value) ? value : [value]) {
        const child = byChecksum.get(ref.block_schema_checksum);
        if (!child) continue;
        const childFields = fullFields(child, references, byChecksum, depth + 1);
        const title = childFields.title;
        if (title === undefined || title === null) continue;
        const { definitions: childDefinitions, ...rest } = childFields;
        definitions = { ...definitions, [title]: rest, ...(isDict(childDefinitions) ? childDefinitions : {}) };
      }
    }
  }
  if (Object.keys(definitions).length || fields.definitions) fields.definitions = { ...(fields.definitions ?? {}), ...definitions };
  return fields;
}

const sameRef = (a: any, b: any) => a?.block_schema_checksum === b.block_schema_checksum && a?.block_type_slug === b.block_type_slug;

/** Latest created first; ties newest inserted first. */
const newestFirst = () => [desc(blockSchema.created), desc(sql`${blockSchema}.rowid`)];

const idsWhere = (db: Db, cond: SQL | undefined) => db.select({ id: blockSchema.id }).from(blockSchema).where(cond);

export async function readBlockSchema(db: Db, id: string): Promise<BlockSchema | undefined> {
  return (await readSchemasOf(db, idsWhere(db, eq(blockSchema.id, id))))[0];
}

/** The latest-created schema with this checksum (and version, when given). */
export async function readBlockSchemaByChecksum(db: Db, checksum: string, version?: string | null): Promise<BlockSchema | undefined> {
  const cond = version === undefined || version === null ? eq(blockSchema.checksum, checksum) : and(eq(blockSchema.checksum, checksum), eq(blockSchema.version, version));
  const ids = idsWhere(db, cond).orderBy(...newestFirst()).limit(1);
  return (await readSchemasOf(db, await idsSubquery(db, ids)))[0];
}

export async function filterBlockSchemas(db: Db, filters: BlockFilters, limit: number, offset: number): Promise<BlockSchema[]> {
  const ids = paged(db.select({ id: blockSchema.id }).from(blockSchema).$dynamic(), { where: blockSchemaWhere(filters), orderBy: newestFirst(), limit, offset });
  return readSchemasOf(db, await idsSubquery(db, ids));
}

/** The block schemas with these ids (for block documents), by id. */
export async function schemasById(db: Db, ids: string[]): Promise<Map<string, BlockSchema>> {
  if (!ids.length) return new Map();
  const list = await readSchemasOf(db, sql`(SELECT value FROM json_each(${JSON.stringify([...new Set(ids)])}))`);
  return new Map(list.map((s) => [s.id, s]));
}

/** Every capability some block schema declares. */
export async function readCapabilities(db: Db): Promise<string[]> {
  const [rows] = await allRows(db, [
    sql`SELECT DISTINCT j.value AS capability FROM block_schema, json_each(block_schema.capabilities) j ORDER BY j.value`,
  ]);
  return rows.map((r) => r.capability).filter((c) => typeof c === "string");
}

// ---- creating ------------------------------------------------------------------------------

export interface SchemaInput {
  fields: Record<string, PyValue>;
  block_type_id: string;
  capabilities: string[];
  version: string;
}

/**
 * Creates a block schema as Prefect's server does, or answers the existing one with the same
 * checksum and version (created=false). `block_schema_references` in the fields name the nested
 * block schemas: each is found by checksum or, failing that, created from the root's
 * `definitions`, and linked through block_schema_reference. Stored fields keep only the
 * definitions that are not blocks; reads rebuild the rest.
 */
export async function createBlockSchema(
  db: Db,
  input: SchemaInput,
  inherited?: Record<string, PyValue>,
  depth = 0,
): Promise<{ schema: BlockSchema; created: boolean }> {
  if (depth > MAX_DEPTH) throw badRequest("Block schema references are nested too deeply.");
  const fields: Record<string, PyValue> = { ...input.fields };
  const own = isDict(fields.definitions) && Object.keys(fields.definitions).length ? (fields.definitions as Record<string, PyValue>) : undefined;
  const definitions = inherited && Object.keys(inherited).length ? inherited : own;
  if (definitions) fields.definitions = definitions;
  const checksum = await schemaChecksum(fields);

  const existing = await readBlockSchemaByChecksum(db, checksum, input.version);
  if (existing) return { schema: existing, created: false };

  if (definitions) {
    const nonBlock = nonBlockDefinitions(fields, definitions);
    if (Object.keys(nonBlock).length) fields.definitions = nonBlock;
    else delete fields.definitions;
  }
  const references = isDict(fields.block_schema_references) ? (fields.block_schema_references as Record<string, PyValue>) : {};
  delete fields.block_schema_references;

  const now = isoNow();
  const id = uuid4();
  const stored = toPlain(fields) as Record<string, any>;
  const inserted = await db
    .insert(blockSchema)
    .values({ id, created: now, updated: now, checksum, fields: stored, capabilities: input.capabilities, version: input.version, block_type_id: input.block_type_id })
    .onConflictDoNothing()
    .returning({ id: blockSchema.id });
  if (!inserted.length) {
    // Created meanwhile by another request.
    const raced = await readBlockSchemaByChecksum(db, checksum, input.version);
    if (raced) return { schema: raced, created: false };
    throw conflict(`Block schema with checksum ${checksum} could not be created.`);
  }

  await registerNestedSchemas(db, id, references, fields, definitions, depth);

  const schema = await readBlockSchema(db, id);
  const answered: Record<string, any> = { ...stored, block_schema_references: toPlain(references as PyValue) };
  if (definitions) answered.definitions = toPlain(definitions as PyValue);
  return { schema: { ...schema!, fields: answered }, created: true };
}

async function registerNestedSchemas(
  db: Db,
  parentId: string,
  references: Record<string, PyValue>,
  baseFields: Record<string, PyValue>,
  definitions: Record<string, PyValue> | undefined,
  depth: number,
): Promise<void> {
  const links: { name: string; childId: string }[] = [];
  for (const [name, value] of Object.entries(references)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!isDict(item)) throw badRequest(`Invalid block schema reference in key ${name}`);
      const entry = item as Record<string, any>;
      const slug = entry.block_type_slug;
      const type = typeof slug === "string" ? await readBlockTypeBySlug(db, slug) : undefined;
      if (!type) {
        throw conflict(
          `Cannot create block schema because block type ${pyRepr(slug)} was not found.Did you forget to register the block type?`,
        );
      }
      let child: BlockSchema | undefined =
        typeof entry.block_schema_checksum === "string" ? await readBlockSchemaByChecksum(db, entry.block_schema_checksum) : undefined;
      if (!child) {
        if (!definitions) throw badRequest("Unable to create nested block schema due to missing definitions in root block schema fields");
        const childFields = fieldsForChild(definitions, baseFields, name, type.slug);
        if (!childFields) {
          throw badRequest(`Unable to create nested block schema for block type ${pyRepr(type.name)} due to missing definition.`);
        }
        child = (
          await createBlockSchema(
            db,
            { fields: childFields, block_type_id: type.id, capabilities: [], version: DEFAULT_SCHEMA_VERSION },
            definitions,
            depth + 1,
          )
        ).schema;
      }
      links.push({ name, childId: child.id });
    }
  }
  if (!links.length) return;
  const now = isoNow();
  const existing = await db
    .select({ name: blockSchemaReference.name, child: blockSchemaReference.reference_block_schema_id })
    .from(blockSchemaReference)
    .where(eq(blockSchemaReference.parent_block_schema_id, parentId));
  const have = new Set(existing.map((r) => `${r.name}\u0000${r.child}`));
  const rows = links
    .filter((l) => !have.has(`${l.name}\u0000${l.childId}`))
    .map((l) => ({ id: uuid4(), created: now, updated: now, name: l.name, parent_block_schema_id: parentId, reference_block_schema_id: l.childId }));
  if (rows.length) await db.insert(blockSchemaReference).values(rows);
}

/** The definition a reference points at, picked by block type slug when the field is a union. */
function fieldsForChild(
  definitions: Record<string, PyValue>,
  baseFields: Record<string, PyValue>,
  name: string,
  slug: string,
): Record<string, PyValue> | undefined {
  const properties = baseFields.properties as Record<string, any>;
  if (!isDict(properties) || !(name in properties)) return undefined;
  const refs = referenceStrings(properties[name]).filter((r): r is string => typeof r === "string");
  const keyOf = (ref: string) => ref.replace("#/definitions/", "");
  if (refs.length === 1) {
    const found = definitions[keyOf(refs[0])];
    return isDict(found) ? (found as Record<string, PyValue>) : undefined;
  }
  for (const ref of refs) {
    const found = definitions[keyOf(ref)] as Record<string, any>;
    if (isDict(found) && found.block_type_slug === slug) return found as Record<string, PyValue>;
  }
  return undefined;
}

// ---- deleting ------------------------------------------------------------------------------

export async function deleteBlockSchema(db: Db, id: string): Promise<boolean> {
  const row = await db
    .select({ id: blockSchema.id, isProtected: blockType.is_protected })
    .from(blockSchema)
    .leftJoin(blockType, eq(blockType.id, blockSchema.block_type_id))
    .where(eq(blockSchema.id, id))
    .get();
  if (!row) return false;
  if (row.isProtected) throw new ApiError(403, "Block schemas for protected block types cannot be deleted.");
  const ids = sql`(SELECT ${id})`;
  await db.batch([...schemaCascade(db, ids), db.delete(blockSchema).where(eq(blockSchema.id, id))] as unknown as Batch);
  return true;
}
