// The soak benchmark's load: loops that each drive one kind of traffic until a deadline, counting
// what they sent and how it was answered.
import http from "node:http";
import WebSocket from "ws";

const json = (body) => ({ method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const pick = (xs, i) => xs[i % xs.length];
const uuid = () => crypto.randomUUID();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Request and socket counts by kind, and answers by status class. */
export class Tally {
  requests = 0;
  byStatus = {};
  failures = 0;
  socketsOpened = 0;
  socketsOpen = 0;
  lastFailure = null;

  /** "METHOD /path" of the 5xx answers, with their counts. */
  serverErrors = new Map();

  count(status, what) {
    this.requests += 1;
    if (status >= 500) this.serverErrors.set(what, (this.serverErrors.get(what) ?? 0) + 1);
    const cls = `${String(status)[0]}xx`;
    this.byStatus[cls] = (this.byStatus[cls] ?? 0) + 1;
  }

  failed(err) {
    this.failures += 1;
    this.lastFailure = String(err?.cause?.code ?? err?.message ?? err);
  }
}

/**
 * wrangler dev's proxy answers 503 "Your worker restarted mid-request" whenever its connection to
 * workerd fails under a non-GET request (restart or not: it compares the request's URL with the
 * worker's bare origin), e.g. when workerd closed a keep-alive connection idle for 5 s while its
 * one thread was busy, with the request the proxy had just sent on it. The worker never saw that
 * request: it is counted as unanswered (dropped by the local runtime), not as the server's 5xx.
 */
const DROPPED_BY_DEV_PROXY = "dropped: wrangler's proxy lost its connection to workerd";
const isDroppedByDevProxy = (status, text) => status === 503 && text.startsWith("Your worker restarted mid-request.");

/** One request: its status counted, its body read (and parsed when asked). */
async function call(tally, url, init, parse = false) {
  const t0 = Date.now();
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    if (isDroppedByDevProxy(res.status, text)) {
      if (process.env.SOAK_DEBUG) console.log(new Date().toISOString(), "dropped (wrangler's proxy lost workerd's connection)", init.method, url, "after", Date.now() - t0, "ms");
      tally.failed(new Error(DROPPED_BY_DEV_PROXY));
      return null;
    }
    tally.count(res.status, `${init.method} ${new URL(url).pathname}`);
    if (process.env.SOAK_DEBUG && res.status >= 400) console.log(new Date().toISOString(), "answered", res.status, init.method, url, "after", Date.now() - t0, "ms:", text.slice(0, 200));
    return parse && res.ok ? JSON.parse(text) : null;
  } catch (err) {
    if (process.env.SOAK_DEBUG) console.log(new Date().toISOString(), "unanswered", init.method, url, String(err?.cause ?? err), "after", Date.now() - t0, "ms");
    tally.failed(err);
    return null;
  }
}

/**
 * A hostile request on a connection of its own: the server may close a connection whose body it
 * refused unread (413), which must not break the other loops' pooled keep-alive connections.
 */
const ownConnection = new http.Agent({ keepAlive: false });
async function callAlone(tally, url, init) {
  try {
    const [status, text] = await new Promise((resolve, reject) => {
      const req = http.request(url, { method: init.method, headers: init.headers ?? {}, agent: ownConnection }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve([res.statusCode, text]));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(init.body);
    });
    if (isDroppedByDevProxy(status, text)) return tally.failed(new Error(DROPPED_BY_DEV_PROXY));
    tally.count(status, `${init.method} ${new URL(url).pathname}`);
  } catch (err) {
    tally.failed(err);
  }
}

/** The run a lifecycle loop created last (subscribers follow it). */
let lastRunId = crypto.randomUUID();

const PARAMETERS = { rows: Array.from({ length: 20 }, (_, i) => ({ i, label: `row-${i}`, payload: "p".repeat(32) })) };

/** A flow run's life as the SDK drives it: created, PENDING, RUNNING, three task runs, logs, COMPLETED. */
async function lifecycle(api, tally, flowId) {
  const run = await call(tally, `${api}/flow_runs/`, json({ flow_id: flowId, parameters: PARAMETERS, tags: ["soak"], state: { type: "SCHEDULED" } }), true);
  if (!run) return;
  lastRunId = run.id;
  for (const type of ["PENDING", "RUNNING"]) await call(tally, `${api}/flow_runs/${run.id}/set_state`, json({ state: { type } }));
  for (let t = 0; t < 3; t++) {
    const task = await call(
      tally,
      `${api}/task_runs/`,
      json({ flow_run_id: run.id, task_key: `task-${t}`, dynamic_key: String(t), name: `task-${t}`, state: { type: "PENDING" } }),
      true,
    );
    if (!task) continue;
    for (const type of ["RUNNING", "COMPLETED"]) await call(tally, `${api}/task_runs/${task.id}/set_state`, json({ state: { type } }));
  }
  const now = new Date().toISOString();
  const logs = Array.from({ length: 20 }, (_, i) => ({ name: "soak", level: 20, message: `line ${i} ${"m".repeat(80)}`, timestamp: now, flow_run_id: run.id }));
  await call(tally, `${api}/logs/`, json(logs));
  await call(tally, `${api}/flow_runs/${run.id}/set_state`, json({ state: { type: "COMPLETED" } }));
}

const FILTERS = [
  ["flow_runs/filter", { flow_runs: { state: { type: { any_: ["COMPLETED", "RUNNING"] } } }, sort: "EXPECTED_START_TIME_DESC", limit: 50 }],
  ["flow_runs/count", { flow_runs: { tags: { all_: ["soak"] } } }],
  ["flow_runs/paginate", { page: 2, limit: 20 }],
  ["task_runs/filter", { task_runs: { state: { type: { any_: ["COMPLETED"] } } }, limit: 100 }],
  ["logs/filter", { logs: { level: { ge_: 20 } }, sort: "TIMESTAMP_DESC", limit: 200 }],
  ["events/filter", { filter: { event: { prefix: ["prefect.flow-run."] } }, limit: 50 }],
  ["flows/filter", { limit: 10 }],
  ["ui/flow_runs/history", { history_start: new Date(Date.now() - 3_600_000).toISOString(), history_end: new Date().toISOString(), history_interval_seconds: 300 }],
];

async function filters(api, tally, i) {
  const [path, body] = pick(FILTERS, i);
  await call(tally, `${api}/${path}`, json(body));
}

function clientEvent(i, name = "soak.client.ping") {
  return {
    id: uuid(),
    occurred: new Date().toISOString(),
    event: name,
    resource: { "prefect.resource.id": `soak.thing.${i % 100}`, "prefect.resource.name": "thing" },
    related: [{ "prefect.resource.id": `soak.related.${i % 7}`, "prefect.resource.role": "helper" }],
    payload: { i, text: "e".repeat(200) },
  };
}

/** Events sent by clients: POST /events batches, and /events/in sockets that send some and leave. */
async function eventsIn(api, ws, tally, i) {
  if (i % 4 !== 0) {
    await call(tally, `${api}/events`, json(Array.from({ length: 20 }, (_, k) => clientEvent(i * 20 + k))));
    return;
  }
  const socket = await openSocket(`${ws}/events/in`, tally);
  if (!socket) return;
  socket.send(JSON.stringify({ type: "auth", token: null }));
  for (let k = 0; k < 50; k++) socket.send(JSON.stringify(clientEvent(i * 50 + k)));
  await sleep(200);
  i % 8 === 0 ? socket.terminate() : socket.close(1000);
  tally.socketsOpen -= 1;
}

function openSocket(url, tally) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, ["prefect"]);
    socket.on("open", () => {
      tally.socketsOpened += 1;
      tally.socketsOpen += 1;
      resolve(socket);
    });
    socket.on("error", (err) => {
      tally.failed(err);
      resolve(null);
    });
    socket.on("message", () => {});
  });
}

