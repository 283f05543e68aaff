import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";

const MISSING = "00000000-0000-4000-8000-000000000000";
const db = () => (env as any).DB as D1Database;

async function makeDeployment(body: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, parameter_openapi_schema: {}, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { flow, d: res.body };
}

async function insertRun(deploymentId: string, flowId: string, opts: { auto?: boolean; at?: string }) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const at = opts.at ?? new Date(Date.now() + 3600_000).toISOString();
  await db()
    .prepare(
      `INSERT INTO flow_run (id, created, updated, name, flow_id, deployment_id, state_type, state_name, next_scheduled_start_time, expected_start_time, auto_scheduled)
       VALUES (?, ?, ?, 'run', ?, ?, 'SCHEDULED', 'Scheduled', ?, ?, ?)`,
    )
    .bind(id, now, now, flowId, deploymentId, at, at, opts.auto ? 1 : 0)
    .run();
  return id;
}
const runExists = async (id: string) => !!(await db().prepare(`SELECT 1 FROM flow_run WHERE id = ?`).bind(id).first());
const read = async (id: string) => (await api("GET", `/deployments/${id}`)).body;

describe("PATCH /deployments/{id}", () => {
  it("updates only the fields sent (204, no body)", async () => {
    const { d } = await makeDeployment({ tags: ["keep"], description: "old", job_variables: { a: 1 }, version: "1" });
    const res = await api("PATCH", `/deployments/${d.id}`, { description: "new", paused: true });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const after = await read(d.id);
    expect(after).toMatchObject({ description: "new", paused: true, tags: ["keep"], job_variables: { a: 1 }, version: "1" });
    expect(after.updated > d.updated).toBe(true);
    // Empty job variables leave the stored ones, as Prefect writes them only when there are some.
    await api("PATCH", `/deployments/${d.id}`, { job_variables: {}, tags: [], version: null });
    expect(await read(d.id)).toMatchObject({ job_variables: { a: 1 }, tags: [], version: null });
    await api("PATCH", `/deployments/${d.id}`, { job_variables: { b: 2 } });
    expect((await read(d.id)).job_variables).toEqual({ b: 2 });
  });

  it("404s and 422s as Prefect", async () => {
    expect(await api("PATCH", `/deployments/${MISSING}`, {})).toMatchObject({ status: 404, body: { detail: "Deployment not found." } });
    const { d } = await makeDeployment();
    const bad = await api("PATCH", `/deployments/${d.id}`, { name: "renamed" });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "name"] });
    const limit = await api("PATCH", `/deployments/${d.id}`, { concurrency_limit: 0 });
    expect(limit.body.exception_detail[0]).toMatchObject({ type: "greater_than", loc: ["body", "concurrency_limit"] });
  });

  it("moves the deployment between pools and queues, or off them", async () => {
    const pool = unique("pool");
    const { body: p } = await api("POST", "/work_pools/", { name: pool, type: "process" });
    const { d } = await makeDeployment();
    await api("PATCH", `/deployments/${d.id}`, { work_pool_name: pool });
    expect(await read(d.id)).toMatchObject({ work_pool_name: pool, work_queue_id: p.default_queue_id, work_queue_name: "default" });
    await api("PATCH", `/deployments/${d.id}`, { work_pool_name: pool, work_queue_name: "other" });
    const moved = await read(d.id);
    expect(moved).toMatchObject({ work_pool_name: pool, work_queue_name: "other" });
    expect((await api("GET", `/work_pools/${pool}/queues/other`)).body.id).toBe(moved.work_queue_id);
    await api("PATCH", `/deployments/${d.id}`, { work_pool_name: null });
    expect(await read(d.id)).toMatchObject({ work_pool_name: null, work_queue_id: null });
    const missing = await api("PATCH", `/deployments/${d.id}`, { work_pool_name: unique("nopool") });
    expect(missing.status).toBe(404);
  });

  it("sets, keeps and removes the deployment's concurrency limit (answered as its global limit)", async () => {
    const { d } = await makeDeployment({ concurrency_limit: 3, concurrency_options: { collision_strategy: "CANCEL_NEW" } });
    expect(d.concurrency_limit).toBeNull();
    expect(d.global_concurrency_limit).toMatchObject({ name: `deployment:${d.id}`, limit: 3, active: true, active_slots: 0 });
    expect(d.concurrency_options).toEqual({ collision_strategy: "CANCEL_NEW" });
    const limitId = d.global_concurrency_limit.id;
    await api("PATCH", `/deployments/${d.id}`, { concurrency_limit: 5 });
    expect((await read(d.id)).global_concurrency_limit).toMatchObject({ id: limitId, limit: 5 });
    await api("PATCH", `/deployments/${d.id}`, { description: "x" });
    expect((await read(d.id)).global_concurrency_limit.limit).toBe(5);
    await api("PATCH", `/deployments/${d.id}`, { concurrency_limit: null });
    expect((await read(d.id)).global_concurrency_limit).toBeNull();
  });

  it("refuses updates while enforcing a schema the deployment does not have (409)", async () => {
    const { d } = await makeDeployment({ parameter_openapi_schema: null, enforce_parameter_schema: true });
    const res = await api("PATCH", `/deployments/${d.id}`, { description: "x" });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/^Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled/);
    expect((await api("PATCH", `/deployments/${d.id}`, { enforce_parameter_schema: false })).status).toBe(204);
  });

  it("drops future auto-scheduled runs on any update", async () => {
    const { flow, d } = await makeDeployment();
    const auto = await insertRun(d.id, flow.id, { auto: true });
    const manual = await insertRun(d.id, flow.id, { auto: false });
    await api("PATCH", `/deployments/${d.id}`, { description: "x" });
    expect(await runExists(auto)).toBe(false);
    expect(await runExists(manual)).toBe(true);
  });

  describe("schedules", () => {
    it("replaces schedules without slugs with the ones sent; leaves them when none are sent", async () => {
      const { d } = await makeDeployment({ schedules: [{ schedule: { interval: 60 } }] });
      await api("PATCH", `/deployments/${d.id}`, { description: "x" });
      expect((await read(d.id)).schedules).toHaveLength(1);
      await api("PATCH", `/deployments/${d.id}`, { schedules: [{ schedule: { cron: "0 0 * * *" }, active: false }, { active: true }] });
      const after = (await read(d.id)).schedules;
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ schedule: { cron: "0 0 * * *", timezone: null, day_or: true }, active: false });
      await api("PATCH", `/deployments/${d.id}`, { schedules: [] });
      expect((await read(d.id)).schedules).toEqual([]);
    });

    it("updates schedules by slug, renames with `replaces`, creates new slugs, keeps the rest", async () => {
      const { d } = await makeDeployment({
        schedules: [
          { schedule: { interval: 60 }, slug: "a", parameters: { p: 1 } },
          { schedule: { interval: 120 }, slug: "b" },
        ],
      });
      const before = await read(d.id);
      const idOf = (slug: string, list = before.schedules) => list.find((s: any) => s.slug === slug)?.id;
      const res = await api("PATCH", `/deployments/${d.id}`, {
        schedules: [
          { slug: "a", active: false },
          { slug: "c", replaces: "b", schedule: { interval: 300 } },
          { slug: "new", schedule: { cron: "* * * * *" } },
        ],
      });
      expect(res.status).toBe(204);
      const after = (await read(d.id)).schedules;
      expect(after.map((s: any) => s.slug).sort()).toEqual(["a", "c", "new"]);
      const a = after.find((s: any) => s.slug === "a");
      // Prefect writes the update's default parameters ({}) too.
      expect(a).toMatchObject({ id: idOf("a"), active: false, parameters: {}, schedule: { interval: 60 } });
      expect(after.find((s: any) => s.slug === "c")).toMatchObject({ id: idOf("b"), schedule: { interval: 300 } });

      const noSlug = await api("PATCH", `/deployments/${d.id}`, { schedules: [{ schedule: { interval: 5 } }] });
      expect(noSlug).toMatchObject({
        status: 422,
        body: { detail: "Please provide a slug for each schedule in your request to ensure schedules are updated correctly." },
      });
      const twice = await api("PATCH", `/deployments/${d.id}`, {
        schedules: [
          { slug: "x", replaces: "a", schedule: { interval: 5 } },
          { slug: "y", replaces: "a", schedule: { interval: 5 } },
        ],
      });
      expect(twice).toMatchObject({ status: 422, body: { detail: "Multiple schedules have 'replaces' targeting the same slug: a" } });
      const clash = await api("PATCH", `/deployments/${d.id}`, { schedules: [{ slug: "c", replaces: "a" }] });
      expect(clash).toMatchObject({
        status: 422,
        body: { detail: "Cannot rename schedule from 'a' to 'c': a schedule with slug 'c' already exists." },
      });
      const empty = await api("PATCH", `/deployments/${d.id}`, { schedules: [{ slug: "zzz" }] });
      expect(empty).toMatchObject({ status: 422, body: { detail: "Unable to create new deployment schedules without a schedule configuration." } });
    });
  });
});

