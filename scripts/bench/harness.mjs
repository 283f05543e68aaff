// Shared benchmark machinery: build the worker, host it in Miniflare, drive load, print numbers.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Bundles src/ exactly as `wrangler deploy` would (dry run, offline). */
export function buildWorker() {
  // The bundle only: an empty directory stands in for wrangler.toml's [assets] (the built UI, ui/dist).
  const noAssets = mkdtempSync(path.join(tmpdir(), "no-assets-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", "dist", "--assets", noAssets], { cwd: ROOT, stdio: "ignore" });
  } finally {
    rmSync(noAssets, { recursive: true, force: true });
  }
  return path.join(ROOT, "dist", "index.js");
}

const COMPAT = { compatibilityDate: "2026-04-20", compatibilityFlags: ["nodejs_compat"] };

/** Every Durable Object class the worker binds (wrangler.toml), SQLite-backed. */
export const DURABLE_OBJECTS = Object.fromEntries(
  [
    ["SLOT_LEDGER", "SlotLedger"],
    ["CONCURRENCY_LIMIT", "ConcurrencyLimit"],
    ["EVENT_STREAM", "EventStream"],
    ["TASK_RUN_QUEUE", "TaskRunQueue"],
    ["RUN_TURNS", "RunTurns"],
    ["AUTOMATION_TRIGGERS", "AutomationTriggers"],
  ].map(([binding, className]) => [binding, { className, useSQLite: true }]),
);

/** wrangler.toml's automation actions queue and its dead-letter queue, producer and consumers. */
const AUTOMATION_QUEUES = {
  queueProducers: { AUTOMATION_ACTIONS: "prefect-automation-actions" },
  queueConsumers: {
    "prefect-automation-actions": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 5, retryDelay: 1, deadLetterQueue: "prefect-automation-actions-dlq" },
    "prefect-automation-actions-dlq": { maxBatchSize: 10, maxBatchTimeout: 1 },
  },
};

/**
 * Our worker in one workerd process with local D1 + Durable Objects and the migrations applied.
 * `d1Persist`: a directory to keep the D1 database in as a SQLite file (default: in memory).
 */
export async function startWorker(scriptPath, { durableObjects = DURABLE_OBJECTS, bindings = {}, d1Persist } = {}) {
  const mf = new Miniflare({
    ...(d1Persist ? { d1Persist } : {}),
    scriptPath,
    modules: true,
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    ...COMPAT,
    d1Databases: ["DB"],
    durableObjects,
    bindings: { COUNT_D1_ROUND_TRIPS: "1", ...bindings },
    ...AUTOMATION_QUEUES,
    port: 0,
  });
  const url = await mf.ready;
  const db = await mf.getD1Database("DB");
  await applyMigrations(db);
  return { mf, url: url.href.replace(/\/$/, ""), db };
}

export async function startBaseline() {
  const mf = new Miniflare({
    scriptPath: path.join(ROOT, "scripts", "bench", "baseline-worker.js"),
    modules: true,
    ...COMPAT,
    d1Databases: ["DB"],
    port: 0,
  });
  const url = await mf.ready;
  const db = await mf.getD1Database("DB");
  await db.prepare("CREATE TABLE bench_row (id TEXT PRIMARY KEY, created TEXT NOT NULL, value TEXT)").run();
  return { mf, url: url.href.replace(/\/$/, ""), db };
}

export async function applyMigrations(db) {
  const dir = path.join(ROOT, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    const statements = readFileSync(path.join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const stmt of statements) await db.prepare(stmt).run();
  }
}

/**
 * Runs `op(i)` from `concurrency` loops for `seconds`, or until `total` ops ran.
 * `op` returns the response; its `x-d1-round-trips` header (on the requests sampled by post()) is averaged.
 */
