#!/usr/bin/env node
// Automations engine benchmark (prints numbers; not a test). Hosts the built worker in Miniflare.
//
// 1. Ingest through /events/in — WebSockets sending one event per message, as the SDK's
//    emit_event does — with no automations, with 100 enabled automations none of which matches,
//    and with 100 of which 10 match every event (counting towards a threshold never reached, so
//    evaluation is measured, not actions). Events stored per second, and the worker's CPU time
//    per event until it is idle again (routing and evaluation included); each configuration runs in
//    --rounds rounds alternating with the others, its ratio the median of the rounds' ratios to
//    the no-automation rate (target: 100 not matching ≥ 0.8×).
// 2. Reactive latency, from the time each event was sent: to its automation's firing
//    (`prefect.automation.triggered`'s `occurred`), to the action's start (its call-webhook request
//    reaching a server here; `action.triggered` carries the firing's time, as Prefect's), and to
//    `action.executed`; p50/p99 over --latency events sent one at a time, --interval ms apart
//    (target: action start p99 < 1 s). Sent faster than the local queue consumer runs actions
//    (one batch at a time in Miniflare), they wait in the queue.
// 3. Proactive: `after` events open windows of `within` 10 s in which the expected event never
//    comes; each firing's delay after its `after` event (target: within + 5 s).
//
//   node scripts/bench-automations.mjs [--events 4000] [--sockets 4] [--rounds 3] [--latency 200] [--interval 200] [--proactive 5]
import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import WebSocket from "ws";
import { buildWorker, post, startWorker } from "./bench/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg("events", 4000);
const SOCKETS = arg("sockets", 4);
const ROUNDS = arg("rounds", 3);
const LATENCY_EVENTS = arg("latency", 200);
const PROACTIVE = arg("proactive", 5);
const INTERVAL_MS = arg("interval", 200);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const worker = await startWorker(buildWorker());
const api = `${worker.url}/api`;
const wsBase = `${worker.url.replace(/^http/, "ws")}/api`;

async function openSocket(path) {
  const socket = new WebSocket(`${wsBase}${path}`, ["prefect"]);
  const messages = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    socket.on("open", resolve);
    socket.on("error", reject);
  });
  socket.send(JSON.stringify({ type: "auth", token: null }));
  while (!messages.some((m) => m.type === "auth_success")) await sleep(5);
  return { socket, messages };
}

let sent = 0;
function benchEvent(name = `bench.event.${sent % 10}`, resource = `bench.resource.${sent}`) {
  sent++;
  return {
    id: crypto.randomUUID(),
    occurred: new Date().toISOString(),
    event: name,
    resource: { "prefect.resource.id": resource, "prefect.resource.name": `resource ${sent}` },
    related: [
      { "prefect.resource.id": `prefect.flow.${crypto.randomUUID()}`, "prefect.resource.role": "flow" },
      { "prefect.resource.id": "prefect.tag.bench", "prefect.resource.role": "tag" },
    ],
    payload: { n: sent },
  };
}

// ---- automation sets ----

const reactive = (overrides) => ({ type: "event", match: {}, match_related: [], after: [], expect: [], for_each: [], posture: "Reactive", threshold: 1, within: 0, ...overrides });

/** Enabled automations none of which concerns a bench event: as users write them (kinds mixed). */
function notMatching(i) {
  const kinds = [
    // The bench events' names, another resource: each event is checked against these in full.
    () => reactive({ expect: [`bench.event.${i % 10}`], match: { "prefect.resource.id": `other.resource.${i}` } }),
    // Failure alerts on runs of a flow that sends nothing here.
    () => reactive({ expect: ["prefect.flow-run.Failed", "prefect.flow-run.Crashed"], match_related: { "prefect.resource.role": "flow", "prefect.resource.id": `prefect.flow.${crypto.randomUUID()}` } }),
    // A glob on other events.
    () => reactive({ expect: [`prefect.work-queue.*`], match: { "prefect.resource.name": `queue-${i}` } }),
    // Proactive: a run that does not complete within an hour of starting.
    () => ({ ...reactive({ after: ["prefect.flow-run.Running"], expect: ["prefect.flow-run.Completed"], for_each: ["prefect.resource.id"], within: 3600 }), posture: "Proactive" }),
  ];
  return kinds[i % kinds.length]();
}

/** Matching every bench event, counting towards a threshold never reached. */
const matching = (i) => reactive({ expect: ["bench.event.*"], match: { "prefect.resource.id": "bench.resource.*" }, for_each: i % 2 ? ["prefect.resource.id"] : [], threshold: 1_000_000, within: 3600 });

