import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, settleEvents, unique, waitFor } from "../helpers";

const MISSING = "00000000-0000-4000-8000-000000000000";

async function makeFlow(labels: Record<string, unknown> = {}) {
  const { body } = await api("POST", "/flows/", { name: unique("flow"), labels });
  return body as { id: string; name: string };
}

/** The body the Prefect 3 SDK sends (transcript 08, seq 27), for a flow. */
function sdkBody(flowId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: unique("dep"),
    flow_id: flowId,
    schedules: [],
    concurrency_limit: null,
    concurrency_options: null,
    parameter_openapi_schema: { type: "object", properties: {} },
    parameters: {},
    tags: [],
    labels: {},
    storage_document_id: null,
    infrastructure_document_id: null,
    description: "None",
    path: null,
    entrypoint: "x.py:f",
    job_variables: {},
    version: null,
    ...overrides,
  };
}

async function makeDeployment(overrides: Record<string, unknown> = {}) {
  const flow = await makeFlow();
  const res = await api("POST", "/deployments/", sdkBody(flow.id, overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { flow, deployment: res.body };
}

describe("POST /deployments/", () => {
  it("creates with Prefect's response shape (transcript 08)", async () => {
    const pool = unique("pool");
    await api("POST", "/work_pools/", { name: pool, type: "process" });
    const flow = await makeFlow();
    const queue = unique("queue");
    const body = sdkBody(flow.id, { work_queue_name: queue, work_pool_name: pool });
    const res = await api("POST", "/deployments/", body);
    expect(res.status).toBe(201);
    const d = res.body;
    expect(Object.keys(d)).toEqual([
      "id",
      "created",
      "updated",
      "name",
      "version",
      "description",
      "flow_id",
      "paused",
      "schedules",
      "concurrency_limit",
      "global_concurrency_limit",
      "concurrency_options",
      "job_variables",
      "parameters",
      "tags",
      "labels",
      "work_queue_name",
      "work_queue_id",
      "last_polled",
      "parameter_openapi_schema",
      "path",
      "pull_steps",
      "entrypoint",
      "storage_document_id",
      "infrastructure_document_id",
      "created_by",
      "updated_by",
      "work_pool_name",
      "status",
      "enforce_parameter_schema",
    ]);
    expect(d).toMatchObject({
      name: body.name,
      version: null,
      description: "None",
      flow_id: flow.id,
      paused: false,
      schedules: [],
      concurrency_limit: null,
      global_concurrency_limit: null,
      concurrency_options: null,
      job_variables: {},
      parameters: {},
      tags: [],
      labels: { "prefect.flow.id": flow.id },
      work_queue_name: queue,
      last_polled: null,
      parameter_openapi_schema: { type: "object", properties: {} },
      path: null,
      pull_steps: [],
      entrypoint: "x.py:f",
      storage_document_id: null,
      infrastructure_document_id: null,
      created_by: null,
      updated_by: null,
      work_pool_name: pool,
      status: "NOT_READY",
      enforce_parameter_schema: true,
    });
    // The missing queue was made in the pool.
    const q = await api("GET", `/work_pools/${pool}/queues/${queue}`);
    expect(q.status).toBe(200);
    expect(d.work_queue_id).toBe(q.body.id);
    expect((await api("GET", `/deployments/${d.id}`)).body).toEqual(d);
  });

  it("upserts on (flow_id, name): 201 then 200 with only the sent fields changed", async () => {
    const flow = await makeFlow({ team: "a" });
    const name = unique("dep");
    const first = await api("POST", "/deployments/", { name, flow_id: flow.id, tags: ["x"], description: "d", job_variables: { a: 1 } });
    expect(first.status).toBe(201);
    expect(first.body.labels).toEqual({ team: "a", "prefect.flow.id": flow.id });
    expect(first.body.parameter_openapi_schema).toEqual({});
    const second = await api("POST", "/deployments/", { name, flow_id: flow.id, version: "2", job_variables: {}, labels: { k: "v" } });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.created).toBe(first.body.created);
    expect(second.body).toMatchObject({ version: "2", tags: ["x"], description: "d", job_variables: { a: 1 } });
    expect(second.body.labels).toEqual({ team: "a", "prefect.flow.id": flow.id, k: "v" });
  });

  it("uses the pool's default queue when only the pool is named", async () => {
    const pool = unique("pool");
    const { body: p } = await api("POST", "/work_pools/", { name: pool, type: "process" });
    const { deployment } = await makeDeployment({ work_pool_name: pool });
    expect(deployment).toMatchObject({ work_queue_id: p.default_queue_id, work_queue_name: "default", work_pool_name: pool });
  });

  it("puts a queue named without a pool in the default agent pool", async () => {
    const queue = unique("legacy-q");
    const { deployment } = await makeDeployment({ work_queue_name: queue });
    expect(deployment).toMatchObject({ work_queue_name: queue, work_pool_name: "default-agent-pool" });
    const q = await api("GET", `/work_queues/name/${queue}`);
    expect(q.body.id).toBe(deployment.work_queue_id);
  });

  it("answers 404 for a missing pool, 409 for a missing flow, 422 for bad bodies", async () => {
    const flow = await makeFlow();
    const pool = unique("nopool");
    const res = await api("POST", "/deployments/", sdkBody(flow.id, { work_pool_name: pool, work_queue_name: "q" }));
    expect(res).toMatchObject({ status: 404, body: { detail: `Work pool "${pool}" not found.` } });
    const noFlow = await api("POST", "/deployments/", sdkBody(MISSING));
    expect(noFlow.status).toBe(409);
    expect(noFlow.body.detail).toMatch(/^Data integrity conflict/);
    const missing = await api("POST", "/deployments/", { flow_id: flow.id });
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail).toEqual([{ type: "missing", loc: ["body", "name"], msg: "Field required", input: { flow_id: flow.id } }]);
    const extra = await api("POST", "/deployments/", { name: "x", flow_id: flow.id, bogus: 1 });
    expect(extra.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "bogus"] });
    const both = await api("POST", "/deployments/", { name: "x", flow_id: flow.id, concurrency_limit: 2, global_concurrency_limit_id: MISSING });
    expect(both.status).toBe(422);
    expect(both.body.exception_detail[0]).toMatchObject({
      type: "value_error",
      loc: ["body"],
      msg: "Value error, A deployment cannot have both a concurrency limit and a global concurrency limit.",
    });
  });

  it("stores schedules sent with the deployment and replaces them on upsert", async () => {
    const flow = await makeFlow();
    const name = unique("dep");
    const first = await api("POST", "/deployments/", {
      name,
      flow_id: flow.id,
      schedules: [
        { schedule: { interval: 3600, anchor_date: "2024-01-01T00:00:00Z" }, slug: "hourly" },
        { schedule: { cron: "0 9 * * *", timezone: "America/New_York" }, active: false, parameters: { x: 1 }, max_scheduled_runs: 5 },
        { schedule: { rrule: "FREQ=DAILY" } },
      ],
    });
    expect(first.status).toBe(201);
    const schedules = first.body.schedules;
    expect(schedules).toHaveLength(3);
    expect(schedules.map((s: any) => s.schedule)).toEqual([
      { interval: 3600, anchor_date: "2024-01-01T00:00:00Z", timezone: "UTC" },
      { cron: "0 9 * * *", timezone: "America/New_York", day_or: true },
      { rrule: "DTSTART:20200101T000000\nFREQ=DAILY", timezone: "UTC" },
    ]);
    expect(schedules[0]).toMatchObject({ deployment_id: first.body.id, active: true, slug: "hourly", parameters: {}, max_scheduled_runs: null });
    expect(schedules[1]).toMatchObject({ active: false, parameters: { x: 1 }, max_scheduled_runs: 5, slug: null });
    const second = await api("POST", "/deployments/", { name, flow_id: flow.id, schedules: [{ schedule: { cron: "*/5 * * * *" } }] });
    expect(second.status).toBe(200);
    expect(second.body.schedules.map((s: any) => s.schedule)).toEqual([{ cron: "*/5 * * * *", timezone: null, day_or: true }]);
    const third = await api("POST", "/deployments/", { name, flow_id: flow.id });
    expect(third.body.schedules).toEqual([]);
  });

  it("answers Prefect's 422s for invalid schedules", async () => {
    const flow = await makeFlow();
    const post = (schedule: unknown, extra: Record<string, unknown> = {}) =>
      api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, schedules: [{ schedule, ...extra }] });
    const cron = await post({ cron: "not a cron" });
    expect(cron.status).toBe(422);
    expect(cron.body.exception_detail).toContainEqual(
      expect.objectContaining({ type: "value_error", loc: ["body", "schedules", 0, "schedule", "cron"], msg: 'Value error, Invalid cron string: "not a cron"' }),
    );
    const hashed = await post({ cron: "H * * * *" });
    expect(hashed.status).toBe(422);
    const tz = await post({ interval: 60, timezone: "Mars/Olympus" });
    expect(tz.body.exception_detail).toContainEqual(
      expect.objectContaining({
        loc: ["body", "schedules", 0, "schedule", "timezone"],
        msg: 'Value error, Invalid timezone: "Mars/Olympus" (specify in IANA tzdata format, for example, America/New_York)',
      }),
    );
    const negative = await post({ interval: 0 });
    expect(negative.body.exception_detail).toContainEqual(expect.objectContaining({ msg: "Value error, interval must be positive" }));
    const rrule = await post({ rrule: "FREQ=SOMETIMES" });
    expect(rrule.status).toBe(422);
    expect(rrule.body.exception_detail[0].msg).toMatch(/^Value error, Invalid RRule string "FREQ=SOMETIMES"/);
    const tooMany = await post({ interval: 60 }, { max_scheduled_runs: 51 });
    expect(tooMany.body.exception_detail).toContainEqual(
      expect.objectContaining({ loc: ["body", "schedules", 0, "max_scheduled_runs"], msg: "Value error, `max_scheduled_runs` must be less than or equal to 50." }),
    );
  });

  it("drops the future auto-scheduled runs of an upserted deployment", async () => {
    const { flow, deployment } = await makeDeployment();
    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    await insertRun(deployment.id, flow.id, { auto: true, at: future, id: "auto-future" });
    await insertRun(deployment.id, flow.id, { auto: true, at: past, id: "auto-past" });
    await insertRun(deployment.id, flow.id, { auto: false, at: future, id: "manual-future" });
    await api("POST", "/deployments/", { name: deployment.name, flow_id: flow.id });
    expect(await runIds(deployment.id)).toEqual(["auto-past", "manual-future"].map((s) => runId(deployment.id, s)).sort());
  });
});

