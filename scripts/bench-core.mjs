#!/usr/bin/env node
// Core benchmark (prints numbers; not a test). Hosts the built worker in Miniflare and reports
// each operation's throughput as a ratio to the machine's limit measured in the same run:
// a constant route and a one-row D1 insert served by scripts/bench/baseline-worker.js.
//
// Each operation runs in --rounds windows alternating with the baselines; its ratios are the
// medians of the rounds' ratios, so that drift on a shared machine weighs on both alike.
//
//   node scripts/bench-core.mjs [--seconds 5] [--rounds 5] [--concurrency 16] [--runs 100000]
import { buildWorker, compare, load, post, printRow, sequence, startBaseline, startWorker } from "./bench/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 5);
const CONCURRENCY = arg("concurrency", 16);
const RUNS = arg("runs", 100_000);
const ROUNDS = arg("rounds", 5);

const script = buildWorker();
const baseline = await startBaseline();
const worker = await startWorker(script);
const api = `${worker.url}/api`;

const baselineOps = {
  "constant route": () => fetch(`${baseline.url}/const`),
  "one-row D1 insert": () => fetch(`${baseline.url}/insert`, { method: "POST" }),
};
const baselines = {};
for (const [name, op] of Object.entries(baselineOps)) baselines[name] = await load({ concurrency: CONCURRENCY, seconds: SECONDS, op });
// Each operation is timed in windows alternating with the baselines (see compare()).
const measure = (op, opts = {}) => compare({ concurrency: CONCURRENCY, seconds: SECONDS, rounds: ROUNDS, baselines: baselineOps, op, ...opts });
console.log(`bench-core: ${CONCURRENCY} concurrent clients, ${SECONDS} s per operation, Node ${process.version}`);
for (const [name, r] of Object.entries(baselines)) printRow(`baseline: ${name}`, r, {});

const flow = await (await post(`${api}/flows/`, { name: "bench-flow" })).json();

const create = await measure(() => post(`${api}/flow_runs/`, { flow_id: flow.id, state: { type: "PENDING" } }));
printRow("create flow run", create, baselines);

// set_state: runs created SCHEDULED (due), then PENDING → RUNNING → COMPLETED as a worker and the
// SDK drive them; each proposal is one measured request.
const past = new Date(Date.now() - 60_000).toISOString();
const dueRuns = async (n, parameters = {}) => {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const res = await post(`${api}/flow_runs/`, { flow_id: flow.id, parameters, state: { type: "SCHEDULED", state_details: { scheduled_time: past } } });
    ids.push((await res.json()).id);
  }
  return ids;
};
const transitions = ["PENDING", "RUNNING", "COMPLETED"];
const runIds = await dueRuns(3000);
const setState = await measure(
  (i) => sequence(transitions.map((type) => () => post(`${api}/flow_runs/${runIds[i]}/set_state`, { state: { type } }))),
  { total: runIds.length },
);
printRow("set_state PENDING→RUNNING→COMPLETED", setState, baselines);

// The same changes made in phases (every run PENDING, then every run RUNNING, …) to runs with 4 kB
// of parameters: between two changes of one run, thousands of others fill the isolate's memory of
// snapshots (src/orchestration/flow-run-snapshots.ts), so each change reads the run first — the
// cost when every change comes to an isolate that has not seen the run.
const coldIds = await dueRuns(3000, { payload: "x".repeat(4096) });
const setStateCold = await measure(
  (i) => post(`${api}/flow_runs/${coldIds[i % coldIds.length]}/set_state`, { state: { type: transitions[Math.floor(i / coldIds.length)] } }),
  { total: coldIds.length * transitions.length },
);
printRow("set_state, runs not remembered", setStateCold, baselines);

// Contended: 32 RUNNING proposals at once on one PENDING run, one such burst at a time; every one
// is answered (src/concurrency/run-turns.ts), each decided on the state of the run at its turn.
const BURST = 32;
const pendingIds = [];
for (let i = 0; i < 300; i++) pendingIds.push((await (await post(`${api}/flow_runs/`, { flow_id: flow.id, state: { type: "PENDING" } })).json()).id);
const contended = await measure(
  (i) =>
    Promise.all(
      Array.from({ length: BURST }, async () => {
        const t0 = performance.now();
        const res = await post(`${api}/flow_runs/${pendingIds[i]}/set_state`, { state: { type: "RUNNING" } });
        return { res, ms: performance.now() - t0, at: performance.now() };
      }),
    ),
  { concurrency: 1, total: pendingIds.length },
);
printRow(`set_state, ${BURST} at once on one run`, contended, baselines);

// Filter over a large table: seed RUNS runs in SQL, then page through them with filters.
await worker.db
  .prepare(
    `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1)
     INSERT INTO flow_run (id, created, updated, name, flow_id, state_type, state_name, expected_start_time, tags)
     SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'seeded-' || x, ?2,
            CASE x % 4 WHEN 0 THEN 'COMPLETED' WHEN 1 THEN 'FAILED' WHEN 2 THEN 'RUNNING' ELSE 'SCHEDULED' END,
            CASE x % 4 WHEN 0 THEN 'Completed' WHEN 1 THEN 'Failed' WHEN 2 THEN 'Running' ELSE 'Scheduled' END,
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (x % 10000) || ' seconds'),
            CASE WHEN x % 10 = 0 THEN '["nightly"]' ELSE '[]' END
     FROM n`,
  )
  .bind(RUNS, flow.id)
  .run();
// A cron pass, as production runs one within a minute (its planner-statistics service matters here).
await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
const filters = [
  { flow_runs: { state: { type: { any_: ["FAILED"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 50 },
  { flow_runs: { tags: { all_: ["nightly"] } }, limit: 50 },
  { flows: { name: { any_: ["bench-flow"] } }, sort: "EXPECTED_START_TIME_DESC", limit: 50, offset: 200 },
];
const filter = await measure((i) => post(`${api}/flow_runs/filter`, filters[i % filters.length]));
printRow(`POST /flow_runs/filter (${RUNS} runs)`, filter, baselines);

await worker.mf.dispose();
await baseline.mf.dispose();