/** A block document of a system block type (as a client saves a block); its id. */
async function saveBlock(slug, data) {
  const type = await (await fetch(`${api}/block_types/slug/${slug}`)).json();
  const [schema] = await (await post(`${api}/block_schemas/filter`, { block_schemas: { block_type_id: { any_: [type.id] } } })).json();
  const doc = await post(`${api}/block_documents/`, { name: `bench-${slug}`, data, block_type_id: type.id, block_schema_id: schema.id });
  if (doc.status !== 201) throw new Error(`saving a ${slug} block: ${doc.status} ${await doc.text()}`);
  return (await doc.json()).id;
}

const created = [];
async function createAutomation(trigger, actions = [{ type: "do-nothing" }], name = `bench-${created.length}`) {
  const res = await post(`${api}/automations/`, { name, trigger, actions });
  if (res.status !== 201) throw new Error(`creating an automation: ${res.status} ${await res.text()}`);
  const body = await res.json();
  created.push(body.id);
  return body;
}
async function deleteAll() {
  for (const id of created.splice(0)) await fetch(`${api}/automations/${id}`, { method: "DELETE" });
}
async function useAutomations(kind) {
  await deleteAll();
  if (kind === "none") return;
  const matches = kind === "10 matching" ? 10 : 0;
  for (let i = 0; i < 100; i++) await createAutomation(i < matches ? matching(i) : notMatching(i));
}
/** Stores the automations' lifecycle events (read requests drain the event outbox first), so no run pays for another's. */
const settle = () => post(`${api}/events/filter`, { limit: 1 }).then((r) => r.arrayBuffer());

// ---- 1. ingest ----

/**
 * CPU time (ms) the workerd processes Miniflare started have used: on a shared machine, a run's
 * wall time depends on its neighbours, its CPU time much less.
 */
function workerCpuMs() {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid || !stat.includes("(workerd)")) continue;
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10; // USER_HZ = 100
}

/** Sends EVENTS events over SOCKETS sockets at once; events stored per second (until the last one is readable). */
async function ingestRate() {
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => openSocket("/events/in")));
  const perSocket = Math.ceil(EVENTS / SOCKETS);
  const batches = sockets.map(() => Array.from({ length: perSocket }, () => benchEvent()));
  const lastIds = batches.map((b) => b[b.length - 1].id);
  const cpu0 = workerCpuMs();
  const t0 = performance.now();
  sockets.forEach(({ socket }, k) => batches[k].forEach((e) => socket.send(JSON.stringify(e))));
  // Each socket's events are stored in the order sent: its last one stored, all are.
  const check = worker.db.prepare(`SELECT count(*) AS n FROM event WHERE id IN (${lastIds.map(() => "?").join(",")})`).bind(...lastIds);
  for (;;) {
    if ((await check.first()).n === lastIds.length) break;
    if (performance.now() - t0 > 120_000) throw new Error("ingest: events not stored within 120 s");
    await sleep(10);
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const { socket } of sockets) socket.close(1000);
  // What the events set going after they were stored (routing, evaluation) counts in their CPU
  // time, and must not spill into the next run.
  await quiesce();
  const events = perSocket * SOCKETS;
  return { rate: events / seconds, cpuPerEvent: (workerCpuMs() - cpu0) / events };
}

/** Waits until the worker is idle: under 10% of a core over a quarter second (at most a minute). */
async function quiesce() {
  const until = Date.now() + 60_000;
  for (;;) {
    const before = workerCpuMs();
    await sleep(250);
    if (workerCpuMs() - before < 25 || Date.now() > until) return;
  }
}

console.log(`bench-automations: ${EVENTS} events over ${SOCKETS} /events/in sockets per run, ${ROUNDS} rounds, Node ${process.version}`);
const configs = ["none", "100 not matching", "10 matching"];
const runs = Object.fromEntries(configs.map((c) => [c, []]));
await useAutomations("none");
if (ROUNDS) await ingestRate(); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const config of configs) {
    await useAutomations(config);
    await settle();
    runs[config].push(await ingestRate());
  }
}
await deleteAll();
for (const config of ROUNDS ? configs : []) {
  const ratios = runs[config].map((r, i) => r.rate / runs.none[i].rate);
  const cpuRatios = runs[config].map((r, i) => runs.none[i].cpuPerEvent / r.cpuPerEvent);
  const label = config === "none" ? "no automations" : config === "10 matching" ? "100 automations, 10 matching" : "100 automations, none matching";
  console.log(
    `ingest, ${label.padEnd(32)} ${median(runs[config].map((r) => r.rate)).toFixed(0).padStart(6)} events/s (${median(ratios).toFixed(2)}× no automations)` +
      `  worker CPU ${median(runs[config].map((r) => r.cpuPerEvent)).toFixed(2)} ms/event (rate by CPU ${median(cpuRatios).toFixed(2)}×)`,
  );
}

// ---- 2. reactive latency, 3. proactive ----
if (!LATENCY_EVENTS) {
  await worker.mf.dispose();
  process.exit(0);
}