describe("deployment events", () => {
  async function eventsOf(id: string, expected: number) {
    const db = (env as any).DB as D1Database;
    const rows = await waitFor(async () => {
      await settleEvents();
      const { results } = await db
        .prepare(`SELECT event, resource, related, payload FROM event WHERE resource_id = ? ORDER BY id`)
        .bind(`prefect.deployment.${id}`)
        .all<any>();
      return results.length >= expected ? results : undefined;
    });
    return rows.map((r) => ({ event: r.event, resource: JSON.parse(r.resource), related: JSON.parse(r.related), payload: JSON.parse(r.payload) }));
  }

  it("emits created, updated (with what changed) and deleted, relating flow, queue and pool", async () => {
    const pool = unique("pool");
    const { body: p } = await api("POST", "/work_pools/", { name: pool, type: "process" });
    const flow = await makeFlow();
    const { body: d } = await api("POST", "/deployments/", sdkBody(flow.id, { work_pool_name: pool }));
    await api("POST", "/deployments/", { name: d.name, flow_id: flow.id, tags: ["t"] });
    await api("POST", "/deployments/", { name: d.name, flow_id: flow.id, tags: ["t"] });
    await api("PATCH", `/deployments/${d.id}`, { paused: true });
    await api("DELETE", `/deployments/${d.id}`);
    const events = await eventsOf(d.id, 4);
    expect(events.map((e) => e.event)).toEqual([
      "prefect.deployment.created",
      "prefect.deployment.updated",
      "prefect.deployment.updated",
      "prefect.deployment.deleted",
    ]);
    expect(events[0].resource).toEqual({ "prefect.resource.id": `prefect.deployment.${d.id}`, "prefect.resource.name": d.name });
    expect(events[0].related).toEqual([
      { "prefect.resource.id": `prefect.flow.${flow.id}`, "prefect.resource.name": flow.name, "prefect.resource.role": "flow" },
      { "prefect.resource.id": `prefect.work-queue.${p.default_queue_id}`, "prefect.resource.name": "default", "prefect.resource.role": "work-queue" },
      { "prefect.resource.id": `prefect.work-pool.${p.id}`, "prefect.resource.name": pool, "prefect.work-pool.type": "process", "prefect.resource.role": "work-pool" },
    ]);
    expect(events[1].payload).toEqual({ updated_fields: ["tags"], updates: { tags: { from: [], to: ["t"] } } });
    expect(events[2].payload).toEqual({ updated_fields: ["paused"], updates: { paused: { from: false, to: true } } });
  });
});

