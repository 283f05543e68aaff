import { and, count, eq, sql } from "drizzle-orm";
import { inList } from "../../db/lists";
import type { Statement, Batch } from "../../db/batch";
import type { Bindings } from "../../env";
import { d1Of, type Db } from "../../db/client";
import { blockSchema, blockType } from "../../db/schema";
import { fromExcluded } from "../../db/upsert";
import { htmlEscape, toBlockType } from "../../db/queries/blocks/rows";
import { blockTypeEvent } from "../../db/queries/blocks/types";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { PREFECT_VERSION } from "../../lib/version";
import { emitEvents } from "../../events/outbox";
import { schemaChecksum } from "../../lib/blocks/checksum";
import { SYSTEM_BLOCKS } from "./system-blocks";

let checksums: Promise<string[]> | undefined;

/** The checksums of the system blocks' schemas (computed once per isolate). */
export function systemChecksums(): Promise<string[]> {
  checksums ??= Promise.all(SYSTEM_BLOCKS.map((b) => schemaChecksum(b.fields)));
  return checksums;
}

/**
 * Installs the system block types and their schemas (version = our Prefect version), as Prefect's
 * server registers its own blocks: a type is created or brought up to date by slug (protected
 * ones marked protected), a schema added unless its checksum and version exist. One batch;
 * `prefect.block-type.created` for the types that are new.
 */
export async function installSystemBlocks(env: Bindings, db: Db): Promise<void> {
  const sums = await systemChecksums();
  const now = isoNow();
  const statements: Statement[] = [];
  SYSTEM_BLOCKS.forEach((b, i) => {
    const values = {
      name: b.name,
      slug: b.slug,
      logo_url: b.logo_url,
      documentation_url: b.documentation_url,
      description: htmlEscape(b.description) ?? null,
      code_example: htmlEscape(b.code_example) ?? null,
      is_protected: b.is_protected,
    };
    statements.push(
      db
        .insert(blockType)
        .values({ id: uuid4(), created: now, updated: now, ...values })
        .onConflictDoUpdate({
          target: blockType.slug,
          set: fromExcluded("name", "logo_url", "documentation_url", "description", "code_example", "is_protected", "updated"),
          setWhere: sql`${blockType.name} IS NOT excluded.name OR ${blockType.logo_url} IS NOT excluded.logo_url
            OR ${blockType.documentation_url} IS NOT excluded.documentation_url OR ${blockType.description} IS NOT excluded.description
            OR ${blockType.code_example} IS NOT excluded.code_example OR ${blockType.is_protected} IS NOT excluded.is_protected`,
        })
        .returning(),
      db
        .insert(blockSchema)
        .values({
          id: uuid4(),
          created: now,
          updated: now,
          checksum: sums[i],
          fields: b.fields,
          capabilities: b.capabilities,
          version: PREFECT_VERSION,
          block_type_id: sql`(SELECT ${blockType.id} FROM ${blockType} WHERE ${blockType.slug} = ${b.slug})`,
        })
        .onConflictDoNothing(),
    );
  });
  const results = await db.batch(statements as Batch);
  const created = results
    .filter((_, i) => i % 2 === 0)
    .flatMap((rows) => rows as (typeof blockType.$inferSelect)[])
    .filter((row) => row.created === now);
  if (created.length) await emitEvents(created.map((row) => blockTypeEvent("created", toBlockType(row))), env);
}

const ensured = new WeakMap<object, Promise<void>>();

/**
 * Prefect's server registers its blocks when it starts; a Worker has no start, so the first block
 * request an isolate serves checks that they are there (one read) and installs them if not.
 */
export function ensureSystemBlocks(env: Bindings, db: Db): Promise<void> {
  const key = d1Of(db) as object;
  const known = ensured.get(key);
  if (known) return known;
  const done = (async () => {
    const sums = await systemChecksums();
    const row = await db
      .select({ n: count() })
      .from(blockSchema)
      .where(and(inList(blockSchema.checksum, sums), eq(blockSchema.version, PREFECT_VERSION)))
      .get();
    if ((row?.n ?? 0) < sums.length) await installSystemBlocks(env, db);
  })().catch((err) => {
    ensured.delete(key);
    console.error("installing system blocks failed", err);
  });
  ensured.set(key, done);
  return done;
}
