import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { selectPage } from "../page";
import { deleteWhere, readOne } from "../rows";
import { blockDocument, flow, flowRun, flowRunNotificationPolicy, flowRunState } from "../schema";
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

let generation = 0;

/** Bumped by every policy write in this isolate: a cache of the active policies (src/events/automations/notification-policies.ts) reloads. */
export const policiesGeneration = () => generation;

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
  generation++;
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
  generation++;
  if (updated.length) return "updated";
  return exists.length ? "missing_block_document" : "not_found";
}

export async function deleteNotificationPolicy(db: Db, id: string): Promise<boolean> {
  const deleted = await deleteWhere(db, flowRunNotificationPolicy, eq(flowRunNotificationPolicy.id, id));
  generation++;
  return deleted;
}

export type ActivePolicy = Pick<NotificationPolicyRow, "id" | "state_names" | "tags">;

/** What a state change is matched against: the active policies' states and tags. */
export function readActivePolicies(db: Db): Promise<ActivePolicy[]> {
  const p = flowRunNotificationPolicy;
  return db.select({ id: p.id, state_names: p.state_names, tags: p.tags }).from(p).where(eq(p.is_active, true));
}

/**
 * What a policy's message is made of (Prefect 2.x's notification queue row): the policy, the run,
 * its flow and the state it entered. Undefined when the policy, the run or the state is gone.
 */
export async function readPolicyNotification(db: Db, policyId: string, stateId: string) {
  const [row] = await db
    .select({
      policy_id: flowRunNotificationPolicy.id,
      message_template: flowRunNotificationPolicy.message_template,
      block_document_id: flowRunNotificationPolicy.block_document_id,
      flow_id: flow.id,
      flow_name: flow.name,
      flow_run_id: flowRun.id,
      flow_run_name: flowRun.name,
      flow_run_parameters: flowRun.parameters,
      state_type: flowRunState.type,
      state_name: flowRunState.name,
      state_timestamp: flowRunState.timestamp,
      state_message: flowRunState.message,
    })
    .from(flowRunState)
    .innerJoin(flowRun, eq(flowRun.id, flowRunState.flow_run_id))
    .innerJoin(flow, eq(flow.id, flowRun.flow_id))
    .innerJoin(flowRunNotificationPolicy, eq(flowRunNotificationPolicy.id, policyId))
    .where(eq(flowRunState.id, stateId));
  return row;
}