export async function load({ concurrency, seconds = 5, total = Infinity, op }) {
  const latencies = [];
  let next = 0;
  let roundTrips = 0;
  let counted = 0;
  let errors = 0;
  // Throughput is measured in steady state: the requests completed between the first completion
  // (before it, every loop is still on its first request) and the deadline (after it, loops
  // wind down with fewer requests in flight).
  let inWindow = 0;
  let firstDone = Infinity;
  let lastDone = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  async function loop() {
    while (performance.now() < deadline && next < total) {
      const i = next++;
      const t0 = performance.now();
      const out = await op(i);
      // An op is one request, or a sequence of timed requests ({ res, ms, at? }[]) that must stay
      // in order; `at` is when each completed (else when the op did).
      const doneAt = performance.now();
      const timed = Array.isArray(out) ? out : [{ res: out, ms: doneAt - t0 }];
      for (const { res, ms, at = doneAt } of timed) {
        latencies.push(ms);
        if (at <= deadline) {
          inWindow += 1;
          firstDone = Math.min(firstDone, at);
          lastDone = Math.max(lastDone, at);
        }
        if (!res.ok) errors += 1;
        const rt = res.headers.get("x-d1-round-trips");
        if (rt !== null) {
          roundTrips += Number(rt);
          counted += 1;
        }
        await res.arrayBuffer();
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const windowEnd = next < total ? deadline : lastDone; // a load that ran out of work ends early
  const steady = windowEnd > firstDone ? { inWindow: inWindow - 1, from: firstDone } : { inWindow, from: started };
  return summarize({ latencies, inWindow: steady.inWindow, elapsed: (windowEnd - steady.from) / 1000, errors, roundTrips, counted });
}

function summarize({ latencies, inWindow, elapsed, errors, roundTrips, counted }) {
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    ops: latencies.length,
    rps: inWindow / elapsed,
    p50: pct(50),
    p99: pct(99),
    errors,
    d1: counted ? roundTrips / counted : null,
    raw: { latencies, inWindow, elapsed, errors, roundTrips, counted },
  };
}

const SETTLE_MS = 300;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measures `op(i)` against baseline operations in alternating windows — `rounds` times each
 * baseline then `op`, `seconds / rounds` each — so that drift on a shared machine weighs on both
 * alike. Returns `op`'s statistics over all its windows and, per baseline, the median of the
 * rounds' throughput ratios (printRow prints those). `i` counts on across rounds, up to `total`.
 * Windows must be long against the operation's latency (bench-pools' 64-worker polls are not).
 */
export async function compare({ concurrency, seconds, rounds = 5, total = Infinity, op, baselines }) {
  const window = seconds / rounds;
  const ratios = Object.fromEntries(Object.keys(baselines).map((k) => [k, []]));
  const raw = { latencies: [], inWindow: 0, elapsed: 0, errors: 0, roundTrips: 0, counted: 0 };
  let cursor = 0;
  for (let round = 0; round < rounds && cursor < total; round++) {
    const base = {};
    for (const [name, baseOp] of Object.entries(baselines)) base[name] = await load({ concurrency, seconds: window, op: baseOp });
    const r = await load({ concurrency, seconds: window, total: total - cursor, op: () => op(cursor++) });
    // Work the server does after answering (waitUntil) must not spill into the next baseline window.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    for (const name of Object.keys(baselines)) ratios[name].push(r.rps / base[name].rps);
    raw.latencies.push(...r.raw.latencies);
    raw.inWindow += r.raw.inWindow;
    raw.elapsed += r.raw.elapsed;
    raw.errors += r.raw.errors;
    raw.roundTrips += r.raw.roundTrips;
    raw.counted += r.raw.counted;
  }
  if (process.env.BENCH_DEBUG) console.log("ratios per round", JSON.stringify(ratios)); // BENCH_DEBUG=1 shows the spread
  return { ...summarize(raw), ratios: Object.fromEntries(Object.entries(ratios).map(([k, xs]) => [k, median(xs)])) };
}

/** Sends requests one after another, timing each. */
export async function sequence(requests) {
  const out = [];
  for (const send of requests) {
    const t0 = performance.now();
    const res = await send();
    out.push({ res, ms: performance.now() - t0, at: performance.now() });
    await res.clone().arrayBuffer();
  }
  return out;
}

/** One request in this many asks the worker to count its D1 round trips (counting costs CPU). */
const ROUND_TRIP_SAMPLE = 16;

export function post(url, body) {
  const headers = { "content-type": "application/json" };
  if (Math.random() < 1 / ROUND_TRIP_SAMPLE) headers["x-count-d1-round-trips"] = "1";
  return fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
}

/** Prints a result with its throughput as a ratio to each baseline (compare()'s medians when present). */
export function printRow(name, r, baselines) {
  const ratios = Object.entries(r.ratios ?? Object.fromEntries(Object.entries(baselines).map(([k, b]) => [k, r.rps / b.rps])))
    .map(([k, ratio]) => `${ratio.toFixed(2)}× ${k}`)
    .join(", ");
  const d1 = r.d1 === null ? "" : ` d1 round trips/req ${r.d1.toFixed(2)}`;
  console.log(
    `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms${d1}  errors ${r.errors}  (${ratios})`,
  );
}
