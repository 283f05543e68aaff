import type { Context } from "hono";
import type { AppEnv } from "../env";
import { emitEvents } from "../events/outbox";
import { type ServerEvent } from "../db/queries/event-outbox";
import { afterResponse } from "../lib/router";

/**
 * The lifecycle events of work pools and work queues, in Prefect's shape:
 * `prefect.work-pool.created|updated|deleted`, `prefect.work-queue.created|updated|deleted`.
 */

interface PoolLike {
  id: string;
  name: string;
  type: string;
  default_queue_id?: string | null;
  storage_configuration?: { default_result_storage_block_id?: string | null } | null;
}
interface QueueLike {
  id: string;
  name: string;
}
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

const poolResource = (p: PoolLike) => ({
  "prefect.resource.id": `prefect.work-pool.${p.id}`,
  "prefect.resource.name": p.name,
  "prefect.work-pool.type": p.type,
  "prefect.resource.role": "work-pool",
});

function poolRelated(p: PoolLike): Record<string, string>[] {
  const related: Record<string, string>[] = [];
  if (p.default_queue_id) related.push({ "prefect.resource.id": `prefect.work-queue.${p.default_queue_id}`, "prefect.resource.role": "default-queue" });
  const block = p.storage_configuration?.default_result_storage_block_id;
  if (block) related.push({ "prefect.resource.id": `prefect.block-document.${block}`, "prefect.resource.role": "result-storage" });
  return related;
}

const queueResource = (q: QueueLike) => ({
  "prefect.resource.id": `prefect.work-queue.${q.id}`,
  "prefect.resource.name": q.name,
  "prefect.resource.role": "work-queue",
});

export const poolCreated = (p: PoolLike): ServerEvent => ({ event: "prefect.work-pool.created", resource: poolResource(p), related: poolRelated(p) });
export const poolDeleted = (p: PoolLike): ServerEvent => ({ event: "prefect.work-pool.deleted", resource: poolResource(p), related: poolRelated(p) });
export const poolUpdated = (p: PoolLike, changes: FieldChanges): ServerEvent => ({
  event: "prefect.work-pool.updated",
  resource: poolResource(p),
  payload: { updated_fields: Object.keys(changes), updates: changes },
});

export const queueCreated = (q: QueueLike, p: PoolLike | null): ServerEvent => ({ event: "prefect.work-queue.created", resource: queueResource(q), related: p ? [poolResource(p)] : [] });
export const queueDeleted = (q: QueueLike, p: PoolLike | null): ServerEvent => ({ event: "prefect.work-queue.deleted", resource: queueResource(q), related: p ? [poolResource(p)] : [] });
export const queueUpdated = (q: QueueLike, p: PoolLike | null, changes: FieldChanges): ServerEvent => ({
  event: "prefect.work-queue.updated",
  resource: queueResource(q),
  related: p ? [poolResource(p)] : [],
  payload: { updated_fields: Object.keys(changes), updates: changes },
});

/** The fields of `sent` whose value differs from `current`, as Prefect reports updates. */
export function changedFields(current: Record<string, unknown>, sent: Record<string, unknown>): FieldChanges {
  const out: FieldChanges = {};
  for (const [key, to] of Object.entries(sent)) {
    const from = current[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to ?? null)) out[key] = { from, to: to ?? null };
  }
  return out;
}

/** Stores the events after the response (they never hold up or fail the request). */
export function emitAfter(c: Context<AppEnv>, events: ServerEvent[]): void {
  if (events.length) afterResponse(c, "work pool events", emitEvents(events, c.env));
}
