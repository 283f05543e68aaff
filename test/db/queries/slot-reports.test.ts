import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../src/db/client";
import { poolSlotHolderReads, queueSlotHolderReads } from "../../../src/db/queries/slot-reports";
import { refreshPlannerStatistics } from "../../../src/services/planner-statistics";
import { poolWithQueue } from "../../fixtures/pools";

async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

describe("the slot reports' reads", () => {
  it("search runs by (queue, state) in ix_flow_run_work_queue_id_state_type_id, not through a queue's history, queue-less runs or every run", async () => {
    const { pool, queue } = await poolWithQueue({});
    // A queue's long history and many runs without a queue, few runs executing: the shape of a
    // real database, which the planner's statistics describe once the service ran.
    await env.DB.prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)
       INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, work_queue_name, state_type)
       SELECT lower(hex(randomblob(16))), 'x', 'x', 'run-' || x, lower(hex(randomblob(16))),
              CASE WHEN x % 2 = 0 THEN ?1 END, CASE WHEN x % 2 = 0 THEN ?2 END,
              CASE WHEN x % 100 = 0 THEN 'RUNNING' ELSE 'COMPLETED' END
       FROM n`,
    )
      .bind(queue.id, queue.name)
      .run();
    await refreshPlannerStatistics(getDb(env.DB));

    const db = getDb(env.DB);
    const reads = [...queueSlotHolderReads(db, queue.id, 200, 0), ...poolSlotHolderReads(db, pool.name, { limit: 200, offset: 0 }, 10)];
    for (const read of reads) {
      const plan = await planOf(read);
      const runSteps = plan.filter((step) => / flow_run\b/.test(step));
      // By queue and state, or a page's runs by their id.
      for (const step of runSteps) expect(step).toMatch(/^SEARCH flow_run USING (COVERING )?INDEX (ix_flow_run_work_queue_id_state_type_id \(work_queue_id=\? AND state_type=\?\)|sqlite_autoindex_flow_run_1 \(id=\?\)$)/);
    }
  });
});
