import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { paginated, resolveLimit } from "../db/pagination";
import { readPoolRow } from "../db/queries/work-pools";
import { readPoolQueueRows, readQueueRow } from "../db/queries/work-queues";
import { toFlowRunSlotSummary } from "../db/queries/runs-serialize";
import { slotHolders } from "../concurrency/work-queue-slots";
import { orNotFound } from "../lib/errors";
import { isoNow } from "../lib/time";

/**
 * The `concurrency_status` answers of work queues and work pools: the holder's active slots and
 * limit, then one page of what holds them (`flow_runs` of a queue, `queues` of a pool) in Prefect's
 * pagination envelope.
 */
function statusPage<K extends string, T>(
  holder: { active_slots: number; concurrency_limit: number | null },
  key: K,
  page: ReturnType<typeof paginated<T>>,
) {
  const { results, ...envelope } = page;
  return { ...holder, [key]: results, ...envelope } as typeof holder & Record<K, T[]> & typeof envelope;
}

/** A work queue's slot holders, a page of them (404 for an unknown queue). */
export async function workQueueConcurrencyStatus(env: Bindings, db: Db, id: string, body: { page: number; limit?: number }) {
  const limit = resolveLimit(body.limit);
  const { queue } = orNotFound(await readQueueRow(db, id.toLowerCase()), "Work queue not found.");
  const holders = await slotHolders(env, db, "queue", queue.id, (body.page - 1) * limit, limit);
  const now = isoNow();
  const runs = holders.runs.map((r) => toFlowRunSlotSummary(r, now));
  return statusPage({ active_slots: holders.active_slots, concurrency_limit: queue.concurrency_limit }, "flow_runs", paginated(runs, holders.count, limit, body.page));
}

/** A work pool's slots and a page of its queues, each with up to `flow_run_limit` of its holders. */
export async function workPoolConcurrencyStatus(env: Bindings, db: Db, name: string, body: { page: number; limit?: number; flow_run_limit: number }) {
  const limit = resolveLimit(body.limit);
  const pool = orNotFound(await readPoolRow(db, name), `Work pool '${name}' not found.`);
  const [queues, poolHolders] = await Promise.all([readPoolQueueRows(db, pool.id), slotHolders(env, db, "pool", pool.id, 0, 0)]);
  const pageQueues = queues.slice((body.page - 1) * limit, body.page * limit);
  const now = isoNow();
  const details = await Promise.all(
    pageQueues.map(async (q) => {
      const h = await slotHolders(env, db, "queue", q.id, 0, body.flow_run_limit);
      return {
        queue_id: q.id,
        queue_name: q.name,
        active_slots: h.active_slots,
        concurrency_limit: q.concurrency_limit,
        flow_runs: h.runs.map((r) => toFlowRunSlotSummary(r, now)),
        flow_run_count: h.count,
      };
    }),
  );
  return statusPage({ active_slots: poolHolders.active_slots, concurrency_limit: pool.concurrency_limit }, "queues", paginated(details, queues.length, limit, body.page));
}
