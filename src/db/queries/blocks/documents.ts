import { and, count, eq, sql, type SQL } from "drizzle-orm";
import { inList } from "../../lists";
import { insertsOf } from "../../insert-rows";
import type { Statement, Batch } from "../../batch";
import type { Db } from "../../client";
import { blockDocument, blockDocumentReference, blockSchema, blockType } from "../../schema";
import { blockDocumentWhere, type BlockFilters } from "../../filters/blocks";
import { blockDocumentOrder } from "../../sorts";
import type { BlockDocument, BlockDocumentSort, BlockSchema } from "../../../schemas/prefect.gen";
import { badRequest, conflict, notFound } from "../../../lib/errors";
import { normalizeUuid, uuid4 } from "../../../lib/ids";
import { isoNow } from "../../../lib/time";
import { UUID_RE } from "../../../schemas/primitives";
import { type ServerEvent, type EventSink } from "../event-outbox";
import { obfuscateSecrets, restoreObfuscated } from "../../../lib/blocks/secrets";
import { allRows, idsSubquery, referencesFrom, joinedType, parseJson, typeColumns } from "./rows";
import { buildSchemas, schemaStatements } from "./schemas";
import { documentCascade } from "./cascade";
import { PIECE_BYTES } from "../../page";
import { allOf, type Pieces } from "../../../lib/pieces";

/** Reference graphs deeper than this are refused (as Prefect's server does past 50 levels). */
const MAX_DEPTH = 50;

const DOC_COLUMNS = ["id", "created", "updated", "name", "data", "is_anonymous", "block_type_name", "block_type_id", "block_schema_id"] as const;

interface DocRow {
  id: string;
  created: string;
  updated: string;
  name: string;
  data: string;
  is_anonymous: number | boolean;
  block_type_name: string | null;
  block_type_id: string;
  block_schema_id: string;
  s_fields: string | null;
  ref_parent_id?: string;
  ref_name?: string;
  [key: string]: unknown;
}

export interface ReadOptions {
  includeSecrets?: boolean;
  sort?: BlockDocumentSort | null;
  limit?: number;
  offset?: number;
}

type Ref = { parentId: string; name: string; row: DocRow };

/**
 * Block documents as Prefect answers them: the documents the filters select (anonymous ones only
 * when asked for), each with the documents it references hydrated into its data (recursively)
 * and described in `block_document_references`, its block type and its full block schema;
 * secrets obfuscated unless asked for. One round trip.
 */
export async function readBlockDocuments(db: Db, filters: BlockFilters, opts: ReadOptions = {}): Promise<BlockDocument[]> {
  return allOf(await readBlockDocumentPieces(db, filters, opts));
}

/** A listing's documents at most: the share of PIECE_BYTES each may take in the first read. */
const LISTED = 200;

/**
 * The bytes of a document row's large values (its data and its schema's fields), and the row's
 * columns with those values left out (NULL) when they exceed `cap`: so that a page of documents
 * and their references stays one bounded D1 result (page.ts).
 */
function cappedDocColumns(alias: string, cap: number): SQL {
  const width = `(coalesce(octet_length(${alias}."data"), 0) + coalesce(octet_length(s.fields), 0))`;
  const columns = DOC_COLUMNS.map((c) => (c === "data" ? `CASE WHEN ${width} <= ${cap} THEN ${alias}."data" END AS "data"` : `${alias}."${c}" AS "${c}"`));
  return sql.raw(`${columns.join(", ")}, CASE WHEN ${width} <= ${cap} THEN s.fields END AS s_fields, ${width} AS w`);
}

/**
 * readBlockDocuments in pieces: one round trip as before, in which a document (or a document it
 * references) larger than PIECE_BYTES / its page's size answers only its size; the documents
 * concerned are then read one at a time, in order, each its own piece.
 */
