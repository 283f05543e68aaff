import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

/**
 * Prefect 2.x clients (seed 004: PrefectClient.create_deployment, update_deployment,
 * update_schedule, set_deployment_paused_state, the deployment schedule methods) send fields
 * Prefect 3 removed; they must work unchanged.
 */

const UA = { "user-agent": "prefect/2.20.16 (API 0.8.4)" };

async function makeFlow() {
  return (await api("POST", "/flows/", { name: unique("flow") })).body as { id: string; name: string };
}

/** PrefectClient.create_deployment (2.x): `DeploymentCreate.dict(json_compatible=True, exclude=...)`. */
function v2Create(flowId: string, overrides: Record<string, unknown> = {}) {
  return {
    infra_overrides: { "env.FOO": "bar" },
    name: unique("dep2"),
    flow_id: flowId,
    schedules: [],
    parameter_openapi_schema: null,
    parameters: { x: 1 },
    tags: ["v2"],
    manifest_path: null,
    storage_document_id: null,
    infrastructure_document_id: null,
    schedule: null,
    description: null,
    path: "/opt/flows",
    version: "abc",
    entrypoint: "flows.py:my_flow",
    ...overrides,
  };
}

/** PrefectClient.update_deployment (2.x): every DeploymentUpdate field, job variables as infra_overrides. */
function v2Update(d: any, overrides: Record<string, unknown> = {}) {
  return {
    infra_overrides: d.job_variables ?? {},
    version: d.version,
    schedule: d.schedule ?? null,
    description: d.description,
    is_schedule_active: d.is_schedule_active,
    parameters: d.parameters,
    tags: d.tags,
    work_queue_name: d.work_queue_name,
    work_pool_name: d.work_pool_name,
    path: d.path,
    entrypoint: d.entrypoint,
    manifest_path: null,
    storage_document_id: d.storage_document_id,
    infrastructure_document_id: d.infrastructure_document_id,
    ...(d.enforce_parameter_schema === null ? {} : { enforce_parameter_schema: d.enforce_parameter_schema }),
    ...overrides,
  };
}

const hourly = { interval: 3600.0, anchor_date: "2024-01-01T00:00:00+00:00", timezone: "UTC" };