/**
 * /events/out and /logs/out subscribers: up to `keep` stay open at a time, each new one replacing
 * a random one, which is closed properly, dropped without a close (the TCP connection cut), or
 * left before it ever sent its filter. Some never read what they are sent.
 */
async function subscribers(ws, tally, i, open, keep) {
  const kind = i % 3 === 0 ? "logs" : "events";
  const socket = await openSocket(`${ws}/${kind}/out`, tally);
  if (socket) {
    socket.send(JSON.stringify({ type: "auth", token: null }));
    if (i % 10 !== 0) {
      // As the UI and automations subscribe: to one run's events (with its backfill), to every
      // state change or client event from now on, or to warnings and errors.
      const [filter, backfill] =
        kind === "logs"
          ? [{ level: { ge_: 30 } }, false]
          : pick(
              [
                [{ any_resource: { id: [`prefect.flow-run.${lastRunId}`] } }, true],
                [{ event: { prefix: ["prefect.flow-run."] } }, false],
                [{ event: { prefix: ["soak.client."] } }, false],
              ],
              i,
            );
      socket.send(JSON.stringify({ type: "filter", filter, backfill }));
    }
    if (i % 5 === 0) socket.pause(); // a subscriber that stops reading
    open.push(socket);
  }
  while (open.length > keep) {
    const [victim] = open.splice(Math.floor(Math.random() * open.length), 1);
    pick([() => victim.close(1000), () => victim.terminate()], i)();
    tally.socketsOpen -= 1;
  }
  await sleep(50);
}

const deep = (n) => "[".repeat(n) + "]".repeat(n);
const deepObject = (n) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