export async function readBlockDocumentPieces(db: Db, filters: BlockFilters, opts: ReadOptions = {}): Promise<Pieces<BlockDocument>> {
  const sort = opts.sort ?? "NAME_ASC";
  let query = db
    .select({ id: blockDocument.id })
    .from(blockDocument)
    .where(blockDocumentWhere(filters))
    .orderBy(...blockDocumentOrder(sort, blockDocument))
    .$dynamic();
  if (opts.limit !== undefined) query = query.limit(opts.limit);
  if (opts.offset) query = query.offset(opts.offset);
  const cap = Math.floor(PIECE_BYTES / Math.max(1, Math.min(opts.limit ?? LISTED, LISTED)));
  const ids = await idsSubquery(db, query);
  const [roots, refs, schemaRoots, schemaRefs] = await allRows(db, [
    sql`SELECT ${cappedDocColumns("block_document", cap)}, ${typeColumns("t")}
          FROM block_document JOIN block_type t ON t.id = block_document.block_type_id
          LEFT JOIN block_schema s ON s.id = block_document.block_schema_id
          WHERE block_document.id IN ${ids} ORDER BY ${sql.join(blockDocumentOrder(sort, blockDocument), sql`, `)}`,
    sql`${referencesFrom("document", ids)}
          SELECT refs.parent_id AS ref_parent_id, refs.name AS ref_name, ${cappedDocColumns("c", cap)}, ${typeColumns("t")}
          FROM refs JOIN block_document c ON c.id = refs.child_id JOIN block_type t ON t.id = c.block_type_id
          LEFT JOIN block_schema s ON s.id = c.block_schema_id
          ORDER BY c.name, c.rowid`,
    ...schemaStatements(sql`(SELECT block_schema_id FROM block_document WHERE id IN ${ids})`),
  ]);
  const references: Ref[] = (refs as DocRow[]).map((r) => ({ parentId: r.ref_parent_id!, name: r.ref_name!, row: r }));
  const schemas = new Map<string, BlockSchema>(buildSchemas(schemaRoots, schemaRefs).map((s) => [s.id, s]));
  const includeSecrets = !!opts.includeSecrets;
  const build = (row: DocRow): BlockDocument => ({ ...construct(row, references, includeSecrets, 0), block_schema: schemas.get(row.block_schema_id) ?? null });
  const left = leftOut(roots as DocRow[], references, cap);
  if (!left.size) return { first: (roots as DocRow[]).map(build) };
  const rows = roots as DocRow[];
  const firstLeft = rows.findIndex((r) => left.has(r.id));
  async function* rest(): AsyncGenerator<BlockDocument[]> {
    for (let i = firstLeft; i < rows.length; ) {
      if (left.has(rows[i].id)) {
        const one = { block_documents: { id: { any_: [rows[i].id] }, is_anonymous: null } };
        yield (await readBlockDocumentPieces(db, one, { includeSecrets, limit: 1 })).first;
        i++;
      } else {
        let j = i;
        while (j < rows.length && !left.has(rows[j].id)) j++;
        yield rows.slice(i, j).map(build);
        i = j;
      }
    }
  }
  return { first: rows.slice(0, firstLeft).map(build), rest: rest() };
}

/** The roots whose row, or a row of a document they reference (at any depth), was over the cap. */
function leftOut(roots: DocRow[], references: Ref[], cap: number): Set<string> {
  const over = new Set<string>();
  for (const r of roots) if (Number(r.w) > cap) over.add(r.id);
  const parents = new Map<string, string[]>();
  for (const ref of references) parents.set(ref.row.id, [...(parents.get(ref.row.id) ?? []), ref.parentId]);
  const rootIds = new Set(roots.map((r) => r.id));
  const seen = new Set<string>();
  const up = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    if (rootIds.has(id)) over.add(id);
    for (const p of parents.get(id) ?? []) up(p);
  };
  for (const ref of references) if (Number(ref.row.w) > cap) up(ref.row.id);
  return over;
}

function baseDocument(row: DocRow, includeSecrets: boolean): BlockDocument {
  let data = parseJson<Record<string, unknown>>(row.data, {});
  if (!includeSecrets) data = obfuscateSecrets(data, parseJson<Record<string, any>>(row.s_fields, {}).secret_fields);
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    name: row.name,
    data,
    block_schema_id: row.block_schema_id,
    block_schema: null,
    block_type_id: row.block_type_id,
    block_type_name: row.block_type_name,
    block_type: joinedType(row),
    block_document_references: {},
    is_anonymous: !!row.is_anonymous,
  };
}

