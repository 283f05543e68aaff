import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { selectPage } from "../page";
import { deleteWhere, readOne } from "../rows";
import { blockDocument, flowRunNotificationPolicy } from "../schema";
import { whereOf } from "../filters/core";
import { notificationPolicyFilterSpec } from "../filters/notification-policies";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { FlowRunNotificationPolicy, FlowRunNotificationPolicyFilter } from "../../schemas/notification-policies";

export type NotificationPolicyRow = typeof flowRunNotificationPolicy.$inferSelect;
type Filter = FlowRunNotificationPolicyFilter | null | undefined;

export interface NotificationPolicyInput {
  is_active: boolean;
  state_names: string[];
  tags: string[];
  block_document_id: string;
  message_template: string | null;
}

export function toNotificationPolicy(row: NotificationPolicyRow): FlowRunNotificationPolicy {
  return {
    id: row.id,
    created: row.created,
    updated: row.updated,
    is_active: Boolean(row.is_active),
    state_names: row.state_names ?? [],
    tags: row.tags ?? [],
    block_document_id: row.block_document_id,
    message_template: row.message_template ?? null,
  };
}

const blockDocumentExists = (id: string) => sql`EXISTS (SELECT 1 FROM ${blockDocument} WHERE ${blockDocument.id} = ${id})`;

/**
 * Inserts the policy only if its block document exists (Prefect's foreign key), in one statement.
 * Undefined when the block document is missing.
 */
export async function createNotificationPolicy(
  db: Db,
  input: NotificationPolicyInput,
): Promise<FlowRunNotificationPolicy | undefined> {
  const now = isoNow();
  const p = flowRunNotificationPolicy;
  const rows = await db
    .insert(p)
    .select(
      sql`SELECT ${uuid4()}, ${now}, ${now}, ${input.is_active ? 1 : 0}, ${JSON.stringify(input.state_names)}, ${JSON.stringify(input.tags)}, ${input.block_document_id}, ${input.message_template} WHERE ${blockDocumentExists(input.block_document_id)}`,
    )
    .returning();
  return rows[0] && toNotificationPolicy(rows[0]);
}

export const readNotificationPolicy = (db: Db, id: string): Promise<FlowRunNotificationPolicy | undefined> =>
  readOne(db, flowRunNotificationPolicy, eq(flowRunNotificationPolicy.id, id), toNotificationPolicy);

/** Ordered by id, as Prefect 2.x lists them. */
export async function filterNotificationPolicies(db: Db, filter: Filter, limit: number, offset: number): Promise<FlowRunNotificationPolicy[]> {
  const page = { where: whereOf(notificationPolicyFilterSpec, filter), orderBy: [asc(flowRunNotificationPolicy.id)], limit, offset };
  return (await selectPage(db, flowRunNotificationPolicy, page)).map(toNotificationPolicy);
}

export type UpdateOutcome = "updated" | "not_found" | "missing_block_document";

/** Applies the fields sent; a new block_document_id must name an existing block document. */
export async function updateNotificationPolicy(
  db: Db,
  id: string,
  patch: Partial<NotificationPolicyInput>,
): Promise<UpdateOutcome> {
  const p = flowRunNotificationPolicy;
  const set: Partial<NotificationPolicyRow> = { updated: isoNow() };
  if (patch.is_active !== undefined) set.is_active = patch.is_active;
  if (patch.state_names !== undefined) set.state_names = patch.state_names;
  if (patch.tags !== undefined) set.tags = patch.tags;
  if (patch.message_template !== undefined) set.message_template = patch.message_template;
  if (patch.block_document_id !== undefined) set.block_document_id = patch.block_document_id;
  const where =
    patch.block_document_id !== undefined
      ? sql`${eq(p.id, id)} AND ${blockDocumentExists(patch.block_document_id)}`
      : eq(p.id, id);
  const [updated, exists] = await db.batch([
    db.update(p).set(set).where(where).returning({ id: p.id }),
    db.select({ id: p.id }).from(p).where(eq(p.id, id)),
  ]);
  if (updated.length) return "updated";
  return exists.length ? "missing_block_document" : "not_found";
}

export const deleteNotificationPolicy = (db: Db, id: string): Promise<boolean> =>
  deleteWhere(db, flowRunNotificationPolicy, eq(flowRunNotificationPolicy.id, id));
