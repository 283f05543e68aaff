#!/usr/bin/env node
// Retention benchmark (prints numbers; not a test). Hosts the built worker in Miniflare with both
// vacuums on (PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED=events,flow_runs), seeds --events events
// (two resource rows each, spread over the last 14 days: half past the 7-day retention) and --runs
// flow runs (spread over the last 180 days: 60 % terminal, so ~30 % past the 90-day retention;
// one state each, a task run and a log line for every tenth) straight into D1 in SQL, then reports:
// - a cron pass (every service, the vacuums included): its time and the rows the vacuums deleted;
// - POST /flow_runs/filter and /task_runs/filter latency at that size (sorted, filtered pages of
//   20), one request at a time, as ratios to a constant route measured in the same run.
//
//   node scripts/bench-retention.mjs [--events 1000000] [--runs 1000000] [--requests 200]
import { buildWorker, post, startBaseline, startWorker } from "./bench/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg("events", 1_000_000);
const RUNS = arg("runs", 1_000_000);
const REQUESTS = arg("requests", 200);
const CHUNK = 100_000;

const script = buildWorker();
const baseline = await startBaseline();
const worker = await startWorker(script, { bindings: { PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED: "events,flow_runs" } });
const api = `${worker.url}/api`;
const db = worker.db;
const seconds = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

const UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;
const ago = (secondsExpr) => `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (${secondsExpr}) || ' seconds')`;
/** Rows x = from+1 … from+n of a recursive counter. */
const counter = (from, n) => `WITH RECURSIVE n(x) AS (SELECT ${from + 1} UNION ALL SELECT x + 1 FROM n WHERE x < ${from + n})`;

async function seedEvents() {
  const span = 14 * 86_400;
  for (let from = 0; from < EVENTS; from += CHUNK) {
    const n = Math.min(CHUNK, EVENTS - from);
    await db
      .prepare(
        `${counter(from, n)}
         INSERT INTO event (id, occurred, received, event, resource_id, resource, related, related_resource_ids, payload)
         SELECT ${UUID}, ${ago(`x * ${span} / ${EVENTS}`)}, ${ago(`x * ${span} / ${EVENTS}`)},
                CASE x % 3 WHEN 0 THEN 'prefect.flow-run.Completed' WHEN 1 THEN 'prefect.flow-run.Running' ELSE 'prefect.task-run.Completed' END,
                'prefect.flow-run.' || x, '{"prefect.resource.id":"prefect.flow-run.' || x || '"}',
                '[{"prefect.resource.id":"prefect.flow.1","prefect.resource.role":"flow"}]', '["prefect.flow.1"]', '{}'
         FROM n`,
      )
      .run();
    await db
      .prepare(
        `INSERT INTO event_resource (id, occurred, resource_id, resource_role, resource, event_id)
         SELECT id || ':' || r.i, occurred, CASE r.i WHEN 0 THEN resource_id ELSE 'prefect.flow.1' END, CASE r.i WHEN 0 THEN '' ELSE 'flow' END, '{}', id
         FROM event, (SELECT 0 AS i UNION ALL SELECT 1) AS r WHERE event.rowid > ${from}`,
      )
      .run();
  }
}

async function seedRuns(flowId) {
  const span = 180 * 86_400;
  const state = `CASE WHEN x % 20 < 8 THEN 'COMPLETED' WHEN x % 20 < 10 THEN 'FAILED' WHEN x % 20 = 10 THEN 'CRASHED' WHEN x % 20 = 11 THEN 'CANCELLED' WHEN x % 20 = 12 THEN 'RUNNING' ELSE 'SCHEDULED' END`;
  for (let from = 0; from < RUNS; from += CHUNK) {
    const n = Math.min(CHUNK, RUNS - from);
    const expected = ago(`x * ${span} / ${RUNS}`);
    const ended = ago(`x * ${span} / ${RUNS} - 60`);
    await db
      .prepare(
        `${counter(from, n)}
         INSERT INTO flow_run (id, created, updated, name, flow_id, state_id, state_type, state_name, state_timestamp, expected_start_time, start_time, end_time, tags)
         SELECT ${UUID}, ${expected}, ${expected}, 'seeded-' || x, '${flowId}', ${UUID}, ${state},
                substr(${state}, 1, 1) || lower(substr(${state}, 2)), ${expected}, ${expected},
                CASE WHEN x % 20 < 13 THEN ${expected} END, CASE WHEN x % 20 < 12 THEN ${ended} END,
                CASE WHEN x % 10 = 0 THEN '["nightly"]' ELSE '[]' END
         FROM n`,
      )
      .run();
    const runs = `FROM flow_run WHERE rowid > ${from}`;
    await db
      .prepare(
        `INSERT INTO flow_run_state (id, created, updated, type, timestamp, name, flow_run_id)
         SELECT state_id, created, created, state_type, state_timestamp, state_name, id ${runs}`,
      )
      .run();
    await db
      .prepare(
        `INSERT INTO task_run (id, created, updated, name, flow_run_id, task_key, dynamic_key, state_id, state_type, state_name, expected_start_time, end_time)
         SELECT ${UUID}, created, created, 'task-' || rowid, id, 'task', '0', ${UUID}, state_type, state_name, expected_start_time, end_time ${runs} AND rowid % 10 = 0`,
      )
      .run();
    await db
      .prepare(
        `INSERT INTO task_run_state (id, created, updated, type, timestamp, name, task_run_id)
         SELECT state_id, created, created, state_type, created, state_name, id FROM task_run WHERE rowid > ${from / 10}`,
      )
      .run();
    await db
      .prepare(
        `INSERT INTO log (id, created, updated, name, level, flow_run_id, message, timestamp)
         SELECT ${UUID}, created, created, 'prefect.flow_runs', 20, id, 'Finished in state Completed()', created ${runs} AND rowid % 10 = 0`,
      )
      .run();
  }
}

