import { sql, type SQL } from "drizzle-orm";
import type { Statement } from "../../batch";
import type { Db } from "../../client";
import { blockDocument, blockDocumentReference, blockSchemaReference, configuration } from "../../schema";

/**
 * What deleting these block schemas takes with them, as Prefect's foreign keys cascade: their
 * references (either side), their block documents with those documents' references, and the
 * server's default result storage setting when it names one of those documents.
 */
export function schemaCascade(db: Db, schemaIds: SQL): Statement[] {
  const docIds = sql`(SELECT ${blockDocument.id} FROM ${blockDocument} WHERE ${blockDocument.block_schema_id} IN ${schemaIds})`;
  return [
    ...documentCascade(db, docIds),
    db.delete(blockDocument).where(sql`${blockDocument.block_schema_id} IN ${schemaIds}`),
    db
      .delete(blockSchemaReference)
      .where(sql`${blockSchemaReference.parent_block_schema_id} IN ${schemaIds} OR ${blockSchemaReference.reference_block_schema_id} IN ${schemaIds}`),
  ];
}

export const DEFAULT_STORAGE_KEY = "server-default-result-storage";

/** References to or from these documents, and the default result storage setting naming one. */
export function documentCascade(db: Db, docIds: SQL): Statement[] {
  return [
    db
      .delete(blockDocumentReference)
      .where(sql`${blockDocumentReference.parent_block_document_id} IN ${docIds} OR ${blockDocumentReference.reference_block_document_id} IN ${docIds}`),
    db
      .delete(configuration)
      .where(sql`${configuration.key} = ${DEFAULT_STORAGE_KEY} AND json_extract(${configuration.value}, '$.default_result_storage_block_id') IN ${docIds}`),
  ];
}
