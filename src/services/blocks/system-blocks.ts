import { z } from "@hono/zod-openapi";
import { BlockSchemaCreate, BlockType, BlockTypeCreate } from "../../schemas/prefect.gen";
import definitions from "./system-blocks.json";

/**
 * One system block: the block type Prefect's server registers for itself and its schema. `fields`
 * is the JSON schema the SDK itself sends for the block class, kept exactly as the SDK produces it
 * so that our checksum of it (checksum.ts) is the SDK's.
 */
export const SystemBlock = BlockTypeCreate.extend({
  /** Installed as a protected block type (cannot be deleted, nor can its schemas). */
  is_protected: BlockType.shape.is_protected,
  fields: BlockSchemaCreate.shape.fields,
  capabilities: BlockSchemaCreate.shape.capabilities,
}).refine((b) => b.fields.block_type_slug === b.slug, {
  message: "fields.block_type_slug must be the block type's slug",
});
export type SystemBlock = z.output<typeof SystemBlock>;

/**
 * Our definitions of the blocks Prefect's server registers for itself (its block registry and
 * protected system blocks), plus the system blocks older SDKs still save (JSON, String, Date Time),
 * as data: system-blocks.json. Each entry's `fields` carries Prefect's block extras
 * (block_type_slug, secret_fields, block_schema_references and, from 3.6 on, field `position`s);
 * JSON, String and Date Time left the SDK in 3.5, so theirs are the 3.4 shapes (no positions).
 *
 * Not parsed at runtime (it is ours, and an isolate would pay for it on every start):
 * test/services/system-blocks.test.ts checks every entry against `SystemBlock`, and
 * test/routes/block-schemas.test.ts pins the SDK's checksums.
 */
export const SYSTEM_BLOCKS: readonly SystemBlock[] = definitions;
