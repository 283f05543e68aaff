import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";
import { schedulableDeployments } from "../../src/db/queries/deployment-schedules";
import { getDb } from "../../src/db/client";

const MISSING = "00000000-0000-4000-8000-000000000000";
const db = () => (env as any).DB as D1Database;

async function makeDeployment(body: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { flow, d: res.body };
}

async function insertRun(deploymentId: string, flowId: string, opts: { auto?: boolean; at: string }) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await db()
    .prepare(
      `INSERT INTO flow_run (id, created, updated, name, flow_id, deployment_id, state_type, state_name, next_scheduled_start_time, expected_start_time, auto_scheduled)
       VALUES (?, ?, ?, 'run', ?, ?, 'SCHEDULED', 'Scheduled', ?, ?, ?)`,
    )
    .bind(id, now, now, flowId, deploymentId, opts.at, opts.at, opts.auto ? 1 : 0)
    .run();
  return id;
}
const runExists = async (id: string) => !!(await db().prepare(`SELECT 1 FROM flow_run WHERE id = ?`).bind(id).first());
const FUTURE = () => new Date(Date.now() + 3600_000).toISOString();
const PAST = "2020-01-01T00:00:00.000000Z";

describe("/deployments/{id}/schedules", () => {
  it("creates (201), lists most recently updated first, updates (204) and deletes (204)", async () => {
    const { d } = await makeDeployment();
    const created = await api("POST", `/deployments/${d.id}/schedules`, [
      { schedule: { interval: 86400, anchor_date: "2024-03-10T09:00:00-05:00", timezone: "America/New_York" }, slug: "daily" },
      { schedule: { cron: "0 12 1 * 5", day_or: false }, active: false, parameters: { who: "world" } },
    ]);
    expect(created.status).toBe(201);
    expect(created.body).toHaveLength(2);
    expect(Object.keys(created.body[0])).toEqual(["id", "created", "updated", "deployment_id", "schedule", "active", "max_scheduled_runs", "parameters", "slug"]);
    expect(created.body[0]).toMatchObject({
      deployment_id: d.id,
      schedule: { interval: 86400, anchor_date: "2024-03-10T09:00:00-05:00", timezone: "America/New_York" },
      active: true,
      slug: "daily",
      parameters: {},
    });
    expect(created.body[1]).toMatchObject({ schedule: { cron: "0 12 1 * 5", timezone: null, day_or: false }, active: false, parameters: { who: "world" } });

    const [daily, cron] = created.body;
    const patched = await api("PATCH", `/deployments/${d.id}/schedules/${cron.id}`, { active: true, schedule: { rrule: "FREQ=HOURLY" } });
    expect(patched.status).toBe(204);
    const list = (await api("GET", `/deployments/${d.id}/schedules`)).body;
    expect(list.map((s: any) => s.id)).toEqual([cron.id, daily.id]);
    expect(list[0]).toMatchObject({ active: true, schedule: { rrule: "DTSTART:20200101T000000\nFREQ=HOURLY", timezone: "UTC" }, parameters: {} });
    expect((await api("GET", `/deployments/${d.id}`)).body.schedules).toEqual(list);

    expect((await api("DELETE", `/deployments/${d.id}/schedules/${daily.id}`)).status).toBe(204);
    expect((await api("GET", `/deployments/${d.id}/schedules`)).body.map((s: any) => s.id)).toEqual([cron.id]);
  });

  it("answers Prefect's 404s", async () => {
    const { d } = await makeDeployment();
    const { body: created } = await api("POST", `/deployments/${d.id}/schedules`, [{ schedule: { interval: 60 } }]);
    const sid = created[0].id;
    expect(await api("GET", `/deployments/${MISSING}/schedules`)).toMatchObject({ status: 404, body: { detail: "Deployment not found." } });
    expect(await api("POST", `/deployments/${MISSING}/schedules`, [])).toMatchObject({ status: 404, body: { detail: "Deployment not found." } });
    expect(await api("PATCH", `/deployments/${MISSING}/schedules/${sid}`, {})).toMatchObject({ status: 404, body: { detail: "Deployment not found." } });
    expect(await api("PATCH", `/deployments/${d.id}/schedules/${MISSING}`, {})).toMatchObject({ status: 404, body: { detail: "Schedule not found." } });
    expect(await api("DELETE", `/deployments/${MISSING}/schedules/${sid}`)).toMatchObject({ status: 404, body: { detail: "Deployment not found." } });
    expect(await api("DELETE", `/deployments/${d.id}/schedules/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Schedule not found." } });
    // Another deployment's schedule is not this deployment's.
    const { d: other } = await makeDeployment();
    expect(await api("DELETE", `/deployments/${other.id}/schedules/${sid}`)).toMatchObject({ status: 404, body: { detail: "Schedule not found." } });
    expect(await api("GET", `/deployments/${d.id}/schedules/nope`)).toMatchObject({ status: 404 });
  });

  it("answers 409 for a slug the deployment already has; 422s for invalid schedules", async () => {
    const { d } = await makeDeployment();
    await api("POST", `/deployments/${d.id}/schedules`, [{ schedule: { interval: 60 }, slug: "s" }]);
    expect(await api("POST", `/deployments/${d.id}/schedules`, [{ schedule: { interval: 60 }, slug: "s" }])).toMatchObject({
      status: 409,
      body: { detail: "Schedule slugs must be unique within a deployment." },
    });
    const notList = await api("POST", `/deployments/${d.id}/schedules`, { schedule: { interval: 60 } });
    expect(notList.status).toBe(422);
    expect(notList.body.exception_detail[0]).toMatchObject({ type: "list_type", loc: ["body"] });
    const badCron = await api("POST", `/deployments/${d.id}/schedules`, [{ schedule: { cron: "61 * * * *" } }]);
    expect(badCron.body.exception_detail[0]).toMatchObject({ loc: ["body", 0, "schedule", "cron"], msg: 'Value error, Invalid cron string: "61 * * * *"' });
    const badTz = await api("PATCH", `/deployments/${d.id}/schedules/${MISSING}`, { schedule: { cron: "* * * * *", timezone: "Nowhere" } });
    expect(badTz.status).toBe(422);
    expect(badTz.body.exception_detail[0].loc).toEqual(["body", "schedule", "timezone"]);
    const noSchedule = await api("POST", `/deployments/${d.id}/schedules`, [{ active: true }]);
    expect(noSchedule.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["body", 0, "schedule"] });
  });

  it("drops auto-scheduled runs: future ones on update, all on delete; creating keeps them", async () => {
    const { flow, d } = await makeDeployment();
    const { body: created } = await api("POST", `/deployments/${d.id}/schedules`, [{ schedule: { interval: 60 } }]);
    const sid = created[0].id;
    const past = await insertRun(d.id, flow.id, { auto: true, at: PAST });
    const future = await insertRun(d.id, flow.id, { auto: true, at: FUTURE() });
    const manual = await insertRun(d.id, flow.id, { auto: false, at: FUTURE() });
    await api("POST", `/deployments/${d.id}/schedules`, [{ schedule: { interval: 120 } }]);
    expect(await runExists(future)).toBe(true);
    await api("PATCH", `/deployments/${d.id}/schedules/${sid}`, { active: false });
    expect([await runExists(past), await runExists(future), await runExists(manual)]).toEqual([true, false, true]);
    await api("DELETE", `/deployments/${d.id}/schedules/${sid}`);
    expect([await runExists(past), await runExists(manual)]).toEqual([false, true]);
  });

  it("takes many schedules at once (D1's 100 bound parameters per statement)", async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ schedule: { interval: 60 * (i + 1) }, slug: `s${i}`, parameters: { i } }));
    const { d } = await makeDeployment({ schedules: many, tags: ["a"], labels: { k: "v" }, concurrency_limit: 2, description: "d", version: "1" });
    expect(d.schedules).toHaveLength(25);
    const again = await api("POST", "/deployments/", { name: d.name, flow_id: d.flow_id, schedules: many });
    expect(again.status).toBe(200);
    expect(again.body.schedules).toHaveLength(25);
    const posted = await api("POST", `/deployments/${d.id}/schedules`, many.map((m, i) => ({ ...m, slug: `t${i}` })));
    expect(posted.body).toHaveLength(25);
    const { d: other } = await makeDeployment({ schedules: [{ schedule: { interval: 60 } }] });
    expect((await api("PATCH", `/deployments/${other.id}`, { schedules: many.map(({ slug: _s, ...m }) => m) })).status).toBe(204);
    expect((await api("GET", `/deployments/${other.id}/schedules`)).body).toHaveLength(25);
  });

  it("lists active schedules of unpaused deployments for the scheduler", async () => {
    const { d: a } = await makeDeployment({ schedules: [{ schedule: { interval: 60 } }, { schedule: { interval: 90 }, active: false }] });
    const { d: paused } = await makeDeployment({ schedules: [{ schedule: { interval: 60 } }], paused: true });
    const { d: none } = await makeDeployment({ schedules: [{ schedule: { interval: 60 }, active: false }] });
    const found = await schedulableDeployments(getDb(db()), { limit: 1000 });
    const byId = new Map(found.map((f) => [f.deployment.id, f]));
    expect(byId.get(a.id)!.schedules.map((s) => (s.schedule as any).interval)).toEqual([60]);
    expect(byId.has(paused.id)).toBe(false);
    expect(byId.has(none.id)).toBe(false);
    const after = await schedulableDeployments(getDb(db()), { afterId: a.id, limit: 1000 });
    expect(after.every((f) => f.deployment.id > a.id)).toBe(true);
  });
});