function construct(row: DocRow, references: Ref[], includeSecrets: boolean, depth: number): BlockDocument {
  if (depth > MAX_DEPTH) throw badRequest(`Block document reference graph exceeds max depth ${MAX_DEPTH}; refusing to recurse further.`);
  const doc = baseDocument(row, includeSecrets);
  for (const ref of references) {
    if (ref.parentId !== row.id) continue;
    const child = construct(ref.row, references, includeSecrets, depth + 1);
    doc.data[ref.name] = child.data;
    doc.block_document_references[ref.name] = {
      block_document: {
        id: child.id,
        name: child.name,
        block_type: child.block_type,
        is_anonymous: child.is_anonymous,
        block_document_references: child.block_document_references,
      },
    };
  }
  return doc;
}

export async function readBlockDocument(db: Db, id: string, includeSecrets = false): Promise<BlockDocument | undefined> {
  const docs = await readBlockDocuments(db, { block_documents: { id: { any_: [id] }, is_anonymous: null } }, { includeSecrets, limit: 1 });
  return docs[0];
}

export async function readBlockDocumentByName(
  db: Db,
  typeSlug: string,
  name: string,
  includeSecrets = false,
): Promise<BlockDocument | undefined> {
  const docs = await readBlockDocuments(
    db,
    { block_documents: { name: { any_: [name] }, is_anonymous: null }, block_types: { slug: { any_: [typeSlug] } } },
    { includeSecrets, limit: 1 },
  );
  return docs[0];
}

export async function countBlockDocuments(db: Db, filters: BlockFilters): Promise<number> {
  const row = await db.select({ n: count() }).from(blockDocument).where(blockDocumentWhere(filters)).get();
  return row?.n ?? 0;
}

// ---- references in data --------------------------------------------------------------------

/**
 * Splits `{"$ref": {"block_document_id": …}}` values (top-level keys only, as Prefect) out of the
 * data: they are stored as block_document_reference rows, the rest as the document's data.
 */
export function separateReferences(data: Record<string, unknown>): { data: Record<string, unknown>; refs: { name: string; id: string }[] } {
  const out: Record<string, unknown> = {};
  const refs: { name: string; id: string }[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value && typeof value === "object" && !Array.isArray(value) && "$ref" in value) {
      const ref = (value as Record<string, any>).$ref;
      const id = ref && typeof ref === "object" ? ref.block_document_id : undefined;
      if (id === undefined || id === null) throw badRequest(`Received block reference without a block_document_id in key ${key}`);
      if (typeof id !== "string" || !UUID_RE.test(id)) throw badRequest(`Received block reference with an invalid block_document_id in key ${key}`);
      refs.push({ name: key, id: normalizeUuid(id) });
    } else out[key] = value;
  }
  return { data: out, refs };
}

async function checkReferencesExist(db: Db, refs: { name: string; id: string }[]): Promise<void> {
  if (!refs.length) return;
  const ids = [...new Set(refs.map((r) => r.id))];
  const found = new Set(
    (await db.select({ id: blockDocument.id }).from(blockDocument).where(inList(blockDocument.id, ids))).map((r) => r.id),
  );
  const missing = refs.find((r) => !found.has(r.id));
  if (missing) throw badRequest(`Block document ${missing.id} referenced in key ${missing.name} was not found.`);
}

/** Would `parent → reference` close a loop in the reference graph (self-reference included)? */
async function wouldFormCycle(db: Db, parentId: string, referenceId: string): Promise<boolean> {
  if (parentId === referenceId) return true;
  const [rows] = await allRows(db, [
    sql`WITH RECURSIVE reach(id) AS (
          SELECT ${referenceId}
          UNION
          SELECT r.reference_block_document_id FROM block_document_reference r JOIN reach ON r.parent_block_document_id = reach.id)
        SELECT 1 AS hit FROM reach WHERE id = ${parentId} LIMIT 1`,
  ]);
  return rows.length > 0;
}

const cycleError = (parentId: string, referenceId: string) =>
  badRequest(
    "Cannot create block document reference: it would introduce a cycle into the block_document_reference graph " +
      `(parent=${parentId}, reference=${referenceId}).`,
  );

