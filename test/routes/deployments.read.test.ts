import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique, waitFor } from "../helpers";

const MISSING = "00000000-0000-4000-8000-000000000000";

async function makeFlow(name = unique("flow")) {
  return (await api("POST", "/flows/", { name })).body as { id: string; name: string };
}

async function makeDeployment(flowId: string, body: Record<string, unknown> = {}) {
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flowId, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const db = () => (env as any).DB as D1Database;

async function insertRun(deploymentId: string, flowId: string, opts: { auto?: boolean; at?: string; state?: string; name?: string; runCount?: number }) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const at = opts.at ?? new Date(Date.now() + 3600_000).toISOString();
  const state = opts.state ?? "SCHEDULED";
  const name = opts.name ?? (state === "SCHEDULED" ? "Scheduled" : state[0] + state.slice(1).toLowerCase());
  await db()
    .prepare(
      `INSERT INTO flow_run (id, created, updated, name, flow_id, deployment_id, state_type, state_name, next_scheduled_start_time, expected_start_time, auto_scheduled, run_count)
       VALUES (?, ?, ?, 'run', ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(id, now, now, flowId, deploymentId, state, name, at, at, opts.auto ? 1 : 0, opts.runCount ?? 0)
    .run();
  return id;
}

async function runExists(id: string) {
  return !!(await db().prepare(`SELECT 1 FROM flow_run WHERE id = ?`).bind(id).first());
}

describe("reading deployments", () => {
  it("reads by id and by flow and deployment name; 404s as Prefect", async () => {
    const flow = await makeFlow();
    const d = await makeDeployment(flow.id);
    expect((await api("GET", `/deployments/${d.id}`)).body).toEqual(d);
    expect((await api("GET", `/deployments/${d.id.replace(/-/g, "").toUpperCase()}`)).body.id).toBe(d.id);
    expect((await api("GET", `/deployments/name/${flow.name}/${d.name}`)).body).toEqual(d);
    // transcript 15
    expect(await api("GET", `/deployments/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Deployment not found" } });
    expect(await api("GET", "/deployments/name/nope/nope")).toMatchObject({ status: 404, body: { detail: "Deployment not found" } });
    expect(await api("GET", `/deployments/name/${flow.name}/nope`)).toMatchObject({ status: 404 });
    expect(await api("GET", "/deployments/not-a-uuid")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });

  it("reads names that need URL encoding", async () => {
    const flow = await makeFlow(unique("my flow"));
    const d = await makeDeployment(flow.id, { name: unique("my dep") });
    const res = await api("GET", `/deployments/name/${encodeURIComponent(flow.name)}/${encodeURIComponent(d.name)}`);
    expect(res.body.id).toBe(d.id);
  });

  it("filters by deployment, flow, run, pool and queue criteria; sorts; counts", async () => {
    const tag = unique("tag");
    const flowA = await makeFlow();
    const flowB = await makeFlow();
    const pool = unique("pool");
    await api("POST", "/work_pools/", { name: pool, type: "process" });
    const a = await makeDeployment(flowA.id, { name: unique("alpha"), tags: [tag], work_pool_name: pool, work_queue_name: "q1" });
    const b = await makeDeployment(flowA.id, { name: unique("beta"), tags: [tag, "extra"], paused: true });
    const c = await makeDeployment(flowB.id, { name: unique("gamma"), tags: [tag] });
    await insertRun(c.id, flowB.id, { state: "COMPLETED" });
    const names = async (body: Record<string, unknown>) => (await api("POST", "/deployments/filter", body)).body.map((d: any) => d.name);
    const mine = { deployments: { tags: { all_: [tag] } } };

    expect(await names(mine)).toEqual([a.name, b.name, c.name]);
    expect(await names({ ...mine, sort: "NAME_DESC" })).toEqual([c.name, b.name, a.name]);
    expect(await names({ ...mine, sort: "CREATED_DESC" })).toEqual([c.name, b.name, a.name]);
    expect(await names({ ...mine, limit: 1, offset: 1 })).toEqual([b.name]);
    expect(await names({ deployments: { tags: { all_: [tag, "extra"] } } })).toEqual([b.name]);
    expect(await names({ deployments: { ...mine.deployments, paused: { eq_: true } } })).toEqual([b.name]);
    expect(await names({ deployments: { id: { any_: [a.id, c.id] } } })).toEqual([a.name, c.name]);
    expect(await names({ deployments: { name: { like_: a.name.slice(0, 12).toUpperCase() } } })).toEqual([a.name]);
    expect(await names({ ...mine, flows: { id: { any_: [flowB.id] } } })).toEqual([c.name]);
    expect(await names({ ...mine, flow_runs: { id: { not_any_: [] } } })).toEqual([c.name]);
    expect(await names({ ...mine, work_pools: { name: { any_: [pool] } } })).toEqual([a.name]);
    expect(await names({ ...mine, work_pool_queues: { name: { any_: ["q1"] } } })).toEqual([a.name]);
    expect(await names({ ...mine, work_pool_queues: { name: { any_: ["nope"] } } })).toEqual([]);
    // What the SDK sends when nothing is asked for: nulls everywhere.
    const sdk = await api("POST", "/deployments/filter", {
      flows: null,
      flow_runs: null,
      task_runs: null,
      deployments: mine.deployments,
      work_pools: null,
      work_pool_queues: null,
      limit: null,
      offset: 0,
      sort: null,
    });
    expect(sdk.status).toBe(200);
    expect(sdk.body).toHaveLength(3);
    expect(sdk.body[0]).toEqual((await api("GET", `/deployments/${a.id}`)).body);

    expect((await api("POST", "/deployments/count", mine)).body).toBe(3);
    expect((await api("POST", "/deployments/count", { ...mine, flows: { id: { any_: [flowA.id] } } })).body).toBe(2);
    expect((await api("POST", "/deployments/filter", { limit: 201 })).body).toEqual({ detail: "Invalid limit: must be less than or equal to 200." });
    const badSort = await api("POST", "/deployments/filter", { sort: "SIDEWAYS" });
    expect(badSort.status).toBe(422);
    expect(badSort.body.exception_detail[0]).toMatchObject({ type: "enum", loc: ["body", "sort"] });
  });

  it("paginates (seed 003)", async () => {
    const tag = unique("tag");
    const flow = await makeFlow();
    for (let i = 0; i < 5; i++) await makeDeployment(flow.id, { name: `${tag}-${i}`, tags: [tag] });
    const page = await api("POST", "/deployments/paginate", { deployments: { tags: { all_: [tag] } }, limit: 2, page: 2 });
    expect(page.status).toBe(200);
    expect(Object.keys(page.body)).toEqual(["results", "count", "limit", "pages", "page"]);
    expect(page.body).toMatchObject({ count: 5, limit: 2, pages: 3, page: 2 });
    expect(page.body.results.map((d: any) => d.name)).toEqual([`${tag}-2`, `${tag}-3`]);
    const all = await api("POST", "/deployments/paginate", { deployments: { tags: { all_: [tag] } }, sort: "NAME_DESC" });
    expect(all.body).toMatchObject({ count: 5, limit: 200, pages: 1, page: 1 });
    expect(all.body.results[0].name).toBe(`${tag}-4`);
    const zero = await api("POST", "/deployments/paginate", { page: 0 });
    expect(zero.status).toBe(422);
    expect(zero.body.exception_detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["body", "page"] });
  });

  it("reports READY while its queue was polled within the last minute", async () => {
    const pool = unique("pool");
    await api("POST", "/work_pools/", { name: pool, type: "process" });
    const flow = await makeFlow();
    const d = await makeDeployment(flow.id, { work_pool_name: pool });
    expect(d.status).toBe("NOT_READY");
    await api("POST", `/work_pools/${pool}/get_scheduled_flow_runs`, {});
    // Queues are marked polled after the response (waitUntil): wait for it.
    const read = await waitFor(async () => {
      const body = (await api("GET", `/deployments/${d.id}`)).body;
      return body.status === "READY" ? body : undefined;
    });
    expect(read.last_polled).not.toBeNull();
    await db().prepare(`UPDATE work_queue SET last_polled = ? WHERE id = ?`).bind("2020-01-01T00:00:00.000000Z", d.work_queue_id).run();
    expect((await api("GET", `/deployments/${d.id}`)).body).toMatchObject({ status: "NOT_READY", last_polled: "2020-01-01T00:00:00.000000Z" });
  });
});