/** Engine events seen on /events/out: name, occurred (ms), the event they follow from. */
const engineEvents = [];
const out = await openSocket("/events/out");
out.socket.on("message", (data) => {
  const m = JSON.parse(String(data));
  if (m.type !== "event") return;
  const e = m.event;
  const triggering = (e.related ?? []).find((r) => r["prefect.resource.role"] === "triggering-event")?.["prefect.resource.id"]?.replace("prefect.event.", "");
  engineEvents.push({ event: e.event, occurred: Date.parse(e.occurred), automation: e.resource["prefect.resource.id"], triggering, received: Date.now() });
});
out.socket.send(JSON.stringify({ type: "filter", filter: { event: { prefix: ["prefect.automation."] }, occurred: { since: new Date().toISOString(), until: new Date(Date.now() + 86_400_000).toISOString() } }, backfill: false }));
await sleep(500);

await quiesce();
// The action calls a webhook served here: its request arriving is the action's start.
const hookArrivals = new Map();
const hookServer = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    hookArrivals.set(body.trim(), Date.now());
    res.end("ok");
  });
});
await new Promise((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
const hookBlock = await saveBlock("webhook", { method: "POST", url: `http://127.0.0.1:${hookServer.address().port}/hook` });
const latencyAutomation = await createAutomation(reactive({ expect: ["bench.latency"], match: { "prefect.resource.id": "bench.latency.*" } }), [
  { type: "call-webhook", block_document_id: hookBlock, payload: "{{ event.id }}" },
]);
const { socket } = await openSocket("/events/in");
const sentAt = new Map();
for (let i = 0; i < LATENCY_EVENTS; i++) {
  const e = benchEvent("bench.latency", `bench.latency.${i}`);
  sentAt.set(e.id, Date.parse(e.occurred));
  socket.send(JSON.stringify(e));
  await sleep(INTERVAL_MS);
}
const deadline = Date.now() + 10_000;
const firingsOf = () => engineEvents.filter((e) => e.event === "prefect.automation.triggered" && e.automation === `prefect.automation.${latencyAutomation.id}`);
const actionsDone = () => engineEvents.filter((e) => e.event === "prefect.automation.action.executed" || e.event === "prefect.automation.action.failed");
while ((firingsOf().length < LATENCY_EVENTS || actionsDone().length < LATENCY_EVENTS) && Date.now() < deadline) await sleep(100);
const report = (label, events) => {
  const delays = events.filter((e) => sentAt.has(e.triggering)).map((e) => e.occurred - sentAt.get(e.triggering));
  if (!delays.length) return console.log(`${label.padEnd(44)} none seen (not implemented yet?)`);
  console.log(`${label.padEnd(44)} p50 ${pct(delays, 50).toFixed(0)} ms  p99 ${pct(delays, 99).toFixed(0)} ms  (${delays.length}/${LATENCY_EVENTS})`);
};
report("reactive: event → automation.triggered", firingsOf());
report("reactive: event → action start (webhook called)", [...hookArrivals].map(([id, at]) => ({ triggering: id, occurred: at })));
const finished = actionsDone();
report(`reactive: event → action ${finished.some((e) => e.event.endsWith("failed")) ? "failed (!)" : "executed"}`, finished);
hookServer.close();
socket.close(1000);

await quiesce();
if (!PROACTIVE) {
  out.socket.close(1000);
  await worker.mf.dispose();
  process.exit(0);
}
const WITHIN = 10;
const proactive = await createAutomation({
  ...reactive({ after: ["bench.proactive.start"], expect: ["bench.proactive.done"], for_each: ["prefect.resource.id"], within: WITHIN }),
  posture: "Proactive",
});
const starts = new Map();
const { socket: proactiveSocket } = await openSocket("/events/in");
for (let i = 0; i < PROACTIVE; i++) {
  const e = benchEvent("bench.proactive.start", `bench.proactive.${i}`);
  starts.set(e.id, Date.parse(e.occurred));
  proactiveSocket.send(JSON.stringify(e));
}
const proactiveFirings = () => engineEvents.filter((e) => e.event === "prefect.automation.triggered" && e.automation === `prefect.automation.${proactive.id}`);
const proactiveDeadline = Date.now() + (WITHIN + 30) * 1000;
while (proactiveFirings().length < PROACTIVE && Date.now() < proactiveDeadline) await sleep(200);
const delays = proactiveFirings().filter((e) => starts.has(e.triggering)).map((e) => (e.occurred - starts.get(e.triggering)) / 1000);
console.log(
  delays.length
    ? `proactive (within ${WITHIN} s): fired after ${delays.map((d) => d.toFixed(1)).join(", ")} s (target ≤ ${WITHIN + 5} s; ${delays.length}/${PROACTIVE})`
    : `proactive (within ${WITHIN} s): no firing seen within ${WITHIN + 30} s (not implemented yet?)`,
);
proactiveSocket.close(1000);
out.socket.close(1000);
await deleteAll();
await worker.mf.dispose();