// ---- events --------------------------------------------------------------------------------

/** `prefect.block-document.created|updated|deleted` for a (non-anonymous) document as read. */
export function blockDocumentEvent(action: "created" | "updated" | "deleted", doc: BlockDocument): ServerEvent {
  const schema = doc.block_schema;
  const secretKeys = new Set<string>(Array.isArray(schema?.fields?.secret_fields) ? schema!.fields.secret_fields : []);
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.data)) if (!secretKeys.has(k) && typeof v === "string") data[k] = v;
  const typeRelated: Record<string, string> = {
    "prefect.resource.id": `prefect.block-type.${doc.block_type_id}`,
    "prefect.resource.role": "block-type",
  };
  if (doc.block_type_name) typeRelated["prefect.resource.name"] = doc.block_type_name;
  const resource: Record<string, string> = { "prefect.resource.id": `prefect.block-document.${doc.id}` };
  if (doc.name !== null && doc.name !== undefined) resource["prefect.resource.name"] = doc.name;
  return {
    event: `prefect.block-document.${action}`,
    resource,
    related: [typeRelated, { "prefect.resource.id": `prefect.block-schema.${doc.block_schema_id}`, "prefect.resource.role": "block-schema" }],
    payload: {
      name: doc.name ?? null,
      data,
      block_schema: schema
        ? { capabilities: schema.capabilities ?? [], block_type: { id: doc.block_type_id, name: doc.block_type_name ?? "" } }
        : null,
    },
  };
}

async function emitFor(sink: EventSink, action: "created" | "updated" | "deleted", doc: BlockDocument | undefined): Promise<void> {
  if (doc && !doc.is_anonymous) await sink.emit([blockDocumentEvent(action, doc)]);
}

// ---- writes --------------------------------------------------------------------------------

export interface DocumentInput {
  name?: string | null;
  data: Record<string, unknown>;
  block_schema_id: string;
  block_type_id: string;
  is_anonymous: boolean;
}

/**
 * Creates a block document: a name already used for this block type is Prefect's 409 "Block
 * already exists"; an anonymous document without a name gets `anonymous-<uuid>`. Answers the
 * document as read back (secrets obfuscated).
 */
export async function createBlockDocument(db: Db, input: DocumentInput, sink: EventSink): Promise<BlockDocument> {
  const typeId = normalizeUuid(input.block_type_id);
  const schemaId = normalizeUuid(input.block_schema_id);
  const [type, schema, taken] = await db.batch([
    db.select({ name: blockType.name }).from(blockType).where(eq(blockType.id, typeId)),
    db.select({ id: blockSchema.id }).from(blockSchema).where(eq(blockSchema.id, schemaId)),
    db
      .select({ id: blockDocument.id })
      .from(blockDocument)
      .where(and(eq(blockDocument.block_type_id, typeId), eq(blockDocument.name, input.name ?? "")))
      .limit(1),
  ]);
  if (input.name !== null && input.name !== undefined && taken.length) throw conflict("Block already exists");
  if (!type.length) throw notFound(`Block type ${typeId} not found.`);
  if (!schema.length) throw notFound(`Block schema ${schemaId} not found.`);
  const name = input.is_anonymous && !input.name ? `anonymous-${uuid4()}` : input.name!;
  const { data, refs } = separateReferences(input.data);
  await checkReferencesExist(db, refs);
  const now = isoNow();
  const id = uuid4();
  const statements: Statement[] = [
    db
      .insert(blockDocument)
      .values({ id, created: now, updated: now, name, data, is_anonymous: input.is_anonymous, block_type_name: type[0].name, block_type_id: typeId, block_schema_id: schemaId })
      .onConflictDoNothing()
      .returning({ id: blockDocument.id }),
  ];
  if (refs.length) {
    statements.push(
      ...insertsOf(
        db,
        blockDocumentReference,
        refs.map((r) => ({ id: uuid4(), created: now, updated: now, name: r.name, parent_block_document_id: id, reference_block_document_id: r.id })),
      ),
    );
  }
  // The references are written only when the document was (a name taken meanwhile loses the race).
  const [inserted] = await db.batch([statements[0]] as [Statement]);
  if (!(inserted as unknown[]).length) throw conflict("Block already exists");
  if (statements.length > 1) await db.batch(statements.slice(1) as [Statement]);
  const doc = (await readBlockDocument(db, id))!;
  await emitFor(sink, "created", doc);
  return doc;
}