// ---- flow runs, inserted directly (flow-run creation is another module) ----

function runId(deploymentId: string, tag: string): string {
  // A stable, unique id per (deployment, tag).
  let h = 0;
  for (const ch of deploymentId + tag) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `${deploymentId.slice(0, 24)}${h.toString(16).padStart(12, "0").slice(0, 12)}`;
}

export async function insertRun(
  deploymentId: string,
  flowId: string,
  opts: { auto: boolean; at: string; id: string; state?: string; stateName?: string; runCount?: number },
) {
  const id = runId(deploymentId, opts.id);
  const now = new Date().toISOString();
  const db = (env as any).DB as D1Database;
  await db
    .prepare(
      `INSERT INTO flow_run (id, created, updated, name, flow_id, deployment_id, state_type, state_name, next_scheduled_start_time, expected_start_time, auto_scheduled, run_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(id, now, now, opts.id, flowId, deploymentId, opts.state ?? "SCHEDULED", opts.stateName ?? "Scheduled", opts.at, opts.at, opts.auto ? 1 : 0, opts.runCount ?? 0)
    .run();
  await db
    .prepare(`INSERT INTO flow_run_state (id, created, updated, type, timestamp, name, flow_run_id) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .bind(crypto.randomUUID(), now, now, opts.state ?? "SCHEDULED", now, opts.stateName ?? "Scheduled", id)
    .run();
  return id;
}

export async function runIds(deploymentId: string): Promise<string[]> {
  const db = (env as any).DB as D1Database;
  const { results } = await db.prepare(`SELECT id FROM flow_run WHERE deployment_id = ? ORDER BY id`).bind(deploymentId).all<{ id: string }>();
  return results.map((r) => r.id);
}