describe("pause and resume", () => {
  it("pauses (dropping auto-scheduled runs) and resumes; 200 with a null body", async () => {
    const { flow, d } = await makeDeployment();
    const past = await insertRun(d.id, flow.id, { auto: true, at: "2020-01-01T00:00:00.000000Z" });
    const manual = await insertRun(d.id, flow.id, { auto: false });
    const paused = await api("POST", `/deployments/${d.id}/pause_deployment`);
    expect(paused).toMatchObject({ status: 200, text: "null" });
    expect((await read(d.id)).paused).toBe(true);
    expect(await runExists(past)).toBe(false);
    expect(await runExists(manual)).toBe(true);
    expect((await api("POST", `/deployments/${d.id}/resume_deployment`)).status).toBe(200);
    expect((await read(d.id)).paused).toBe(false);
    expect(await api("POST", `/deployments/${MISSING}/pause_deployment`)).toMatchObject({ status: 404, body: { detail: "Deployment not found" } });
    expect(await api("POST", `/deployments/${MISSING}/resume_deployment`)).toMatchObject({ status: 404 });
  });

  it("filters on paused", async () => {
    const tag = unique("tag");
    const { d } = await makeDeployment({ tags: [tag] });
    await makeDeployment({ tags: [tag] });
    await api("POST", `/deployments/${d.id}/pause_deployment`);
    const res = await api("POST", "/deployments/filter", { deployments: { tags: { all_: [tag] }, paused: { eq_: true } } });
    expect(res.body.map((x: any) => x.id)).toEqual([d.id]);
  });
});