describe("Prefect 2.x clients", () => {
  it("create a deployment with infra_overrides, manifest_path and a null legacy schedule", async () => {
    const flow = await makeFlow();
    const body = v2Create(flow.id);
    const res = await api("POST", "/deployments/", body, UA);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name: body.name,
      job_variables: { "env.FOO": "bar" },
      parameters: { x: 1 },
      tags: ["v2"],
      path: "/opt/flows",
      version: "abc",
      entrypoint: "flows.py:my_flow",
      schedules: [],
      paused: false,
      // 2.x's default: parameter schemas are not enforced.
      enforce_parameter_schema: false,
      // what a 2.x client reads back
      schedule: null,
      is_schedule_active: true,
    });
    // A Prefect 3 client reads no legacy fields.
    const v3 = await api("GET", `/deployments/${res.body.id}`);
    expect(v3.body).not.toHaveProperty("schedule");
    expect(v3.body).not.toHaveProperty("is_schedule_active");
  });

  it("create with a legacy `schedule` and `is_schedule_active`", async () => {
    const flow = await makeFlow();
    const res = await api("POST", "/deployments/", v2Create(flow.id, { schedule: hourly, is_schedule_active: false }), UA);
    expect(res.status).toBe(201);
    expect(res.body.schedules).toHaveLength(1);
    expect(res.body.schedules[0]).toMatchObject({
      active: false,
      schedule: { interval: 3600, anchor_date: "2024-01-01T00:00:00Z", timezone: "UTC" },
    });
    expect(res.body).toMatchObject({ paused: true, is_schedule_active: false, schedule: res.body.schedules[0].schedule });
  });

  it("create with 2.x schedule objects (max_active_runs, catchup) and work_pool_queue_name leftovers", async () => {
    const flow = await makeFlow();
    const schedules = [
      { schedule: { cron: "0 9 * * 1-5", timezone: "Europe/Paris", day_or: true }, active: true, max_active_runs: 2, max_scheduled_runs: null, catchup: false },
      { schedule: { rrule: "RRULE:FREQ=WEEKLY;BYDAY=MO", timezone: "UTC" }, active: true, max_active_runs: null, max_scheduled_runs: 3, catchup: true },
    ];
    const res = await api("POST", "/deployments/", v2Create(flow.id, { schedules, worker_pool_queue_id: null, work_pool_queue_name: null }), UA);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.schedules.map((s: any) => s.schedule)).toEqual([
      { cron: "0 9 * * 1-5", timezone: "Europe/Paris", day_or: true },
      { rrule: "DTSTART:20200101T000000\nRRULE:FREQ=WEEKLY;BYDAY=MO", timezone: "UTC" },
    ]);
    expect(res.body.schedules[1].max_scheduled_runs).toBe(3);
    expect(res.body.schedules[0]).not.toHaveProperty("max_active_runs");
    // One schedule is not "the" schedule: a 2.x client sees none.
    expect(res.body.schedule).toBeNull();
  });

  it("still get 422s for invalid legacy schedules", async () => {
    const flow = await makeFlow();
    const res = await api("POST", "/deployments/", v2Create(flow.id, { schedule: { cron: "bad cron" } }), UA);
    expect(res.status).toBe(422);
    expect(res.body.exception_detail[0].msg).toBe('Value error, Invalid cron string: "bad cron"');
  });

  it("read, modify and PATCH back (update_deployment) without losing state", async () => {
    const flow = await makeFlow();
    const pool = unique("pool");
    await api("POST", "/work_pools/", { name: pool, type: "process" });
    const created = await api("POST", "/deployments/", v2Create(flow.id, { schedule: hourly, work_pool_name: pool, work_queue_name: "q" }), UA);
    const d = (await api("GET", `/deployments/${created.body.id}`, undefined, UA)).body;
    const res = await api("PATCH", `/deployments/${d.id}`, v2Update(d, { description: "changed", infra_overrides: { "env.FOO": "baz" } }), UA);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    const after = (await api("GET", `/deployments/${d.id}`, undefined, UA)).body;
    expect(after).toMatchObject({
      description: "changed",
      job_variables: { "env.FOO": "baz" },
      work_pool_name: pool,
      work_queue_name: "q",
      paused: false,
      is_schedule_active: true,
      schedule: { interval: 3600, anchor_date: "2024-01-01T00:00:00Z", timezone: "UTC" },
    });
    expect(after.schedules).toHaveLength(1);
  });

  it("PATCH a new legacy schedule, deactivate it, clear it", async () => {
    const flow = await makeFlow();
    const { body: d } = await api("POST", "/deployments/", v2Create(flow.id), UA);
    await api("PATCH", `/deployments/${d.id}`, { schedule: { cron: "*/10 * * * *" }, is_schedule_active: true });
    let after = (await api("GET", `/deployments/${d.id}`, undefined, UA)).body;
    expect(after.schedules.map((s: any) => [s.schedule.cron, s.active])).toEqual([["*/10 * * * *", true]]);
    await api("PATCH", `/deployments/${d.id}`, { is_schedule_active: false });
    after = (await api("GET", `/deployments/${d.id}`, undefined, UA)).body;
    expect(after).toMatchObject({ paused: true, is_schedule_active: false });
    expect(after.schedules.map((s: any) => [s.schedule.cron, s.active])).toEqual([["*/10 * * * *", false]]);
    await api("PATCH", `/deployments/${d.id}`, { schedule: null });
    expect((await api("GET", `/deployments/${d.id}`)).body.schedules).toEqual([]);
    const bad = await api("PATCH", `/deployments/${d.id}`, { schedule: { interval: -5 } });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ loc: ["body", "schedule", "interval"], msg: "Value error, interval must be positive" });
  });

  it("update_schedule: set_schedule_active / set_schedule_inactive", async () => {
    const flow = await makeFlow();
    const { body: d } = await api("POST", "/deployments/", v2Create(flow.id, { schedule: hourly }), UA);
    const off = await api("POST", `/deployments/${d.id}/set_schedule_inactive`, undefined, UA);
    expect(off).toMatchObject({ status: 200, text: "null" });
    let read = (await api("GET", `/deployments/${d.id}`, undefined, UA)).body;
    expect(read).toMatchObject({ paused: true, is_schedule_active: false });
    expect(read.schedules[0].active).toBe(false);
    expect((await api("POST", `/deployments/${d.id}/set_schedule_active`, undefined, UA)).status).toBe(200);
    read = (await api("GET", `/deployments/${d.id}`, undefined, UA)).body;
    expect(read).toMatchObject({ paused: false, is_schedule_active: true });
    expect(read.schedules[0].active).toBe(true);
    expect(await api("POST", "/deployments/00000000-0000-4000-8000-000000000000/set_schedule_active")).toMatchObject({
      status: 404,
      body: { detail: "Deployment not found" },
    });
  });

  it("legacy schedule edits on a deployment with several schedules: Prefect's 422", async () => {
    const flow = await makeFlow();
    const { body: d } = await api("POST", "/deployments/", {
      name: unique("dep"),
      flow_id: flow.id,
      schedules: [{ schedule: { interval: 60 } }, { schedule: { interval: 120 } }],
    });
    const expected = {
      detail: [
        `Error updating deployment: Deployment UUID('${d.id}') has multiple schedules. Please use the UI or update your client to adjust this deployment's schedules.`,
      ],
    };
    expect(await api("POST", `/deployments/${d.id}/set_schedule_inactive`)).toMatchObject({ status: 422, body: expected });
    expect((await api("GET", `/deployments/${d.id}`)).body.paused).toBe(false);
    expect(await api("PATCH", `/deployments/${d.id}`, { is_schedule_active: false })).toMatchObject({ status: 422, body: expected });
  });

  it("set_deployment_paused_state", async () => {
    const flow = await makeFlow();
    const { body: d } = await api("POST", "/deployments/", v2Create(flow.id), UA);
    expect((await api("PATCH", `/deployments/${d.id}`, { paused: true }, UA)).status).toBe(204);
    expect((await api("GET", `/deployments/${d.id}`, undefined, UA)).body).toMatchObject({ paused: true, is_schedule_active: false });
  });

  it("deployment schedule methods with 2.x schedule bodies", async () => {
    const flow = await makeFlow();
    const { body: d } = await api("POST", "/deployments/", v2Create(flow.id), UA);
    const created = await api(
      "POST",
      `/deployments/${d.id}/schedules`,
      [{ schedule: hourly, active: true, max_active_runs: null, max_scheduled_runs: null, catchup: false }],
      UA,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body[0].id;
    expect((await api("PATCH", `/deployments/${d.id}/schedules/${id}`, { active: false, catchup: true }, UA)).status).toBe(204);
    const list = (await api("GET", `/deployments/${d.id}/schedules`, undefined, UA)).body;
    expect(list).toHaveLength(1);
    expect(list[0].active).toBe(false);
    expect((await api("DELETE", `/deployments/${d.id}/schedules/${id}`, undefined, UA)).status).toBe(204);
  });

  it("filter deployments by is_schedule_active (2.x: the deployment is not paused), wherever a DeploymentFilter goes", async () => {
    const flow = await makeFlow();
    const active = (await api("POST", "/deployments/", v2Create(flow.id), UA)).body;
    const paused = (await api("POST", "/deployments/", v2Create(flow.id, { is_schedule_active: false }), UA)).body;
    expect(paused.paused).toBe(true);
    const flows = { id: { any_: [flow.id] } };
    // PrefectClient.read_deployments (2.x) sends every DeploymentFilter field, unset ones as null.
    const v2Filter = (isScheduleActive: unknown) => ({ operator: "and_", id: null, name: null, is_schedule_active: isScheduleActive, tags: null, work_queue_name: null });
    const ids = async (path: string, deployments: unknown) =>
      (await api("POST", path, { flows, deployments, limit: null, offset: 0 }, UA)).body.map((d: any) => d.id);

    expect(await ids("/deployments/filter", v2Filter(null))).toEqual(expect.arrayContaining([active.id, paused.id]));
    expect(await ids("/deployments/filter", v2Filter({ eq_: true }))).toEqual([active.id]);
    expect(await ids("/deployments/filter", v2Filter({ eq_: false }))).toEqual([paused.id]);
    expect(await ids("/deployments/filter", v2Filter({ eq_: null }))).toHaveLength(2);
    expect((await api("POST", "/deployments/count", { flows, deployments: v2Filter({ eq_: true }) }, UA)).body).toBe(1);
    expect((await api("POST", "/deployments/paginate", { flows, deployments: v2Filter({ eq_: false }) }, UA)).body.results.map((d: any) => d.id)).toEqual([paused.id]);

    // In another resource's filter, and under or_ with a 3.x field.
    expect(await ids("/flows/filter", v2Filter({ eq_: false }))).toEqual([flow.id]);
    const runOf = async (d: { id: string }) => (await api("POST", `/deployments/${d.id}/create_flow_run`, {}, UA)).body.id;
    const [activeRun, pausedRun] = [await runOf(active), await runOf(paused)];
    expect(await ids("/flow_runs/filter", v2Filter({ eq_: true }))).toEqual([activeRun]);
    const either = { operator: "or_", is_schedule_active: { eq_: true }, name: { any_: [paused.name] } };
    expect((await ids("/flow_runs/filter", either)).sort()).toEqual([activeRun, pausedRun].sort());

    const bad = await api("POST", "/deployments/filter", { deployments: { is_schedule_active: { eq_: "sometimes" } } }, UA);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "bool_parsing", loc: ["body", "deployments", "is_schedule_active", "eq_"] });
  });
});
