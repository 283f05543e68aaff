import type { Db } from "../db/client";
import { paginated, resolveLimit } from "../db/pagination";
import { readPoolSlotHolders, readQueueSlotHolders, type SlotHolderRow } from "../db/queries/slot-reports";
import { toFlowRunSlotSummary } from "../db/queries/runs-serialize";
import { orNotFound } from "../lib/errors";
import { pyStrRepr } from "../lib/python";
import { isoNow } from "../lib/time";

/**
 * The `concurrency_status` answers of work queues and work pools: the holder's active slots and
 * limit, then one page of what holds them (`flow_runs` of a queue, `queues` of a pool) in Prefect's
 * pagination envelope. Active slots are runs D1 shows occupying one (src/db/queries/slot-reports.ts).
 */
function statusPage<K extends string, T>(
  holder: { active_slots: number; concurrency_limit: number | null },
  key: K,
  page: ReturnType<typeof paginated<T>>,
) {
  const { results, ...envelope } = page;
  return { ...holder, [key]: results, ...envelope } as typeof holder & Record<K, T[]> & typeof envelope;
}

const summaries = (runs: SlotHolderRow[], now: string) => runs.map((r) => toFlowRunSlotSummary(r, now));

/** A work queue's slot holders, a page of them by flow run id (404 for an unknown queue). */
export async function workQueueConcurrencyStatus(db: Db, id: string, body: { page: number; limit?: number }) {
  const limit = resolveLimit(body.limit);
  const found = orNotFound(await readQueueSlotHolders(db, id.toLowerCase(), limit, (body.page - 1) * limit), "Work queue not found.");
  const runs = summaries(found.runs, isoNow());
  return statusPage({ active_slots: found.count, concurrency_limit: found.queue.concurrency_limit }, "flow_runs", paginated(runs, found.count, limit, body.page));
}

/** A work pool's slots and a page of its queues, each with up to `flow_run_limit` of its holders. */
export async function workPoolConcurrencyStatus(db: Db, name: string, body: { page: number; limit?: number; flow_run_limit: number }) {
  const limit = resolveLimit(body.limit);
  const found = orNotFound(
    await readPoolSlotHolders(db, name, { limit, offset: (body.page - 1) * limit }, body.flow_run_limit),
    `Work pool ${pyStrRepr(name)} not found.`,
  );
  const now = isoNow();
  const details = found.queues.map((q) => {
    const holders = found.byQueue.get(q.id)!;
    return {
      queue_id: q.id,
      queue_name: q.name,
      active_slots: holders.count,
      concurrency_limit: q.concurrency_limit,
      flow_runs: summaries(holders.runs, now),
      flow_run_count: holders.count,
    };
  });
  return statusPage({ active_slots: found.active, concurrency_limit: found.pool.concurrency_limit }, "queues", paginated(details, found.queueCount, limit, body.page));
}
