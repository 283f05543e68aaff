#!/usr/bin/env node
// Work-pool benchmark (prints numbers; not a test). Hosts the built worker in Miniflare with its
// D1 and slot-ledger Durable Objects, and reports:
//   - poll+propose throughput (POST get_scheduled_flow_runs, then set_state PENDING for what was
//     handed out) for 1, 8 and 64 concurrent workers, on one queue and spread over 16 queues;
//   - POST /work_queues/{id}/concurrency_status latency with 10 000 slot holders;
// each as a ratio to the machine's limit measured in the same run (a constant route and a
// one-row D1 insert served by scripts/bench/baseline-worker.js).
//
//   node scripts/bench-pools.mjs [--seconds 4] [--holders 10000]
import { buildWorker, load, post, printRow, startBaseline, startWorker } from "./bench/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 4);
const HOLDERS = arg("holders", 10_000);
const RUNS_PER_CONFIG = 6000;

const script = buildWorker();
const baseline = await startBaseline();
const worker = await startWorker(script);
const api = `${worker.url}/api`;

const baselines = {
  "constant route": await load({ concurrency: 16, seconds: SECONDS, op: () => fetch(`${baseline.url}/const`) }),
  "one-row D1 insert": await load({ concurrency: 16, seconds: SECONDS, op: () => fetch(`${baseline.url}/insert`, { method: "POST" }) }),
};
console.log(`bench-pools: ${SECONDS} s per configuration, Node ${process.version}`);
for (const [name, r] of Object.entries(baselines)) printRow(`baseline: ${name}`, r, {});

const flow = await (await post(`${api}/flows/`, { name: "bench-pools-flow" })).json();
let poolCounter = 0;

/** A pool with `queues` queues (no limits) and `runs` due SCHEDULED runs spread over them, seeded in SQL. */
async function seedPool(queues, runs) {
  const name = `bench-pool-${++poolCounter}`;
  await post(`${api}/work_pools/`, { name, type: "process" });
  const names = ["default"];
  for (let q = 1; q < queues; q++) {
    names.push(`q${q}`);
    await post(`${api}/work_pools/${name}/queues/`, { name: `q${q}` });
  }
  const rows = (await worker.db.prepare(`SELECT q.id, q.name, p.id AS pool_id FROM work_queue q JOIN work_pool p ON p.id = q.work_pool_id WHERE p.name = ?`).bind(name).all()).results;
  for (const [i, q] of rows.entries()) {
    const n = Math.ceil(runs / rows.length);
    await seedRuns(q, name, n, "SCHEDULED", i);
  }
  return { name, queueNames: names };
}

async function seedRuns(queue, poolName, n, stateType, salt = 0) {
  const name = stateType === "SCHEDULED" ? "Scheduled" : "Running";
  await worker.db
    .prepare(
      `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1),
       ids AS MATERIALIZED (SELECT x, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) AS id,
                      lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-7' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) AS sid,
                      strftime('%Y-%m-%dT%H:%M:%f000Z', 'now', '-1 hour', '+' || (x + ?7) || ' seconds') AS at FROM n)
       INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, work_queue_name, work_pool_id, work_pool_name,
                             state_id, state_type, state_name, state_timestamp, state, expected_start_time, next_scheduled_start_time)
       SELECT id, at, at, 'bench-' || x, ?2, ?3, ?4, ?5, ?6, sid, ?8, ?9, at,
              json_object('id', sid, 'type', ?8, 'name', ?9, 'timestamp', at, 'message', NULL, 'data', NULL,
                          'state_details', json_object('scheduled_time', at)),
              at, CASE ?8 WHEN 'SCHEDULED' THEN at END
       FROM ids`,
    )
    .bind(n, flow.id, queue.id, queue.name, queue.pool_id, poolName, salt, stateType, name)
    .run();
}

async function pollAndPropose(pool, queueName) {
  const t0 = performance.now();
  const res = await post(`${api}/work_pools/${pool.name}/get_scheduled_flow_runs`, { work_queue_names: [queueName], limit: 1 });
  const handed = await res.clone().json();
  const out = [{ res, ms: performance.now() - t0 }];
  for (const { flow_run } of handed) {
    const t1 = performance.now();
    const r = await post(`${api}/flow_runs/${flow_run.id}/set_state`, { state: { type: "PENDING" } });
    out.push({ res: r, ms: performance.now() - t1 });
  }
  return out;
}

for (const queues of [1, 16]) {
  for (const workers of [1, 8, 64]) {
    const pool = await seedPool(queues, RUNS_PER_CONFIG);
    const r = await load({
      concurrency: workers,
      seconds: SECONDS,
      op: (i) => pollAndPropose(pool, pool.queueNames[i % pool.queueNames.length]),
    });
    printRow(`poll+propose ${String(workers).padStart(2)} workers, ${String(queues).padStart(2)} queue${queues > 1 ? "s" : " "}`, r, baselines);
  }
}

// concurrency_status with HOLDERS slot holders: RUNNING runs seeded in D1 (the reports count
// what D1 shows, as Prefect does).
const holderPool = await seedPool(1, 0);
const queue = (await worker.db.prepare(`SELECT q.id, q.name, p.id AS pool_id FROM work_queue q JOIN work_pool p ON p.id = q.work_pool_id WHERE p.name = ?`).bind(holderPool.name).first());
await seedRuns(queue, holderPool.name, HOLDERS, "RUNNING");
const status = await load({
  concurrency: 4,
  seconds: SECONDS,
  op: (i) => post(`${api}/work_queues/${queue.id}/concurrency_status`, { page: 1 + (i % 50), limit: 200 }),
});
printRow(`concurrency_status (${HOLDERS} holders)`, status, baselines);

await worker.mf.dispose();
await baseline.mf.dispose();
