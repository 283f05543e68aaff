#!/usr/bin/env node
// Soak benchmark (prints numbers; not a test): drives mixed load — flow-run lifecycles with task
// runs and logs, filters, events in (POST and /events/in), /events/out and /logs/out subscribers
// opened and dropped, hostile bodies (large, deep, invalid) — against the worker for --minutes,
// and samples the workerd process's memory every --interval seconds: its resident set and the
// worker isolate's JS heap after a full collection. The heap must level off: the verdict compares
// the median of the last third of the samples with the median of the first third.
//
//   node scripts/soak.mjs [--minutes 10] [--interval 30] [--concurrency 4] [--subscribers 50]
//                         [--host wrangler|miniflare] [--only lifecycle,filters,events,sockets,hostile]
//
// --host wrangler (the default) serves the worker as `npm start` does (wrangler dev, local D1
// in a fresh directory); miniflare hosts the built bundle as bench-core does. --only drives some
// kinds of load alone (to find what holds memory); SOAK_DEBUG=1 prints every 4xx/5xx and failure
// with the time, and keeps wrangler's output, each line timed, in a file; SOAK_NO_INSPECTOR=1
// leaves the isolate's heap unread (no inspector attached).
//
// "unanswered" counts requests the local runtime dropped: the connection closed without an answer
// (Miniflare) or wrangler's proxy's 503 "Your worker restarted mid-request" (no restart: it says so
// whenever its connection to workerd breaks under a non-GET). workerd closes a keep-alive connection
// idle for 5 s; when its one thread (the Worker, its Durable Objects, D1) was busy that long, it
// closes it on waking although the client has meanwhile sent a request on it. A dev-only drop, not
// the server's 5xx — but it marks a request that held the event loop for seconds. wrangler's log
// also shows one uncaught "Network connection lost" per /events/in client that cut its connection
// (workerd's report of the close frame it cannot send; not closing gives "had hung" instead).
// Locally one workerd thread serves the worker, its Durable Objects and D1 alike, so throughput
// here says little; the memory curve is the point.
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { applyMigrations, buildWorker, DURABLE_OBJECTS, ROOT } from "./bench/harness.mjs";
import { inspectIsolate, rss, workerdPids } from "./bench/memory-probe.mjs";
import { driveLoad } from "./bench/soak-load.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MINUTES = Number(arg("minutes", 10));
const INTERVAL_S = Number(arg("interval", 30));
const CONCURRENCY = Number(arg("concurrency", 4));
const SUBSCRIBERS = Number(arg("subscribers", 50));
const HOST = arg("host", "wrangler");
const ONLY = arg("only", null)?.split(",") ?? null; // e.g. --only lifecycle,hostile (for finding what holds memory)
const INSPECTOR_PORT = 9400 + Math.floor(Math.random() * 500);

const MB = (bytes) => (bytes / (1 << 20)).toFixed(1);

