import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { api, unique } from "../helpers";

const STORAGE = { bundle_upload_step: null, bundle_execution_step: null, default_result_storage_block_id: null };

describe("work pools", () => {
  it("creates a pool with its default queue, as the SDK sees it (transcript 08)", async () => {
    const name = unique("pool");
    const res = await api("POST", "/work_pools/", { name, description: "example", type: "process" });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual([
      "id", "created", "updated", "name", "description", "type", "base_job_template", "is_paused",
      "concurrency_limit", "status", "default_queue_id", "storage_configuration", "active_slots",
    ]);
    expect(res.body).toMatchObject({
      name,
      description: "example",
      type: "process",
      base_job_template: {},
      is_paused: false,
      concurrency_limit: null,
      status: "NOT_READY",
      storage_configuration: STORAGE,
      active_slots: null,
    });
    expect(res.body.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect((await api("GET", `/work_pools/${name}`)).body).toEqual(res.body);

    const queues = await api("POST", `/work_pools/${name}/queues/filter`, { work_queues: null, limit: null, offset: null });
    expect(queues.status).toBe(200);
    expect(queues.body).toHaveLength(1);
    expect(queues.body[0]).toMatchObject({
      id: res.body.default_queue_id,
      name: "default",
      description: "The work pool's default queue.",
      is_paused: false,
      concurrency_limit: null,
      priority: 1,
      work_pool_id: res.body.id,
      filter: null,
      last_polled: null,
      work_pool_name: name,
      status: "NOT_READY",
      active_slots: null,
    });
  });

  it("answers 409 on a duplicate name, 404 for a missing pool, 403 for reserved names", async () => {
    const name = unique("pool");
    expect((await api("POST", "/work_pools/", { name, type: "process" })).status).toBe(201);
    expect(await api("POST", "/work_pools/", { name, type: "process" })).toMatchObject({
      status: 409,
      body: { detail: "A work pool with this name already exists." },
    });
    const missing = unique("nope");
    expect(await api("GET", `/work_pools/${missing}`)).toMatchObject({ status: 404, body: { detail: `Work pool "${missing}" not found.` } });
    expect(await api("PATCH", `/work_pools/${missing}`, { description: "x" })).toMatchObject({ status: 404 });
    expect(await api("DELETE", `/work_pools/${missing}`)).toMatchObject({ status: 404, body: { detail: `Work pool "${missing}" not found.` } });
    expect(await api("POST", "/work_pools/", { name: unique("Prefect-managed"), type: "process" })).toMatchObject({
      status: 403,
      body: { detail: "Work pools starting with 'Prefect' are reserved for internal use." },
    });
    expect((await api("DELETE", "/work_pools/prefect-x")).status).toBe(403);
    expect((await api("PATCH", "/work_pools/prefect-x", { description: "x" })).status).toBe(403);
    // Pausing and limits stay allowed on reserved pools (here: no such pool).
    expect((await api("PATCH", "/work_pools/prefect-x", { is_paused: true, concurrency_limit: 1 })).status).toBe(404);
  });

  it("updates only the fields sent; pausing and unpausing move the status (transcript 08)", async () => {
    const name = unique("pool");
    const { body: created } = await api("POST", "/work_pools/", { name, description: "example", type: "process" });
    expect((await api("PATCH", `/work_pools/${name}`, { description: "changed", is_paused: true, concurrency_limit: 5 })).status).toBe(204);
    const paused = (await api("GET", `/work_pools/${name}`)).body;
    expect(paused).toMatchObject({ description: "changed", is_paused: true, concurrency_limit: 5, status: "PAUSED", active_slots: 0, type: "process" });
    expect(paused.updated > created.updated).toBe(true);
    expect((await api("PATCH", `/work_pools/${name}`, { is_paused: false })).status).toBe(204);
    expect((await api("GET", `/work_pools/${name}`)).body).toMatchObject({ description: "changed", is_paused: false, concurrency_limit: 5, status: "NOT_READY" });
    // Unpausing with an online worker makes the pool READY.
    await api("POST", `/work_pools/${name}/workers/heartbeat`, { name: "w", heartbeat_interval_seconds: 30 });
    await api("PATCH", `/work_pools/${name}`, { is_paused: true });
    expect((await api("GET", `/work_pools/${name}`)).body.status).toBe("PAUSED");
    await api("PATCH", `/work_pools/${name}`, { is_paused: false });
    expect((await api("GET", `/work_pools/${name}`)).body.status).toBe("READY");
  });

  it("creates a paused pool PAUSED and stores base job template and storage configuration", async () => {
    const name = unique("pool");
    const template = { job_configuration: { command: "{{ command }}" }, variables: { type: "object", properties: { command: { type: "string" } } } };
    const res = await api("POST", "/work_pools/", {
      name,
      type: "process",
      is_paused: true,
      concurrency_limit: 2,
      base_job_template: template,
      storage_configuration: { bundle_upload_step: { step: {} } },
    });
    expect(res.body).toMatchObject({
      status: "PAUSED",
      active_slots: 0,
      base_job_template: template,
      storage_configuration: { ...STORAGE, bundle_upload_step: { step: {} } },
    });
    await api("PATCH", `/work_pools/${name}`, { storage_configuration: { bundle_execution_step: { run: {} } } });
    expect((await api("GET", `/work_pools/${name}`)).body.storage_configuration).toEqual({ ...STORAGE, bundle_execution_step: { run: {} } });
  });

  it("rejects base job templates whose placeholders are undeclared", async () => {
    const bad = await api("POST", "/work_pools/", {
      name: unique("pool"),
      type: "process",
      base_job_template: { job_configuration: { command: "{{ nope }}" }, variables: { properties: { command: {} } } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "value_error", loc: ["body", "base_job_template"] });
    expect(bad.body.exception_detail[0].msg).toContain("undeclared variable(s): nope.");
    const partial = await api("POST", "/work_pools/", { name: unique("pool"), base_job_template: { variables: {} } });
    expect(partial.body.exception_detail[0].msg).toBe(
      "Value error, The `base_job_template` must contain both a `job_configuration` key and a `variables` key.",
    );
  });

  it("filters by name / type / id, sorts by name and counts", async () => {
    const type = unique("type");
    const names = [unique("b-pool"), unique("a-pool"), unique("c-pool")];
    for (const name of names) await api("POST", "/work_pools/", { name, type });
    const listed = await api("POST", "/work_pools/filter", { work_pools: { type: { any_: [type] } } });
    expect(listed.body.map((p: any) => p.name)).toEqual([...names].sort());
    expect((await api("POST", "/work_pools/count", { work_pools: { type: { any_: [type] } } })).body).toBe(3);
    const byName = await api("POST", "/work_pools/filter", { work_pools: { name: { any_: [names[0]] } } });
    expect(byName.body.map((p: any) => p.name)).toEqual([names[0]]);
    const page = await api("POST", "/work_pools/filter", { work_pools: { type: { any_: [type] } }, limit: 1, offset: 1 });
    expect(page.body.map((p: any) => p.name)).toEqual([[...names].sort()[1]]);
    expect((await api("POST", "/work_pools/filter", { limit: 201 })).status).toBe(422);
    expect(typeof (await api("POST", "/work_pools/count", {})).body).toBe("number");
  });

  it("deletes a pool with its queues and workers; its runs lose their queue", async () => {
    const name = unique("pool");
    const { body: pool } = await api("POST", "/work_pools/", { name, type: "process" });
    await api("POST", `/work_pools/${name}/queues`, { name: "extra" });
    await api("POST", `/work_pools/${name}/workers/heartbeat`, { name: "w1" });
    const runId = crypto.randomUUID();
    await (env as any).DB.prepare(
      "INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, work_pool_id, work_pool_name) VALUES (?, 'x', 'x', 'r', 'f', ?, ?, ?)",
    )
      .bind(runId, pool.default_queue_id, pool.id, name)
      .run();
    expect((await api("DELETE", `/work_pools/${name}`)).status).toBe(204);
    expect((await api("GET", `/work_pools/${name}`)).status).toBe(404);
    const db = (env as any).DB;
    expect((await db.prepare("SELECT count(*) AS n FROM work_queue WHERE work_pool_id = ?").bind(pool.id).first()).n).toBe(0);
    expect((await db.prepare("SELECT count(*) AS n FROM worker WHERE work_pool_id = ?").bind(pool.id).first()).n).toBe(0);
    expect(await db.prepare("SELECT work_queue_id, work_pool_id FROM flow_run WHERE id = ?").bind(runId).first()).toEqual({
      work_queue_id: null,
      work_pool_id: null,
    });
  });

  it("counts PENDING and RUNNING runs of its queues as active slots when it has a limit", async () => {
    const name = unique("pool");
    const { body: pool } = await api("POST", "/work_pools/", { name, type: "process", concurrency_limit: 3 });
    const db = (env as any).DB;
    for (const state of ["PENDING", "RUNNING", "SCHEDULED", "CANCELLING"]) {
      await db
        .prepare("INSERT INTO flow_run (id, created, updated, name, flow_id, work_queue_id, state_type) VALUES (?, 'x', 'x', 'r', 'f', ?, ?)")
        .bind(crypto.randomUUID(), pool.default_queue_id, state)
        .run();
    }
    expect((await api("GET", `/work_pools/${name}`)).body.active_slots).toBe(2);
    const [listed] = (await api("POST", "/work_pools/filter", { work_pools: { id: { any_: [pool.id] } } })).body;
    expect(listed.active_slots).toBe(2);
  });

  it("reads pools and queues whose names need URL encoding", async () => {
    const name = unique("my pool");
    expect((await api("POST", "/work_pools/", { name, type: "process" })).status).toBe(201);
    expect((await api("GET", `/work_pools/${encodeURIComponent(name)}`)).body.name).toBe(name);
    await api("POST", `/work_pools/${encodeURIComponent(name)}/queues`, { name: "a queue" });
    expect((await api("GET", `/work_pools/${encodeURIComponent(name)}/queues/a%20queue`)).body.name).toBe("a queue");
  });

  it("documents every route in the OpenAPI document with Prefect's paths", async () => {
    const { body: doc } = await api("GET", "/openapi.json");
    const expected: [string, string][] = [
      ["/work_pools/", "post"],
      ["/work_pools/filter", "post"],
      ["/work_pools/count", "post"],
      ["/work_pools/{name}", "get"],
      ["/work_pools/{name}", "patch"],
      ["/work_pools/{name}", "delete"],
      ["/work_pools/{work_pool_name}/queues", "post"],
      ["/work_pools/{work_pool_name}/queues/filter", "post"],
      ["/work_pools/{work_pool_name}/queues/{name}", "get"],
      ["/work_pools/{work_pool_name}/queues/{name}", "patch"],
      ["/work_pools/{work_pool_name}/queues/{name}", "delete"],
      ["/work_pools/{work_pool_name}/workers/heartbeat", "post"],
      ["/work_pools/{work_pool_name}/workers/filter", "post"],
      ["/work_pools/{work_pool_name}/workers/{name}", "delete"],
      ["/work_queues/", "post"],
      ["/work_queues/filter", "post"],
      ["/work_queues/{id}", "get"],
      ["/work_queues/{id}", "patch"],
      ["/work_queues/{id}", "delete"],
      ["/work_queues/name/{name}", "get"],
      ["/work_queues/{id}/status", "get"],
      ["/collections/views/{view}", "get"],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths["/work_pools/filter"].post.requestBody).toBeDefined();
    expect(doc.components.schemas).toHaveProperty("WorkPoolResponse");
  });
});