/** Bodies the server must refuse with a 4xx (but the last), one kind after another. */
const HOSTILE = [
  (api, flowId) => [`${api}/flow_runs/`, json({ flow_id: flowId, parameters: { blob: "x".repeat(3 << 20) } })],
  (api) => [`${api}/flows/`, json({ name: "y".repeat(1 << 20) })],
  (api) => [`${api}/flow_runs/filter`, json({ flow_runs: { id: { any_: Array.from({ length: 10_000 }, uuid) } } })],
  (api) => [`${api}/flow_runs/filter`, json(`{"flow_runs": ${deep(10_000)}}`)],
  (api, flowId) => [`${api}/flow_runs/`, json(`{"flow_id": "${flowId}", "parameters": ${deepObject(5_000)}}`)],
  (api) => [`${api}/flows/`, json(`{"name": "${"z".repeat(1 << 20)}`)], // invalid JSON, 1 MB
  (api) => [`${api}/logs/`, json(Array.from({ length: 20_000 }, () => ({ name: "x", level: "not a level", message: "m".repeat(50), timestamp: "nope" })))],
  (api) => [`${api}/task_runs/`, { method: "POST", body: JSON.stringify({ name: "no content type" }) }],
  (api) => [`${api}/ui/schemas/validate`, json({ schema: JSON.parse(deepObject(2_000).replace(/"a"/g, '"properties"')), values: {} })],
  // 5 MB of events, named so that no subscriber streams them (they would only measure the client).
  (api) => [`${api}/events`, json(Array.from({ length: 5_000 }, (_, i) => ({ ...clientEvent(i, "soak.hostile.bulk"), payload: { big: "b".repeat(1_000) } })))],
  (api) => [`${api}/variables/`, json({ name: "soak", value: { nested: JSON.parse(deep(900)) } })],
  (api) => [`${api}/flows/`, json("x".repeat(8 << 20))], // 8 MB of nothing
  // Large but valid: 6 MB of logs (a Prefect client posts up to 4 MB).
  (api) => [`${api}/logs/`, json(Array.from({ length: 36_000 }, (_, i) => ({ name: "soak.big", level: 20, message: `big ${i} ${"m".repeat(100)}`, timestamp: new Date().toISOString() })))],
];

/**
 * Hostile bodies for every operation of the OpenAPI document that takes one: each of its
 * properties in turn given a 1 MB string, a 10 000-element list or a 1 500-deep value, and the
 * whole body sent without a Content-Type — the no-500 tests' inputs, at volume.
 */
async function operationBodies(api) {
  const doc = await (await fetch(`${api}/openapi.json`)).json();
  const resolve = (schema) => (schema?.$ref ? resolve(doc.components.schemas[schema.$ref.split("/").pop()]) : schema ?? {});
  const nested = JSON.parse(deepObject(1_500));
  const values = [() => "s".repeat(1 << 20), () => Array.from({ length: 10_000 }, (_, i) => (i % 2 ? uuid() : `tag-${i}`)), () => nested];
  const out = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    // Deleting in bulk (an empty body's defaults match everything) is no hostile input.
    if (template.startsWith("/admin/") || template.includes("delete")) continue;
    for (const [method, op] of Object.entries(methods)) {
      const schema = resolve(op.requestBody?.content?.["application/json"]?.schema);
      const props = Object.keys(resolve(schema).properties ?? {});
      const path = template.replace(/\{[^}]+\}/g, uuid());
      const send = (body, headers = { "content-type": "application/json" }) => [`${api.replace(/\/api$/, "")}/api${path}`, { method: method.toUpperCase(), headers, body: JSON.stringify(body) }];
      if (!["post", "put", "patch"].includes(method)) continue;
      for (const prop of props) for (const value of values) out.push(() => send({ [prop]: value() }));
      out.push(() => send({}, {}));
    }
  }
  return out;
}

let generated = null;
async function hostile(api, tally, i, flowId) {
  generated ??= await operationBodies(api);
  // Every other request one of the hand-written bodies, in between the generated ones in turn.
  const [url, init] = i % 2 ? pick(HOSTILE, i >> 1)(api, flowId) : pick(generated, i >> 1)();
  await callAlone(tally, url, init);
}

/**
 * Drives every kind of traffic against `api` until `deadline`; `concurrency` lifecycle loops,
 * one loop of each other kind. Answers the tallies, by kind.
 */
export async function driveLoad({ api, deadline, concurrency = 4, keepSubscribers = 50, only = null }) {
  const ws = api.replace(/^http/, "ws");
  const flow = await (await fetch(`${api}/flows/`, json({ name: "soak-flow" }))).json();
  const tallies = { lifecycle: new Tally(), filters: new Tally(), events: new Tally(), sockets: new Tally(), hostile: new Tally() };
  const open = [];
  const loop = async (tally, step) => {
    for (let i = 0; Date.now() < deadline; i++) await step(i);
  };
  const steps = {
    lifecycle: () => lifecycle(api, tallies.lifecycle, flow.id),
    filters: (i) => filters(api, tallies.filters, i),
    events: (i) => eventsIn(api, ws, tallies.events, i),
    sockets: (i) => subscribers(ws, tallies.sockets, i, open, keepSubscribers),
    hostile: (i) => hostile(api, tallies.hostile, i, flow.id),
  };
  const loops = Object.entries(steps)
    .filter(([kind]) => !only || only.includes(kind))
    .flatMap(([kind, step]) => Array.from({ length: kind === "lifecycle" ? concurrency : 1 }, () => loop(tallies[kind], step)));
  return {
    tallies,
    done: Promise.all(loops).then(() => {
      for (const s of open) s.terminate();
      tallies.sockets.socketsOpen -= open.length;
    }),
  };
}