describe("deleting deployments", () => {
  it("deletes a deployment with its schedules and scheduled runs, keeping other runs", async () => {
    const flow = await makeFlow();
    const d = await makeDeployment(flow.id, { schedules: [{ schedule: { interval: 60 } }] });
    const scheduledAuto = await insertRun(d.id, flow.id, { auto: true });
    const scheduledManual = await insertRun(d.id, flow.id, { auto: false, at: "2020-01-01T00:00:00.000000Z" });
    const awaiting = await insertRun(d.id, flow.id, { name: "AwaitingConcurrencySlot" });
    const completed = await insertRun(d.id, flow.id, { state: "COMPLETED" });
    const retried = await insertRun(d.id, flow.id, { runCount: 1 });
    const res = await api("DELETE", `/deployments/${d.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await runExists(scheduledAuto)).toBe(false);
    expect(await runExists(scheduledManual)).toBe(false);
    expect(await runExists(awaiting)).toBe(true);
    expect(await runExists(completed)).toBe(true);
    expect(await runExists(retried)).toBe(true);
    const left = await db().prepare(`SELECT count(*) AS n FROM deployment_schedule WHERE deployment_id = ?`).bind(d.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
    expect(await api("DELETE", `/deployments/${d.id}`)).toMatchObject({ status: 404, body: { detail: "Deployment not found" } });
    expect(await api("GET", `/deployments/${d.id}`)).toMatchObject({ status: 404 });
  });

  it("bulk deletes up to the limit of those matching, by name", async () => {
    const tag = unique("tag");
    const flow = await makeFlow();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await makeDeployment(flow.id, { name: `${tag}-${i}`, tags: [tag] }));
    const first = await api("POST", "/deployments/bulk_delete", { deployments: { tags: { all_: [tag] } }, limit: 2 });
    expect(first).toMatchObject({ status: 200, body: { deleted: [made[0].id, made[1].id] } });
    const rest = await api("POST", "/deployments/bulk_delete", { deployments: { tags: { all_: [tag] } } });
    expect(rest.body).toEqual({ deleted: [made[2].id] });
    expect((await api("POST", "/deployments/bulk_delete", { deployments: { tags: { all_: [tag] } } })).body).toEqual({ deleted: [] });
    const tooMany = await api("POST", "/deployments/bulk_delete", { limit: 51 });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.exception_detail[0]).toMatchObject({ type: "less_than_equal", loc: ["body", "limit"] });
  });
});

describe("work_queue_check (legacy queue filters)", () => {
  it("lists the queues whose filter would pick the deployment up", async () => {
    const flow = await makeFlow();
    const d = await makeDeployment(flow.id, { tags: ["a", "b"] });
    const names = [unique("wq-any"), unique("wq-tag"), unique("wq-othertag"), unique("wq-dep"), unique("wq-otherdep")];
    await api("POST", "/work_queues/", { name: names[0] });
    await api("POST", "/work_queues/", { name: names[1], filter: { tags: ["a"] } });
    await api("POST", "/work_queues/", { name: names[2], filter: { tags: ["a", "z"] } });
    await api("POST", "/work_queues/", { name: names[3], filter: { deployment_ids: [d.id] } });
    await api("POST", "/work_queues/", { name: names[4], filter: { deployment_ids: [MISSING] } });
    const res = await api("GET", `/deployments/${d.id}/work_queue_check`);
    expect(res.status).toBe(200);
    const found = res.body.map((q: any) => q.name);
    expect(found).toEqual(expect.arrayContaining([names[0], names[1], names[3]]));
    expect(found).not.toContain(names[2]);
    expect(found).not.toContain(names[4]);
    expect(Object.keys(res.body[0]).sort()).toEqual(
      ["id", "created", "updated", "name", "description", "is_paused", "concurrency_limit", "priority", "work_pool_id", "filter", "last_polled"].sort(),
    );
    expect(await api("GET", `/deployments/${MISSING}/work_queue_check`)).toMatchObject({ status: 404, body: { detail: "Deployment not found" } });
  });
});

describe("OpenAPI document", () => {
  it("documents every deployment route with Prefect's paths", async () => {
    const { status, body: doc } = await api("GET", "/openapi.json");
    expect(status).toBe(200);
    const expected: [string, string][] = [
      ["/deployments/", "post"],
      ["/deployments/{id}", "get"],
      ["/deployments/{id}", "patch"],
      ["/deployments/{id}", "delete"],
      ["/deployments/name/{flow_name}/{deployment_name}", "get"],
      ["/deployments/filter", "post"],
      ["/deployments/paginate", "post"],
      ["/deployments/count", "post"],
      ["/deployments/bulk_delete", "post"],
      ["/deployments/{id}/pause_deployment", "post"],
      ["/deployments/{id}/resume_deployment", "post"],
      ["/deployments/{id}/set_schedule_active", "post"],
      ["/deployments/{id}/set_schedule_inactive", "post"],
      ["/deployments/{id}/work_queue_check", "get"],
      ["/deployments/{id}/schedules", "get"],
      ["/deployments/{id}/schedules", "post"],
      ["/deployments/{id}/schedules/{schedule_id}", "patch"],
      ["/deployments/{id}/schedules/{schedule_id}", "delete"],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths["/deployments/"].post.requestBody).toBeDefined();
    expect(doc.components.schemas).toHaveProperty("DeploymentResponse");
  });
});
