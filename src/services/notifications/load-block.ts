import type { Bindings } from "../../env";
import { databaseOf } from "../../db/client";
import { readBlockDocument } from "../../db/queries/blocks/documents";
import { emitEvents } from "../../events/outbox";
import type { BlockDocument } from "../../schemas/prefect.gen";

export type RelatedResource = Record<string, string>;

export interface LoadedBlock {
  document: BlockDocument;
  slug: string;
  capabilities: string[];
  /** The block document (role `block`) and its type (role `block-type`), as Prefect's actions relate them. */
  related: RelatedResource[];
}

/**
 * Loads a block document with its secrets, as an action loads a block, and emits
 * `prefect.block.<slug>.loaded` (resource: the document; related: its block type). Undefined when
 * there is no such document.
 */
export async function loadBlock(env: Bindings, blockDocumentId: string): Promise<LoadedBlock | undefined> {
  const document = await readBlockDocument(databaseOf(env), blockDocumentId, true);
  if (!document) return undefined;
  const slug = document.block_type?.slug ?? "";
  const capabilities = document.block_schema?.capabilities ?? [];
  const blockType = { "prefect.resource.id": `prefect.block-type.${slug}`, "prefect.resource.role": "block-type" };
  await emitEvents(
    [
      {
        event: `prefect.block.${slug}.loaded`,
        resource: { "prefect.resource.id": `prefect.block-document.${document.id}`, "prefect.resource.name": document.name ?? "" },
        related: [blockType],
      },
    ],
    env,
  );
  const related = [
    { "prefect.resource.id": `prefect.block-document.${document.id}`, "prefect.resource.role": "block", "prefect.resource.name": document.name ?? "" },
    blockType,
  ];
  return { document, slug, capabilities, related };
}