/**
 * PATCH of a block document, as Prefect's update: with `merge_existing_data` (the default) the
 * data sent is merged into the stored data (top-level keys), otherwise it replaces it; secrets
 * sent back as `********` keep their stored value; references are re-derived from the data
 * (those not sent again are dropped); a new block schema must be of the same block type.
 * Nothing changes unless data is sent (or merge is off). False when the document does not exist.
 */
export async function updateBlockDocument(
  db: Db,
  id: string,
  input: { data?: Record<string, unknown>; block_schema_id?: string | null; merge_existing_data?: boolean },
  sink: EventSink,
): Promise<boolean> {
  const merge = input.merge_existing_data !== false;
  const current = await db
    .select({ data: blockDocument.data, schemaId: blockDocument.block_schema_id, typeId: blockDocument.block_type_id, fields: blockSchema.fields })
    .from(blockDocument)
    .leftJoin(blockSchema, eq(blockSchema.id, blockDocument.block_schema_id))
    .where(eq(blockDocument.id, id))
    .get();
  if (!current) return false;
  const sentData = merge ? input.data : (input.data ?? {});
  if (sentData !== undefined && sentData !== null) {
    const currentData = (current.data ?? {}) as Record<string, unknown>;
    let data = restoreObfuscated(sentData, currentData, (current.fields as Record<string, any> | null)?.secret_fields);
    if (merge) data = { ...currentData, ...data };
    const { data: withoutRefs, refs } = separateReferences(data);
    await checkReferencesExist(db, refs);

    const proposed = input.block_schema_id ? normalizeUuid(input.block_schema_id) : null;
    let schemaId = current.schemaId;
    if (proposed && proposed !== current.schemaId) {
      const target = await db.select({ typeId: blockSchema.block_type_id }).from(blockSchema).where(eq(blockSchema.id, proposed)).get();
      if (!target) throw notFound(`Block schema ${proposed} not found.`);
      if (target.typeId !== current.typeId) throw badRequest("Must migrate block document to a block schema of the same block type.");
      schemaId = proposed;
    }

    const existing = await db
      .select({ id: blockDocumentReference.id, name: blockDocumentReference.name, ref: blockDocumentReference.reference_block_document_id })
      .from(blockDocumentReference)
      .where(eq(blockDocumentReference.parent_block_document_id, id));
    const kept = new Set<string>();
    const added: { name: string; id: string }[] = [];
    for (const r of refs) {
      const match = existing.find((e) => e.name === r.name && e.ref === r.id);
      if (match) kept.add(match.id);
      else {
        if (await wouldFormCycle(db, id, r.id)) throw cycleError(id, r.id);
        added.push(r);
      }
    }
    const dropped = existing.filter((e) => !kept.has(e.id)).map((e) => e.id);
    const now = isoNow();
    const statements: Statement[] = [
      db.update(blockDocument).set({ data: withoutRefs, block_schema_id: schemaId, updated: now }).where(eq(blockDocument.id, id)),
    ];
    if (added.length) {
      statements.push(
        ...insertsOf(
          db,
          blockDocumentReference,
          added.map((r) => ({ id: uuid4(), created: now, updated: now, name: r.name, parent_block_document_id: id, reference_block_document_id: r.id })),
        ),
      );
    }
    if (dropped.length) statements.push(db.delete(blockDocumentReference).where(inList(blockDocumentReference.id, dropped)));
    await db.batch(statements as Batch);
  }
  await emitFor(sink, "updated", await readBlockDocument(db, id));
  return true;
}

export async function deleteBlockDocument(db: Db, id: string, sink: EventSink): Promise<boolean> {
  const doc = await readBlockDocument(db, id);
  if (!doc) return false;
  await db.batch([
    ...documentCascade(db, sql`(SELECT ${id})`),
    db.delete(blockDocument).where(eq(blockDocument.id, id)),
  ] as unknown as Batch);
  await emitFor(sink, "deleted", doc);
  return true;
}