const count = async (table) => (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first()).n;
const TABLES = ["event", "event_resource", "flow_run", "flow_run_state", "task_run", "task_run_state", "log"];
const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(t)])));

let t0 = performance.now();
const flow = await (await post(`${api}/flows/`, { name: "bench-retention" })).json();
await seedEvents();
console.log(`seeded ${EVENTS} events in ${seconds(t0)} s`);
t0 = performance.now();
await seedRuns(flow.id);
console.log(`seeded ${RUNS} flow runs in ${seconds(t0)} s`);

const scheduled = async () => {
  const t = performance.now();
  await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
  return performance.now() - t;
};
// The planner's statistics of the freshly filled tables first (what the cron's planner-statistics
// service does), so that the passes below time the vacuums' work.
t0 = performance.now();
await db.prepare("PRAGMA optimize=0x10002").run();
console.log(`planner statistics (PRAGMA optimize) of the new tables: ${seconds(t0)} s`);
for (let pass = 1; pass <= 3; pass++) {
  const before = await counts();
  const ms = await scheduled();
  const after = await counts();
  const deleted = TABLES.map((t) => `${t} ${before[t] - after[t]}`).join(", ");
  console.log(`cron pass ${pass}: ${ms.toFixed(0)} ms — deleted ${deleted}`);
}
console.log(`left: ${JSON.stringify(await counts())}`);

/** `send`'s latency percentiles over REQUESTS requests one at a time (fewer if they take over 30 s). */
async function latencies(send) {
  const out = [];
  const until = performance.now() + 30_000;
  for (let i = 0; i < REQUESTS && (i < 5 || performance.now() < until); i++) {
    const t = performance.now();
    const res = await send(i);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`request failed: ${res.status}`);
    out.push(performance.now() - t);
  }
  out.sort((a, b) => a - b);
  return { n: out.length, p50: out[Math.floor(out.length / 2)], p99: out[Math.min(out.length - 1, Math.floor(out.length * 0.99))] };
}
const constant = await latencies(() => fetch(`${baseline.url}/const`));
console.log(`baseline: constant route p50 ${constant.p50.toFixed(2)} ms p99 ${constant.p99.toFixed(2)} ms`);
const filters = {
  "state FAILED, EXPECTED_START_TIME_DESC": { flow_runs: { state: { type: { any_: ["FAILED"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 20 },
  "state CRASHED (5 %), EXPECTED_START_TIME_DESC": { flow_runs: { state: { type: { any_: ["CRASHED"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 20 },
  "states COMPLETED+FAILED, START_TIME_DESC": { flow_runs: { state: { type: { any_: ["COMPLETED", "FAILED"] } } }, sort: "START_TIME_DESC", limit: 20 },
  "state SCHEDULED, page 10, EXPECTED_START_TIME_DESC": { flow_runs: { state: { type: { any_: ["SCHEDULED"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 20, offset: 200 },
  "no filter, START_TIME_DESC": { sort: "START_TIME_DESC", limit: 20 },
  // One state: one probe of (state_type, expected_start_time).
  "state PAUSED (no run), EXPECTED_START_TIME_DESC": { flow_runs: { state: { type: { any_: ["PAUSED"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 20 },
  // Several states: each state's (state_type, start) entries are read in order and the pages merged (src/db/page.ts).
  "states PAUSED+CANCELLING (no run), START_TIME_DESC": { flow_runs: { state: { type: { any_: ["PAUSED", "CANCELLING"] } } }, sort: "START_TIME_DESC", limit: 20 },
  // No run has both: every RUNNING run's row is read for its tags (no index holds them).
  "tag nightly, state RUNNING (no run), ID_DESC": { flow_runs: { tags: { all_: ["nightly"] }, state: { type: { any_: ["RUNNING"] } } }, limit: 20 },
};
// Task runs (one per tenth flow run, in its state), in the UI's sort.
const taskFilters = {
  "state FAILED, EXPECTED_START_TIME_DESC": { task_runs: { state: { type: { any_: ["FAILED"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 20 },
  "states PAUSED+CANCELLING (no run), EXPECTED_START_TIME_DESC": { task_runs: { state: { type: { any_: ["PAUSED", "CANCELLING"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 20 },
};
const report = async (path, rows, cases) => {
  for (const [name, body] of Object.entries(cases)) {
    const r = await latencies(() => post(`${api}/${path}/filter`, body));
    console.log(
      `POST /${path}/filter (${rows} runs) ${name.padEnd(48)} p50 ${r.p50.toFixed(2)} ms (${(r.p50 / constant.p50).toFixed(1)}× constant route)  p99 ${r.p99.toFixed(2)} ms  (${r.n} requests)`,
    );
  }
};
await report("flow_runs", RUNS, filters);
await report("task_runs", RUNS / 10, taskFilters);

await worker.mf.dispose();
await baseline.mf.dispose();
