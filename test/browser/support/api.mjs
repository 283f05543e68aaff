import { randomUUID } from "node:crypto";

let counter = 0;
/** A name no other test of the run uses (all test files share one server). */
export function unique(prefix = "x") {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}-${counter}`;
}

/**
 * JSON calls to the API under test (`<base>/api`), as Prefect's client sends them; a status other
 * than 2xx throws with the answer, unless listed in `ok`. `authString` (`user:pass`) adds basic auth.
 */
export function createApi({ base, authString } = {}) {
  const headers = { "content-type": "application/json", "x-prefect-api-version": "0.8.4" };
  if (authString) headers.authorization = `Basic ${Buffer.from(authString).toString("base64")}`;

  async function call(method, path, body, { ok = [] } = {}) {
    const server = base ?? process.env.UI_BASE_URL;
    if (!server) throw new Error("UI_BASE_URL is not set: run the browser tests with `npm run test:ui`");
    const root = `${server.replace(/\/$/, "")}/api`;
    const response = await fetch(`${root}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (!response.ok && !ok.includes(response.status)) {
      throw new Error(`${method} /api${path} answered ${response.status}: ${text.slice(0, 500)}\n  body sent: ${JSON.stringify(body)?.slice(0, 500)}`);
    }
    return json;
  }

  return {
    call,
    get: (path, options) => call("GET", path, undefined, options),
    post: (path, body = {}, options) => call("POST", path, body, options),
    patch: (path, body = {}, options) => call("PATCH", path, body, options),
    delete: (path, options) => call("DELETE", path, undefined, options),
  };
}

/**
 * Runs the Worker's cron services once (the scheduler makes deployments' scheduled runs, late runs
 * are marked…), through wrangler's `--test-scheduled` endpoint.
 */
