#!/usr/bin/env node
// Sizing (prints numbers; not a test): how many bytes of D1 a flow run, a task run, an event and a
// log line take, measured on real SDK traffic. Replays the golden SDK transcripts
// (test/fixtures/transcripts: flows with tasks, retries, subflows, logs, state changes) --rounds
// times against the built worker with its D1 kept on disk, then reads the SQLite file's pages per
// table and index (sqlite3's dbstat) and the row counts, and prints how long 10 GB lasts at 10 k,
// 100 k and 1 M task runs a day with the default retention.
//
//   node scripts/sizing.mjs [--rounds 30] [--tasks-per-flow 10] [--detail]   (needs the sqlite3 shell)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildWorker, ROOT, startWorker } from "./bench/harness.mjs";
import { replay } from "./bench/replay.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 30);
const TRANSCRIPTS = ["01_flows_tasks", "02_retries_failures", "03_subflows", "04_logs", "06_state_history"];

const dir = mkdtempSync(path.join(os.tmpdir(), "prefect-sizing-"));
// The transcripts' client events are from 2026-11-23: kept here whatever their age.
const worker = await startWorker(buildWorker(), { d1Persist: dir, bindings: { PREFECT_SERVER_EVENTS_RETENTION_PERIOD: "P36500D" } });
const api = `${worker.url}/api`;
const transcripts = TRANSCRIPTS.map((t) => JSON.parse(readFileSync(path.join(ROOT, "test", "fixtures", "transcripts", `${t}.json`), "utf8")));
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) for (const entries of transcripts) await replay(api, entries);
// A cron pass drains the event outbox into the event tables (and runs the vacuums: nothing is old yet).
await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
console.log(`replayed ${TRANSCRIPTS.length} transcripts × ${ROUNDS} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
await worker.mf.dispose();

const find = (d) => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? find(path.join(d, f)) : [path.join(d, f)]));
const file = find(dir).filter((f) => f.endsWith(".sqlite")).sort((a, b) => statSync(b).size - statSync(a).size)[0];
const sql = (q) => JSON.parse(execFileSync("sqlite3", ["-json", file, q], { encoding: "utf8" }) || "[]");
// Bytes per table, its indexes included (dbstat: every page of the b-tree, free space within them too).
const bytes = Object.fromEntries(
  sql(`SELECT m.tbl_name AS t, sum(s.pgsize) AS b FROM dbstat AS s JOIN sqlite_master AS m ON m.name = s.name GROUP BY m.tbl_name`).map((r) => [r.t, r.b]),
);
if (process.argv.includes("--detail")) {
  // Every table and index: its bytes per row of its table.
  for (const r of sql(`SELECT s.name AS name, m.tbl_name AS t, sum(s.pgsize) AS b FROM dbstat AS s JOIN sqlite_master AS m ON m.name = s.name GROUP BY s.name ORDER BY m.tbl_name, b DESC`)) {
    const count = sql(`SELECT count(*) AS n FROM "${r.t}"`)[0].n;
    if (count > 100) console.log(`  ${r.t.padEnd(16)} ${r.name.padEnd(56)} ${(r.b / count).toFixed(0).padStart(6)} bytes/row`);
  }
}
const rows = (t, where = "1") => sql(`SELECT count(*) AS n FROM ${t} WHERE ${where}`)[0].n;
const n = Object.fromEntries(["flow_run", "task_run", "event", "log"].map((t) => [t, rows(t)]));
// What each kind of run brings with it in this traffic: its events and its log lines.
const brings = {
  flowRun: { events: rows("event", "event LIKE 'prefect.flow-run.%'") / n.flow_run, logs: rows("log", "task_run_id IS NULL") / n.flow_run },
  taskRun: { events: rows("event", "event LIKE 'prefect.task-run.%'") / n.task_run, logs: rows("log", "task_run_id IS NOT NULL") / n.task_run },
};
const otherEvents = n.event - rows("event", "event LIKE 'prefect.flow-run.%' OR event LIKE 'prefect.task-run.%'");
rmSync(dir, { recursive: true, force: true });

const per = (tables, count) => tables.reduce((sum, t) => sum + (bytes[t] ?? 0), 0) / count;
const size = {
  flowRun: per(["flow_run", "flow_run_state", "flow_run_input"], n.flow_run),
  taskRun: per(["task_run", "task_run_state"], n.task_run),
  event: per(["event", "event_resource"], n.event),
  log: per(["log"], n.log),
};
console.log(`rows: ${JSON.stringify(n)} (${otherEvents} other events)`);
console.log(`bytes per flow run (its row and states, with their indexes): ${size.flowRun.toFixed(0)}`);
console.log(`bytes per task run (its row and states, with their indexes): ${size.taskRun.toFixed(0)}`);
console.log(`bytes per event (its row and resource rows, with their indexes): ${size.event.toFixed(0)}`);
console.log(`bytes per log line (with its indexes): ${size.log.toFixed(0)}`);
console.log(`a flow run brings ${brings.flowRun.events.toFixed(1)} events and ${brings.flowRun.logs.toFixed(1)} log lines; a task run ${brings.taskRun.events.toFixed(1)} events and ${brings.taskRun.logs.toFixed(1)} log lines`);

// A day's data for `tasks` task runs in flow runs of TASKS_PER_FLOW tasks: runs and logs are kept
// (the flow_runs vacuum is off by default), events 7 days.
const TASKS_PER_FLOW = arg("tasks-per-flow", 10);
const day = (tasks) => {
  const flows = tasks / TASKS_PER_FLOW;
  const runs = flows * (size.flowRun + brings.flowRun.logs * size.log) + tasks * (size.taskRun + brings.taskRun.logs * size.log);
  const events = (flows * brings.flowRun.events + tasks * brings.taskRun.events) * size.event;
  return { runs, events };
};
const GB = 1e9;
console.log(`\n${TASKS_PER_FLOW} task runs per flow run; default retention (events 7 days, runs and logs kept):`);
console.log("task runs/day | runs+logs per day | events kept (7 days) | 10 GB lasts | steady state with flow_runs vacuum at 90 days");
for (const tasks of [10_000, 100_000, 1_000_000]) {
  const { runs, events } = day(tasks);
  const days = (10 * GB - 7 * events) / runs;
  console.log(
    `${tasks.toLocaleString("en").padStart(9)} | ${(runs / 1e6).toFixed(0).padStart(6)} MB | ${((7 * events) / GB).toFixed(2).padStart(6)} GB | ${days > 0 ? `${days.toFixed(0)} days` : "never"} | ${((90 * runs + 7 * events) / GB).toFixed(1)} GB`,
  );
}