async function waitForHealth(url, ms = 120_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not come up`);
}

/** The worker as `npm start` serves it: the UI built (if it changed), wrangler dev on a fresh local D1 with the migrations applied. */
async function startWrangler() {
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "ensure-ui.mjs")], { cwd: ROOT, stdio: "ignore" });
  const persist = mkdtempSync(path.join(tmpdir(), "soak-"));
  const port = 8700 + Math.floor(Math.random() * 90);
  const npx = (args, opts) => spawn("npx", ["wrangler", ...args, "--persist-to", persist], { cwd: ROOT, stdio: "ignore", ...opts });
  await new Promise((resolve, reject) => npx(["d1", "migrations", "apply", "DB", "--local"]).on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`migrations: exit ${c}`)))));
  const logPath = path.join(tmpdir(), `soak-wrangler-${port}.log`);
  const child = npx(["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(INSPECTOR_PORT), "--test-scheduled"], {
    detached: true,
    stdio: ["ignore", process.env.SOAK_DEBUG ? "pipe" : "ignore", process.env.SOAK_DEBUG ? "pipe" : "ignore"],
  });
  if (process.env.SOAK_DEBUG) {
    // Each line stamped with the time it arrived, to line it up with the load's own log.
    console.log(`wrangler's output: ${logPath}`);
    const log = createWriteStream(logPath);
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (line) => log.write(`${new Date().toISOString()} ${line}\n`));
  }
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  return {
    url,
    root: child.pid,
    inspector: `http://127.0.0.1:${INSPECTOR_PORT}`,
    persist,
    stop: () => {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

/** The built bundle in Miniflare, as bench-core hosts it. */
async function startMiniflare() {
  const mf = new Miniflare({
    scriptPath: buildWorker(),
    modules: true,
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    compatibilityDate: "2026-04-20",
    compatibilityFlags: ["nodejs_compat"],
    d1Databases: ["DB"],
    durableObjects: DURABLE_OBJECTS,
    port: 0,
    inspectorPort: INSPECTOR_PORT,
  });
  const url = (await mf.ready).href.replace(/\/$/, "");
  await applyMigrations(await mf.getD1Database("DB"));
  return { url, root: process.pid, inspector: `http://127.0.0.1:${INSPECTOR_PORT}`, stop: () => mf.dispose() };
}

const server = HOST === "miniflare" ? await startMiniflare() : await startWrangler();
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, async () => {
    await server.stop();
    process.exit(1);
  });
const pids = workerdPids(server.root);
let isolate = null;
if (!process.env.SOAK_NO_INSPECTOR) try {
  isolate = await inspectIsolate(server.inspector, "core:user:");
} catch (err) {
  console.log(`(no JS heap figures: ${err.message})`);
}
const nudge = () => fetch(`${server.url}/api/health`).catch(() => undefined);

// Between samples, the heap in use (garbage included) is polled for its peak: what one request
// or a burst of them takes at once, against an isolate's 128 MB in production.
let heapPeak = 0;
let polling = Boolean(isolate);
void (async () => {
  while (polling) {
    heapPeak = Math.max(heapPeak, await isolate.used().catch(() => 0));
    await new Promise((r) => setTimeout(r, 250));
  }
})();

/** Bytes of the files below `dir` (the local D1 and Durable Object storage, when wrangler hosts). */
function bytesBelow(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytesBelow(full) : statSync(full).size;
  }
  return total;
}

// What the isolate retains is the floor of a few collections a second apart: one taken while a
// large request is in flight counts that request too (it is live then), the smallest does not.
const HEAP_READINGS = 3;
async function heapFloor() {
  let floor = Infinity;
  for (let i = 0; i < HEAP_READINGS; i++) {
    if (i) await new Promise((r) => setTimeout(r, 1000));
    const heap = await isolate.heap(nudge).catch(() => null);
    if (heap) floor = Math.min(floor, heap.used);
  }
  return Number.isFinite(floor) ? { used: floor } : null;
}

async function sample() {
  const each = pids.map(rss);
  const heap = isolate ? await heapFloor() : null;
  const peak = heapPeak;
  heapPeak = 0;
  const alive = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.ok, () => false);
  const stored = server.persist ? bytesBelow(server.persist) : NaN;
  return { rss: each.reduce((n, m) => n + m.rss, 0), hwm: Math.max(...each.map((m) => m.peak)), heap: heap?.used ?? NaN, heapPeak: peak || NaN, stored, alive };
}

console.log(
  `soak: ${MINUTES} min of mixed load on ${HOST === "miniflare" ? "Miniflare" : "wrangler dev"} (workerd pid ${pids.join(", ")}; RSS is their sum), ` +
    `${CONCURRENCY} lifecycle loops, ${SUBSCRIBERS} subscribers kept open, memory every ${INTERVAL_S} s, Node ${process.version}`,
);
const started = Date.now();
const deadline = started + MINUTES * 60_000;
const { tallies, done } = await driveLoad({ api: `${server.url}/api`, deadline, concurrency: CONCURRENCY, keepSubscribers: SUBSCRIBERS, only: ONLY });

