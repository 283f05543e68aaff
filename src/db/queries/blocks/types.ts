import { asc, eq, sql } from "drizzle-orm";
import type { Batch } from "../../batch";
import type { Db } from "../../client";
import { selectPage } from "../../page";
import { readOne } from "../../rows";
import { blockDocument, blockSchema, blockType } from "../../schema";
import { blockTypeWhere, type BlockFilters } from "../../filters/blocks";
import type { BlockType, BlockTypeCreate, BlockTypeUpdate } from "../../../schemas/prefect.gen";
import { ApiError, conflict } from "../../../lib/errors";
import { uuid4 } from "../../../lib/ids";
import { isoNow } from "../../../lib/time";
import { serverEventWrite, type ServerEvent, type EventSink } from "../event-outbox";
import { htmlEscape, htmlUnescape, toBlockType } from "./rows";
import { documentCascade, schemaCascade } from "./cascade";

type Row = typeof blockType.$inferSelect;

/** `prefect.block-type.created|updated|deleted`, with the type's presentation as payload. */
export function blockTypeEvent(action: "created" | "updated" | "deleted", t: BlockType): ServerEvent {
  return {
    event: `prefect.block-type.${action}`,
    resource: { "prefect.resource.id": `prefect.block-type.${t.id}`, "prefect.resource.name": t.name },
    payload: {
      name: t.name,
      slug: t.slug,
      logo_url: t.logo_url ?? null,
      documentation_url: t.documentation_url ?? null,
      description: t.description ?? null,
      code_example: t.code_example ?? null,
      is_protected: !!t.is_protected,
    },
  };
}

const fromRow = (row: Row): BlockType => toBlockType(row);

/**
 * A new block type (description and code example HTML-escaped, as Prefect stores them); a slug
 * already taken is Prefect's 409.
 */
export async function createBlockType(db: Db, input: BlockTypeCreate, sink: EventSink): Promise<BlockType> {
  const now = isoNow();
  const values = {
    id: uuid4(),
    created: now,
    updated: now,
    name: input.name,
    slug: input.slug,
    logo_url: input.logo_url ?? null,
    documentation_url: input.documentation_url ?? null,
    description: htmlEscape(input.description) ?? null,
    code_example: htmlEscape(input.code_example) ?? null,
    is_protected: false,
  };
  const t = fromRow(values);
  const inserted = await db.insert(blockType).values(values).onConflictDoNothing().returning({ id: blockType.id });
  if (!inserted.length) throw conflict(`Block type with name "${input.name}" already exists`);
  await sink.emit([blockTypeEvent("created", t)]);
  return t;
}

export const readBlockType = (db: Db, id: string): Promise<BlockType | undefined> => readOne(db, blockType, eq(blockType.id, id), fromRow);

export const readBlockTypeBySlug = (db: Db, slug: string): Promise<BlockType | undefined> => readOne(db, blockType, eq(blockType.slug, slug), fromRow);

export async function filterBlockTypes(db: Db, filters: BlockFilters, limit: number, offset: number): Promise<BlockType[]> {
  const orderBy = [asc(blockType.name), asc(sql`${blockType}.rowid`)];
  return (await selectPage(db, blockType, { where: blockTypeWhere(filters), orderBy, limit, offset })).map(fromRow);
}

const UPDATABLE = ["logo_url", "documentation_url", "description", "code_example"] as const;

/**
 * Updates the fields sent, unless nothing would change: Prefect compares the sent fields with all
 * four stored ones (HTML-unescaped on both sides), so only a full, identical update is skipped.
 */
export async function updateBlockType(db: Db, id: string, input: Partial<BlockTypeUpdate>, sink: EventSink): Promise<boolean> {
  const current = await readBlockType(db, id);
  if (!current) return false;
  const sent = UPDATABLE.filter((k) => Object.hasOwn(input, k));
  const same = sent.length === UPDATABLE.length && sent.every((k) => htmlUnescape(input[k] ?? null) === htmlUnescape(current[k] ?? null));
  if (same) return true;
  const changes: Partial<Row> = {};
  for (const k of sent) changes[k] = input[k] ?? null;
  const updated = { ...current, ...changes, updated: isoNow() } as BlockType;
  const event = serverEventWrite(db, sink, [blockTypeEvent("updated", updated)]);
  await db.batch([db.update(blockType).set({ ...changes, updated: updated.updated as string }).where(eq(blockType.id, id)), event.statement]);
  event.committed();
  return true;
}

/** Deletes a block type with its schemas and documents; protected types are Prefect's 403. */
export async function deleteBlockType(db: Db, id: string, sink: EventSink): Promise<boolean> {
  const current = await readBlockType(db, id);
  if (!current) return false;
  if (current.is_protected) throw new ApiError(403, "protected block types cannot be deleted.");
  const schemaIds = sql`(SELECT ${blockSchema.id} FROM ${blockSchema} WHERE ${blockSchema.block_type_id} = ${id})`;
  const docIds = sql`(SELECT ${blockDocument.id} FROM ${blockDocument} WHERE ${blockDocument.block_type_id} = ${id})`;
  const event = serverEventWrite(db, sink, [blockTypeEvent("deleted", current)]);
  await db.batch([
    event.statement,
    ...documentCascade(db, docIds),
    db.delete(blockDocument).where(eq(blockDocument.block_type_id, id)),
    ...schemaCascade(db, schemaIds),
    db.delete(blockSchema).where(eq(blockSchema.block_type_id, id)),
    db.delete(blockType).where(eq(blockType.id, id)),
  ] as unknown as Batch);
  event.committed();
  return true;
}