describe("PATCH /deployments/{id} parameters", () => {
  it("stores them hydrated, as Prefect's update_deployment: placeholders resolved, jinja rendered with no context; 400 when one cannot be", async () => {
    const name = `pv_${Date.now()}`;
    expect((await api("POST", "/variables/", { name, value: [1, 2] })).status).toBe(201);
    const { d } = await makeDeployment({ parameters: { keep: "me" } });
    const res = await api("PATCH", `/deployments/${d.id}`, {
      parameters: {
        sum: { __prefect_kind: "jinja", template: "{{ 1 + 1 }}" },
        typed: { __prefect_kind: "json", value: { __prefect_kind: "jinja", template: "{{ [1, 2.5] | tojson }}" } },
        gone: { __prefect_kind: "none", value: null },
        nested: { __prefect_kind: "none", value: { __prefect_kind: "jinja", template: "{{ 2 * 3 }}" } },
        v: { __prefect_kind: "workspace_variable", variable_name: name },
        plain: "{{ stays as text }}",
      },
    });
    expect(res.status).toBe(204);
    expect((await read(d.id)).parameters).toEqual({ sum: "2", typed: [1, 2.5], gone: null, nested: "6", v: [1, 2], plain: "{{ stays as text }}" });
    const bad = await api("PATCH", `/deployments/${d.id}`, { parameters: { x: { __prefect_kind: "jinja", template: "{{ 1 / 0 }}" } } });
    expect(bad).toMatchObject({
      status: 400,
      body: { detail: "Error hydrating deployment parameters: Invalid jinja: Failed to render template due to the following error: ZeroDivisionError('division by zero')" },
    });
    const missing = await api("PATCH", `/deployments/${d.id}`, { parameters: { v: { __prefect_kind: "workspace_variable", variable_name: "no_such_var" } } });
    expect(missing).toMatchObject({ status: 400, body: { detail: "Error hydrating deployment parameters: Variable 'no_such_var' not found in workspace." } });
    expect((await read(d.id)).parameters).toEqual({ sum: "2", typed: [1, 2.5], gone: null, nested: "6", v: [1, 2], plain: "{{ stays as text }}" });
  });
});