const columns = ["t (s)", "RSS MB", "stored MB", "heap MB", "heap peak", "requests", "req/s", "2xx", "4xx", "5xx", "unanswered", "sockets", "open", "health"];
console.log(columns.map((h) => h.padStart(10)).join(" "));
console.log(
  "(stored: the local D1 and Durable Object files, which workerd's SQLite keeps in the same process; heap: the worker isolate's JS heap " +
    `after a full collection, the least of ${HEAP_READINGS} a second apart; heap peak: the most in use, garbage included, since the last row)`,
);
const samples = [];
let lastRequests = 0;
let lastAt = started;
async function row() {
  const m = await sample();
  const all = Object.values(tallies);
  const sum = (f) => all.reduce((n, t) => n + f(t), 0);
  const requests = sum((t) => t.requests);
  const now = Date.now();
  const cells = [
    ((now - started) / 1000).toFixed(0),
    MB(m.rss),
    Number.isNaN(m.stored) ? "—" : MB(m.stored),
    Number.isNaN(m.heap) ? "—" : MB(m.heap),
    Number.isNaN(m.heapPeak) ? "—" : MB(m.heapPeak),
    requests,
    ((requests - lastRequests) / ((now - lastAt) / 1000)).toFixed(0),
    sum((t) => t.byStatus["2xx"] ?? 0),
    sum((t) => t.byStatus["4xx"] ?? 0),
    sum((t) => t.byStatus["5xx"] ?? 0),
    sum((t) => t.failures),
    sum((t) => t.socketsOpened),
    sum((t) => t.socketsOpen),
    m.alive ? "ok" : "DOWN",
  ];
  console.log(cells.map((c) => String(c).padStart(10)).join(" "));
  samples.push({ ...m, t: (now - started) / 1000 });
  lastRequests = requests;
  lastAt = now;
}
await row(); // before any load: not part of the verdict
while (Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, Math.min(INTERVAL_S * 1000, deadline - Date.now())));
  await row();
}
await done;
polling = false;

for (const [name, t] of Object.entries(tallies)) {
  const statuses = Object.entries(t.byStatus).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(`  ${name.padEnd(10)} ${String(t.requests).padStart(7)} requests (${statuses || "none"}), ${t.failures} unanswered${t.lastFailure ? ` (last: ${t.lastFailure})` : ""}, ${t.socketsOpened} sockets`);
}
const serverErrors = Object.values(tallies).flatMap((t) => [...t.serverErrors]);
if (serverErrors.length) console.log(`  5xx answers: ${serverErrors.map(([what, n]) => `${what} ×${n}`).join(", ")}`);

// Verdict: the median of the last third of the samples under load against the median of the first
// third, for the isolate's heap floor: what production bounds (128 MB an isolate). workerd's RSS is
// shown beside it, not judged: locally the same process also holds D1's and the Durable Objects'
// SQLite (in production separate services), which grows with what the soak stores.
const loaded = samples.slice(1);
const third = Math.max(1, Math.floor(loaded.length / 3));
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const growth = (key) => median(loaded.slice(-third).map((s) => s[key])) / median(loaded.slice(0, third).map((s) => s[key]));
const rssGrowth = growth("rss");
const storedGrowth = growth("stored");
const heapGrowth = growth("heap");
const LEVEL = 1.1;
const alive = samples.every((s) => s.alive);
const maxOf = (key) => Math.max(...loaded.map((s) => s[key]).filter((x) => !Number.isNaN(x)));
console.log(
  `largest: RSS ${MB(maxOf("rss"))} MB (one process's high-water mark ${MB(maxOf("hwm"))} MB), heap after collection ${MB(maxOf("heap"))} MB, ` +
    `heap in use ${MB(maxOf("heapPeak"))} MB; health ${alive ? "answered at every sample" : "NOT ANSWERED at some sample"}`,
);
console.log(`workerd processes at the end: ${pids.map((pid) => `pid ${pid} ${MB(rss(pid).rss)} MB`).join(", ")}`);
const ratio = (x) => (Number.isNaN(x) ? "—" : `${x.toFixed(2)}×`);
const levelled = alive && heapGrowth < LEVEL;
console.log(
  `verdict: median of the last third / of the first third: heap ${ratio(heapGrowth)} → ` +
    (levelled ? `levelled off (under ${LEVEL}×)` : `NOT levelled off (limit ${LEVEL}×${alive ? "" : "; the server stopped answering"})`) +
    `; for reference RSS ${ratio(rssGrowth)} while the stored data grew ${ratio(storedGrowth)}`,
);
isolate?.close();
await server.stop();
process.exit(levelled ? 0 : 1);