export async function runScheduledServices({ base = process.env.UI_BASE_URL } = {}) {
  const response = await fetch(`${base.replace(/\/$/, "")}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`/__scheduled answered ${response.status}: ${text.slice(0, 300)}`);
}

/** The API of the server without auth (UI_BASE_URL). */
export const api = createApi();

const iso = (ms = Date.now()) => new Date(ms).toISOString();
const STATE_NAMES = { SCHEDULED: "Scheduled", PENDING: "Pending", RUNNING: "Running", COMPLETED: "Completed", FAILED: "Failed", CANCELLED: "Cancelled", CANCELLING: "Cancelling", CRASHED: "Crashed", PAUSED: "Paused" };
const asState = (state) => (typeof state === "string" ? { type: state, name: STATE_NAMES[state] ?? state } : state);

/**
 * Seeds through the API, each answering what the API answered (with a unique name unless given).
 * `client` is an API from `createApi` (default: the server without auth). Compose them: a test seeds
 * what its page shows, then visits the page expecting the seeded names.
 */
export function seeds(client = api) {
  const seed = {
    /** POST /flows */
    flow: ({ name = unique("flow"), ...rest } = {}) => client.post("/flows/", { name, ...rest }),

    /**
     * A flow run (of `flow_id`, or of a new flow) taken through `states` (types or state objects,
     * forced, oldest first), with `taskRuns` task runs each taken through `taskStates`, and `logs` log
     * lines (answers `{ ...flowRun, flow, taskRuns, logs }`, the run as read after its last state).
     */
    async flowRun({ flow_id, flow, name = unique("run"), states = ["PENDING", "RUNNING", "COMPLETED"], taskRuns = 0, taskStates = ["PENDING", "RUNNING", "COMPLETED"], logs = 0, ...rest } = {}) {
      const theFlow = flow ?? (flow_id ? await client.get(`/flows/${flow_id}`) : await seed.flow());
      const [first, ...later] = states.map(asState);
      const run = await client.post("/flow_runs/", { flow_id: theFlow.id, name, state: first, ...rest });
      for (const state of later) await seed.setFlowRunState(run.id, state);
      const tasks = [];
      for (let i = 0; i < taskRuns; i++) tasks.push(await seed.taskRun({ flow_run_id: run.id, states: taskStates }));
      const lines = Array.from({ length: logs }, (_, i) => ({ name: "prefect.flow_runs", level: 20, message: `${name} log line ${i + 1}`, timestamp: iso(Date.now() - 1000 + i), flow_run_id: run.id }));
      if (lines.length) await client.post("/logs/", lines);
      return { ...(await client.get(`/flow_runs/${run.id}`)), flow: theFlow, taskRuns: tasks, logs: lines };
    },

    /** POST /flow_runs/{id}/set_state, forced */
    setFlowRunState: (id, state, { force = true } = {}) => client.post(`/flow_runs/${id}/set_state`, { state: asState(state), force }),

    /** A task run of `flow_run_id` taken through `states` (forced). */
    async taskRun({ flow_run_id = null, name = unique("task"), task_key = unique("task-key"), states = ["PENDING", "RUNNING", "COMPLETED"], ...rest } = {}) {
      const [first, ...later] = states.map(asState);
      const run = await client.post("/task_runs/", { flow_run_id, name, task_key, dynamic_key: "0", state: first, ...rest });
      for (const state of later) await client.post(`/task_runs/${run.id}/set_state`, { state, force: true });
      return client.get(`/task_runs/${run.id}`);
    },

    /** POST /work_pools (a `process` pool) and, with `queue`, one more queue in it (`{ pool, queue }`). */
    async workPool({ name = unique("pool"), type = "process", queue = unique("queue"), ...rest } = {}) {
      const pool = await client.post("/work_pools/", { name, type, ...rest });
      const created = queue ? await client.post(`/work_pools/${encodeURIComponent(name)}/queues/`, { name: queue }) : null;
      return { pool, queue: created };
    },

    /**
     * POST /deployments for `flow_id` (or a new flow), with an hourly interval schedule unless
     * `schedules` says otherwise, and a parameter schema with one string parameter `name`.
     */
    async deployment({ flow_id, name = unique("deployment"), schedules = [{ schedule: { interval: 3600, timezone: "UTC" }, active: true }], ...rest } = {}) {
      const flow = flow_id ? await client.get(`/flows/${flow_id}`) : await seed.flow();
      const deployment = await client.post("/deployments/", {
        name,
        flow_id: flow.id,
        schedules,
        parameter_openapi_schema: { title: "Parameters", type: "object", properties: { name: { title: "name", type: "string", position: 0 } } },
        parameters: { name: "world" },
        ...rest,
      });
      return { ...deployment, flow };
    },

    /** A block document of a system block type (`json` by default) with `data`. */
    async blockDocument({ name = unique("block"), typeSlug = "json", data = { value: { hello: "world" } } } = {}) {
      const type = await client.get(`/block_types/slug/${typeSlug}`);
      const [schema] = await client.post("/block_schemas/filter", { block_schemas: { block_type_id: { any_: [type.id] } }, limit: 1 });
      return client.post("/block_documents/", { name, block_type_id: type.id, block_schema_id: schema.id, data });
    },

    /** POST /variables */
    variable: ({ name = unique("variable").replace(/-/g, "_"), value = "some value", tags = [] } = {}) => client.post("/variables/", { name, value, tags }),

    /** POST /artifacts (markdown; give `key` to see it on the artifact-key page). */
    artifact: ({ key = unique("artifact"), type = "markdown", data = "# Hello from a test", description = "seeded by a browser test", ...rest } = {}) =>
      client.post("/artifacts/", { key, type, data, description, ...rest }),

    /** POST /v2/concurrency_limits (a global limit) */
    globalConcurrencyLimit: ({ name = unique("limit"), limit = 3, ...rest } = {}) => client.post("/v2/concurrency_limits/", { name, limit, ...rest }),

    /** POST /concurrency_limits (a task-run tag limit) */
    tagConcurrencyLimit: ({ tag = unique("tag"), concurrency_limit = 2 } = {}) => client.post("/concurrency_limits/", { tag, concurrency_limit }),

    /** POST /automations: an event trigger and a do-nothing action unless given. */
    automation: ({ name = unique("automation"), description = "seeded by a browser test", trigger, actions = [{ type: "do-nothing" }], ...rest } = {}) =>
      client.post("/automations/", {
        name,
        description,
        enabled: true,
        trigger: trigger ?? { type: "event", match: { "prefect.resource.id": "test.resource.*" }, expect: ["test.event.happened"], posture: "Reactive", threshold: 1, within: 0 },
        actions,
        ...rest,
      }),

    /** POST /events (one event, now, about `resource`); answers the event sent. */
    async event({ event = unique("test.event"), resource = { "prefect.resource.id": `test.resource.${unique("r")}` }, payload = {}, related = [], occurred = iso() } = {}) {
      const sent = { id: randomUUID(), occurred, event, resource, related, payload };
      await client.post("/events", [sent]);
      return sent;
    },
  };
  return seed;
}

/** Seeds on the server without auth. */
export const seed = seeds();
