import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique, waitFor } from "../helpers";
import { remaining, seedDeployment, seedFlow, seedFlowRun, seedInput, seedLog, seedLogs, seedTaskRun } from "../fixtures/runs";
import { poolWithQueue } from "../fixtures/pools";

const MISSING = "00000000-0000-4000-8000-000000000000";

const FLOW_RUN_KEYS = [
  "id", "created", "updated", "name", "flow_id", "state_id", "deployment_id", "deployment_version", "work_queue_id",
  "work_queue_name", "flow_version", "parameters", "idempotency_key", "context", "empirical_policy", "tags", "labels",
  "parent_task_run_id", "state_type", "state_name", "run_count", "expected_start_time", "next_scheduled_start_time",
  "start_time", "end_time", "total_run_time", "estimated_run_time", "estimated_start_time_delta", "auto_scheduled",
  "infrastructure_document_id", "infrastructure_pid", "created_by", "work_pool_id", "work_pool_name", "state", "job_variables",
];


/** What `remaining` counts once a run and everything under it are gone. */
const NOTHING_LEFT = { flowRuns: 0, flowRunStates: 0, inputs: 0, flowRunLogs: 0, taskRuns: 0, taskRunStates: 0, taskRunLogs: 0 };
describe("GET /flow_runs/{id}", () => {
  it("answers the run with every field and its current state", async () => {
    const run = await seedFlowRun({ states: [{ type: "PENDING" }, { type: "RUNNING" }], parameters: { x: 1 }, tags: ["t"] });
    const res = await api("GET", `/flow_runs/${run.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(FLOW_RUN_KEYS);
    expect(res.body).toMatchObject({
      id: run.id,
      name: run.name,
      flow_id: run.flow_id,
      parameters: { x: 1 },
      tags: ["t"],
      state_type: "RUNNING",
      state_name: "Running",
      state_id: run.stateIds[1],
      empirical_policy: { max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, pause_keys: [], resuming: false, retry_type: null },
      job_variables: {},
    });
    expect(res.body.state).toMatchObject({ id: run.stateIds[1], type: "RUNNING", name: "Running", message: null, data: null });
    expect(res.body.state.state_details).toMatchObject({ flow_run_id: run.id, task_run_id: null, untrackable_result: false });
  });

  it("accepts an upper-case, unhyphenated id and 404s Prefect's ways", async () => {
    const run = await seedFlowRun();
    const res = await api("GET", `/flow_runs/${run.id.replaceAll("-", "").toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(run.id);
    expect(await api("GET", `/flow_runs/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Flow run not found" } });
    expect(await api("GET", "/flow_runs/not-a-uuid")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});

describe("PATCH /flow_runs/{id}", () => {
  it("updates only the fields sent (204)", async () => {
    const run = await seedFlowRun({ tags: ["keep"], parameters: { a: 1 }, flow_version: "1" });
    const res = await api("PATCH", `/flow_runs/${run.id}`, { name: "renamed" });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const after = (await api("GET", `/flow_runs/${run.id}`)).body;
    expect(after).toMatchObject({ name: "renamed", tags: ["keep"], parameters: { a: 1 }, flow_version: "1" });
    expect(after.updated >= run.updated).toBe(true);

    await api("PATCH", `/flow_runs/${run.id}`, { tags: ["x"], parameters: { b: 2 }, infrastructure_pid: "pid-1", flow_version: null });
    expect((await api("GET", `/flow_runs/${run.id}`)).body).toMatchObject({
      name: "renamed",
      tags: ["x"],
      parameters: { b: 2 },
      infrastructure_pid: "pid-1",
      flow_version: null,
    });

    await api("PATCH", `/flow_runs/${run.id}`, { empirical_policy: { retries: 3, retry_delay: 5 } });
    expect((await api("GET", `/flow_runs/${run.id}`)).body.empirical_policy).toMatchObject({ retries: 3, retry_delay: 5, pause_keys: [] });
  });

  it("404s a missing run and 422s unknown fields", async () => {
    expect(await api("PATCH", `/flow_runs/${MISSING}`, { name: "x" })).toMatchObject({ status: 404, body: { detail: "Flow run not found" } });
    const run = await seedFlowRun();
    const bad = await api("PATCH", `/flow_runs/${run.id}`, { nope: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [{ type: "extra_forbidden", loc: ["body", "nope"], msg: "Extra inputs are not permitted", input: 1 }],
      request_body: { nope: 1 },
    });
    const badTags = await api("PATCH", `/flow_runs/${run.id}`, { tags: "a" });
    expect(badTags.body.exception_detail[0]).toMatchObject({ type: "list_type", loc: ["body", "tags"] });
  });

  it("updates job variables only of a scheduled deployment run", async () => {
    const noState = await seedFlowRun({ states: [] });
    expect(await api("PATCH", `/flow_runs/${noState.id}`, { job_variables: { a: 1 } })).toMatchObject({
      status: 400,
      body: { detail: "Flow run state is required to update job variables but none exists" },
    });
    const running = await seedFlowRun({ state: { type: "RUNNING" } });
    expect(await api("PATCH", `/flow_runs/${running.id}`, { job_variables: { a: 1 } })).toMatchObject({
      status: 400,
      body: { detail: "Job variables for a flow run in state RUNNING cannot be updated" },
    });
    const noDeployment = await seedFlowRun({ state: { type: "SCHEDULED" } });
    expect(await api("PATCH", `/flow_runs/${noDeployment.id}`, { job_variables: { a: 1 } })).toMatchObject({
      status: 400,
      body: { detail: "A deployment for the flow run could not be found" },
    });
    const flow = await seedFlow();
    const dep = await seedDeployment(flow.id);
    const ok = await seedFlowRun({ flow_id: flow.id, deployment_id: dep.id, state: { type: "SCHEDULED" } });
    expect((await api("PATCH", `/flow_runs/${ok.id}`, { job_variables: { a: 1 } })).status).toBe(204);
    expect((await api("GET", `/flow_runs/${ok.id}`)).body.job_variables).toEqual({ a: 1 });
    expect(await api("PATCH", `/flow_runs/${MISSING}`, { job_variables: { a: 1 } })).toMatchObject({ status: 404, body: { detail: "Flow run not found" } });
  });
});

describe("PATCH /flow_runs/{id}/labels", () => {
  it("merges labels into the run's labels", async () => {
    const run = await seedFlowRun({ labels: { keep: "1", change: "a" } });
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { change: "b", added: 3 })).status).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.labels).toEqual({ keep: "1", change: "b", added: 3 });
  });

  it("answers Prefect's object-not-found shape and 422s a non-object", async () => {
    expect(await api("PATCH", `/flow_runs/${MISSING}/labels`, { a: "b" })).toMatchObject({
      status: 404,
      body: { exception_message: `Flow run with id ${MISSING} not found` },
    });
    const run = await seedFlowRun();
    const bad = await api("PATCH", `/flow_runs/${run.id}/labels`, ["a"]);
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "dict_type", loc: ["body"] });
  });
});

describe("POST /flow_runs/filter, /count, /paginate", () => {
  async function three() {
    const tag = unique("tag");
    const flow = await seedFlow();
    const runs = [];
    for (const [i, name] of ["b-run", "a-run", "c-run"].entries()) {
      runs.push(
        await seedFlowRun({
          flow_id: flow.id,
          name: `${name}-${tag}`,
          tags: [tag],
          expected_start_time: `2030-01-0${i + 1}T00:00:00.000000Z`,
        }),
      );
    }
    return { tag, flow, runs };
  }

  it("filters by tag and sorts (default ID_DESC)", async () => {
    const { tag, runs } = await three();
    const filter = { flow_runs: { tags: { all_: [tag] } } };
    const listed = await api("POST", "/flow_runs/filter", filter);
    expect(listed.status).toBe(200);
    expect(listed.body.map((r: any) => r.id)).toEqual(runs.map((r) => r.id).sort().reverse());
    expect(Object.keys(listed.body[0])).toEqual(FLOW_RUN_KEYS);
    const byName = await api("POST", "/flow_runs/filter", { ...filter, sort: "NAME_ASC" });
    expect(byName.body.map((r: any) => r.name)).toEqual([runs[1].name, runs[0].name, runs[2].name]);
    const byStart = await api("POST", "/flow_runs/filter", { ...filter, sort: "EXPECTED_START_TIME_DESC", limit: 2, offset: 1 });
    expect(byStart.body.map((r: any) => r.id)).toEqual([runs[1].id, runs[0].id]);
    expect((await api("POST", "/flow_runs/count", filter)).body).toBe(3);
  });

  it("takes the SDK's nulls as defaults", async () => {
    const { tag, runs } = await three();
    const body = {
      flows: null,
      flow_runs: { tags: { all_: [tag] } },
      task_runs: null,
      deployments: null,
      work_pools: null,
      work_pool_queues: null,
      sort: null,
      limit: null,
      offset: null,
    };
    const res = await api("POST", "/flow_runs/filter", body);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(runs.length);
    const count = await api("POST", "/flow_runs/count", { flows: null, flow_runs: { tags: { all_: [tag] } }, task_runs: null });
    expect(count.body).toBe(3);
  });

  it("filters through the run's flow, deployment, work pool and queue, and task runs", async () => {
    const { tag, flow, runs } = await three();
    const other = await seedFlowRun({ tags: [tag] });
    expect((await api("POST", "/flow_runs/count", { flows: { id: { any_: [flow.id] } }, flow_runs: { tags: { all_: [tag] } } })).body).toBe(3);
    expect((await api("POST", "/flow_runs/count", { flows: { id: { any_: [other.flow_id] } } })).body).toBe(1);

    const dep = await seedDeployment(flow.id);
    const { pool, queue } = await poolWithQueue();
    const inPool = await seedFlowRun({ flow_id: flow.id, deployment_id: dep.id, work_queue_id: queue.id, tags: [tag] });
    expect((await api("POST", "/flow_runs/filter", { deployments: { id: { any_: [dep.id] } } })).body.map((r: any) => r.id)).toEqual([inPool.id]);
    expect((await api("POST", "/flow_runs/filter", { work_pools: { name: { any_: [pool.name] } } })).body.map((r: any) => r.id)).toEqual([inPool.id]);
    expect((await api("POST", "/flow_runs/filter", { work_pool_queues: { id: { any_: [queue.id] } } })).body.map((r: any) => r.id)).toEqual([inPool.id]);

    const task = await seedTaskRun({ flow_run_id: runs[0].id, tags: [unique("tt")] });
    const withTask = await api("POST", "/flow_runs/filter", { task_runs: { id: { any_: [task.id] } } });
    expect(withTask.body.map((r: any) => r.id)).toEqual([runs[0].id]);
  });

  it("paginates", async () => {
    const { tag } = await three();
    const page = await api("POST", "/flow_runs/paginate", { flow_runs: { tags: { all_: [tag] } }, limit: 2, page: 2, sort: "NAME_DESC" });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ count: 3, limit: 2, pages: 2, page: 2 });
    expect(page.body.results).toHaveLength(1);
    expect(page.body.results[0].name.startsWith("a-run")).toBe(true);
    const first = await api("POST", "/flow_runs/paginate", { flow_runs: { tags: { all_: [tag] } }, page: null, limit: null });
    expect(first.body).toMatchObject({ count: 3, limit: 200, pages: 1, page: 1 });
  });

  it("answers Prefect's validation errors", async () => {
    expect(await api("POST", "/flow_runs/filter", { limit: 201 })).toMatchObject({
      status: 422,
      body: { detail: "Invalid limit: must be less than or equal to 200." },
    });
    expect(await api("POST", "/flow_runs/paginate", { limit: 500 })).toMatchObject({ status: 422, body: { detail: "Invalid limit: must be less than or equal to 200." } });
    const many = await api("POST", "/flow_runs/filter", { limit: "many" });
    expect(many.body).toEqual({
      exception_message: "Invalid request received.",
      exception_detail: [{ type: "int_parsing", loc: ["body", "limit"], msg: "Input should be a valid integer, unable to parse string as an integer", input: "many" }],
      request_body: { limit: "many" },
    });
    const sort = await api("POST", "/flow_runs/filter", { sort: "SIDEWAYS" });
    expect(sort.status).toBe(422);
    expect(sort.body.exception_detail[0]).toMatchObject({ type: "enum", loc: ["body", "sort"] });
    const offset = await api("POST", "/flow_runs/filter", { offset: -1 });
    expect(offset.body.exception_detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["body", "offset"] });
    const page = await api("POST", "/flow_runs/paginate", { page: 0 });
    expect(page.body.exception_detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["body", "page"] });
    const filter = await api("POST", "/flow_runs/count", { flow_runs: { nope: 1 } });
    expect(filter.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "flow_runs", "nope"] });
  });
});

describe("POST /flow_runs/lateness", () => {
  it("averages lateness over the matching runs, null when none", async () => {
    const tag = unique("late");
    await seedFlowRun({
      tags: [tag],
      state: { type: "COMPLETED" },
      expected_start_time: "2030-01-01T00:00:00.000000Z",
      start_time: "2030-01-01T00:00:10.000000Z",
    });
    await seedFlowRun({
      tags: [tag],
      state: { type: "COMPLETED" },
      expected_start_time: "2030-01-01T00:00:00.000000Z",
      start_time: "2030-01-01T00:00:02.500000Z",
    });
    await seedFlowRun({ tags: [tag], state: { type: "COMPLETED" }, expected_start_time: "2030-01-01T00:00:00.000000Z", start_time: "2029-12-31T00:00:00.000000Z" });
    const res = await api("POST", "/flow_runs/lateness", { flow_runs: { tags: { all_: [tag] } } });
    expect(res.status).toBe(200);
    expect(res.body).toBeCloseTo(12.5 / 3, 6);
    const none = await api("POST", "/flow_runs/lateness", { flow_runs: { tags: { all_: [unique("none")] } } });
    expect(none).toMatchObject({ status: 200, text: "null" });
  });

  it("counts a scheduled run that has not started as late until now", async () => {
    const tag = unique("late");
    const expected = new Date(Date.now() - 60_000).toISOString();
    await seedFlowRun({ tags: [tag], state: { type: "SCHEDULED" }, expected_start_time: expected });
    const res = await api("POST", "/flow_runs/lateness", { flow_runs: { tags: { all_: [tag] } } });
    expect(res.body).toBeGreaterThan(59);
    expect(res.body).toBeLessThan(120);
  });
});

describe("DELETE /flow_runs/{id}", () => {
  it("deletes the run with its states, task runs and their states, inputs and logs", async () => {
    const run = await seedFlowRun({ states: [{ type: "PENDING" }, { type: "RUNNING" }] });
    const t1 = await seedTaskRun({ flow_run_id: run.id, states: [{ type: "PENDING" }, { type: "COMPLETED" }] });
    const t2 = await seedTaskRun({ flow_run_id: run.id });
    const subflow = await seedFlowRun({ parent_task_run_id: t2.id });
    await seedInput(run.id, "k1");
    await seedLog({ flow_run_id: run.id });
    await seedLog({ flow_run_id: run.id, task_run_id: t1.id });
    const other = await seedFlowRun();
    await seedInput(other.id, "k1");

    const res = await api("DELETE", `/flow_runs/${run.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await remaining({ flowRuns: [run.id], taskRuns: [t1.id, t2.id] })).toEqual(NOTHING_LEFT);
    // The subflow survives, unparented; other runs are untouched.
    const sub = await api("GET", `/flow_runs/${subflow.id}`);
    expect(sub.body).toMatchObject({ id: subflow.id, parent_task_run_id: null });
    expect(await remaining({ flowRuns: [other.id] })).toMatchObject({ flowRuns: 1, flowRunStates: 1, inputs: 1 });

    expect(await api("DELETE", `/flow_runs/${run.id}`)).toMatchObject({ status: 404, body: { detail: "Flow run not found" } });
    expect(await api("GET", `/flow_runs/${run.id}`)).toMatchObject({ status: 404 });
  });
});

describe("POST /flow_runs/bulk_delete", () => {
  it("deletes up to `limit` matching runs and answers their ids", async () => {
    const tag = unique("bulk");
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await seedFlowRun({ tags: [tag] }));
    const task = await seedTaskRun({ flow_run_id: runs[0].id });
    const first = await api("POST", "/flow_runs/bulk_delete", { flow_runs: { tags: { all_: [tag] } }, limit: 2 });
    expect(first.status).toBe(200);
    const expected = runs.map((r) => r.id).sort().reverse();
    expect(first.body).toEqual({ deleted: expected.slice(0, 2) });
    const second = await api("POST", "/flow_runs/bulk_delete", { flow_runs: { tags: { all_: [tag] } } });
    expect(second.body).toEqual({ deleted: expected.slice(2) });
    expect(await remaining({ flowRuns: runs.map((r) => r.id), taskRuns: [task.id] })).toMatchObject({ flowRuns: 0, flowRunStates: 0, taskRuns: 0, taskRunStates: 0 });
    expect((await api("POST", "/flow_runs/bulk_delete", { flow_runs: { tags: { all_: [tag] } } })).body).toEqual({ deleted: [] });
  });

  it("validates the limit (1..50)", async () => {
    const res = await api("POST", "/flow_runs/bulk_delete", { limit: 51 });
    expect(res.status).toBe(422);
    expect(res.body.exception_detail[0]).toMatchObject({ type: "less_than_equal", loc: ["body", "limit"], ctx: { le: 50 } });
    const zero = await api("POST", "/flow_runs/bulk_delete", { limit: 0 });
    expect(zero.body.exception_detail[0]).toMatchObject({ type: "greater_than_equal", loc: ["body", "limit"] });
  });
});

describe("flow delete cascades", () => {
  it("DELETE /flows/{id} takes the flow's runs, their task runs, states, inputs and its deployments", async () => {
    const flow = await seedFlow();
    const run = await seedFlowRun({ flow_id: flow.id, states: [{ type: "PENDING" }, { type: "COMPLETED" }] });
    const task = await seedTaskRun({ flow_run_id: run.id });
    await seedInput(run.id, "k");
    await seedLog({ flow_run_id: run.id });
    const dep = await seedDeployment(flow.id);
    const keep = await seedFlowRun();

    expect((await api("DELETE", `/flows/${flow.id}`)).status).toBe(204);
    expect(await remaining({ flowRuns: [run.id], taskRuns: [task.id] })).toEqual(NOTHING_LEFT);
    const { env } = await import("cloudflare:workers");
    const deps = await env.DB.prepare("SELECT count(*) AS n FROM deployment WHERE id = ?").bind(dep.id).first<{ n: number }>();
    expect(deps?.n).toBe(0);
    expect((await api("GET", `/flow_runs/${keep.id}`)).status).toBe(200);
    expect((await api("DELETE", `/flows/${flow.id}`)).status).toBe(404);
  });

  it("POST /flows/bulk_delete takes the flows' runs too", async () => {
    const tag = unique("ftag");
    const f1 = await seedFlow({ tags: [tag] });
    const f2 = await seedFlow({ tags: [tag] });
    const r1 = await seedFlowRun({ flow_id: f1.id });
    const r2 = await seedFlowRun({ flow_id: f2.id });
    const t2 = await seedTaskRun({ flow_run_id: r2.id });
    const res = await api("POST", "/flows/bulk_delete", { flows: { tags: { all_: [tag] } } });
    expect(res.body.deleted).toHaveLength(2);
    expect(await remaining({ flowRuns: [r1.id, r2.id], taskRuns: [t2.id] })).toMatchObject({ flowRuns: 0, flowRunStates: 0, taskRuns: 0, taskRunStates: 0 });
  });
});

describe("GET /flow_runs/{id}/logs/download", () => {
  it("answers the run's logs as Prefect's CSV, oldest first", async () => {
    const run = await seedFlowRun({ name: "my run/é" });
    const task = await seedTaskRun({ flow_run_id: run.id });
    await seedLog({ flow_run_id: run.id, timestamp: "2030-01-01T00:00:01.500000Z", level: 20, message: "second, with comma" });
    await seedLog({ flow_run_id: run.id, task_run_id: task.id, timestamp: "2030-01-01T00:00:00.000000Z", level: 40, message: 'first "quoted"\nline' });
    await seedLog({ flow_run_id: (await seedFlowRun()).id, message: "other run" });
    const res = await api("GET", `/flow_runs/${run.id}/logs/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="flow-run-logs.csv"; filename*=UTF-8''my%20run%2F%C3%A9-logs.csv`,
    );
    expect(res.text).toBe(
      "timestamp,level,flow_run_id,task_run_id,message\r\n" +
        `2030-01-01 00:00:00+00:00,40,${run.id},${task.id},"first ""quoted""\nline"\r\n` +
        `2030-01-01 00:00:01.500000+00:00,20,${run.id},,"second, with comma"\r\n`,
    );
  });

  it("pages through more than a thousand logs", async () => {
    const run = await seedFlowRun();
    await seedLogs(run.id, 2003);
    const lines = (await api("GET", `/flow_runs/${run.id}/logs/download`)).text.split("\r\n");
    expect(lines).toHaveLength(2005);
    expect(lines[1]).toBe(`2030-01-01 00:00:00+00:00,20,${run.id},,line 0`);
    expect(lines[2003]).toBe(`2030-01-01 00:00:02.002000+00:00,20,${run.id},,line 2002`);
    expect(lines[2004]).toBe("");
  });

  it("answers just the header for a run without logs, 404 for a missing run", async () => {
    const run = await seedFlowRun();
    expect((await api("GET", `/flow_runs/${run.id}/logs/download`)).text).toBe("timestamp,level,flow_run_id,task_run_id,message\r\n");
    expect(await api("GET", `/flow_runs/${MISSING}/logs/download`)).toMatchObject({ status: 404, body: { detail: "Flow run not found" } });
  });
});

describe("OpenAPI document", () => {
  it("lists every run and state read route at Prefect's paths", async () => {
    const res = await api("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ["/flow_runs/{id}", "get"],
      ["/flow_runs/{id}", "patch"],
      ["/flow_runs/{id}", "delete"],
      ["/flow_runs/count", "post"],
      ["/flow_runs/lateness", "post"],
      ["/flow_runs/history", "post"],
      ["/flow_runs/{id}/graph", "get"],
      ["/flow_runs/{id}/graph-v2", "get"],
      ["/flow_runs/filter", "post"],
      ["/flow_runs/paginate", "post"],
      ["/flow_runs/bulk_delete", "post"],
      ["/flow_runs/{id}/input", "post"],
      ["/flow_runs/{id}/input/filter", "post"],
      ["/flow_runs/{id}/input/{key}", "get"],
      ["/flow_runs/{id}/input/{key}", "delete"],
      ["/flow_runs/{id}/logs/download", "get"],
      ["/flow_runs/{id}/labels", "patch"],
      ["/task_runs/{id}", "get"],
      ["/task_runs/{id}", "patch"],
      ["/task_runs/{id}", "delete"],
      ["/task_runs/count", "post"],
      ["/task_runs/history", "post"],
      ["/task_runs/filter", "post"],
      ["/task_runs/paginate", "post"],
      ["/flow_run_states/{id}", "get"],
      ["/flow_run_states/", "get"],
      ["/task_run_states/{id}", "get"],
      ["/task_run_states/", "get"],
    ];
    const missing = expected.filter(([p, m]) => !paths[p]?.[m]);
    expect(missing).toEqual([]);
  });
});

describe("deleting runs that hold work-queue slots", () => {
  it("gives their queue and pool slots back", async () => {
    const { env } = await import("cloudflare:workers");
    const { acquireRunSlot, slotScopeOf } = await import("../../src/concurrency/work-queue-slots");
    const { ledgerFor } = await import("../../src/concurrency/ledgers");
    const { getDb } = await import("../../src/db/client");
    const { pool, queue } = await poolWithQueue({ queueLimit: 5, poolLimit: 5 });
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push(await seedFlowRun({ work_queue_id: queue.id, work_pool_id: pool.id, tags: ["slots"], state: { type: "RUNNING" } }));
    const scope = (await slotScopeOf(getDb(env.DB), queue.id))!;
    for (const r of runs) expect(await acquireRunSlot(env as any, scope, r.id)).toBe("taken");
    const active = async () => [
      await ledgerFor(env as any, { kind: "queue", id: queue.id }).activeSlots(),
      await ledgerFor(env as any, { kind: "pool", id: pool.id }).activeSlots(),
    ];
    expect(await active()).toEqual([3, 3]);

    expect((await api("DELETE", `/flow_runs/${runs[0].id}`)).status).toBe(204);
    expect((await api("POST", "/flow_runs/bulk_delete", { flow_runs: { id: { any_: [runs[1].id] } } })).body.deleted).toEqual([runs[1].id]);
    await waitFor(async () => (await active())[0] === 1);
    expect(await active()).toEqual([1, 1]);
  });
});

describe("edge cases of updates", () => {
  it("labels: values other than Prefect's (bool, int, float, str) are refused, and the run's labels stay as they were", async () => {
    const run = await seedFlowRun({ labels: { a: "1" } });
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { list: [3], b: true })).status).toBe(422);
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { a: null })).status).toBe(422);
    let deep: unknown = "x";
    for (let i = 0; i < 1_001; i++) deep = { a: deep };
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { deep })).status).toBe(422);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.labels).toEqual({ a: "1" });
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { b: 1.5 })).status).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.labels).toEqual({ a: "1", b: 1.5 });
  });

  it("labels: a run holding a value nested deeper than SQLite's JSON reads (stored before KeyValueLabels) is updatable, keeping its scalar labels", async () => {
    const run = await seedFlowRun();
    const deep = `${"[".repeat(1_500)}1${"]".repeat(1_500)}`;
    await env.DB.prepare("UPDATE flow_run SET labels = ? WHERE id = ?").bind(`{"keep":"x","n":2,"deep":${deep},"obj":{"a":1}}`, run.id).run();
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { b: true })).status).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.labels).toEqual({ keep: "x", n: 2, b: true });
    expect((await api("PATCH", `/flow_runs/${run.id}/labels`, { n: 3 })).status).toBe(204);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.labels).toEqual({ keep: "x", n: 3, b: true });
    expect((await api("PATCH", `/flow_runs/${MISSING}/labels`, { b: true })).status).toBe(404);
  });

  it("a null run name is Prefect's integrity conflict", async () => {
    const run = await seedFlowRun();
    expect(await api("PATCH", `/flow_runs/${run.id}`, { name: null, tags: ["x"] })).toMatchObject({
      status: 409,
      body: { detail: "Data integrity conflict. This usually means a unique or foreign key constraint was violated. See server logs for details." },
    });
    expect((await api("GET", `/flow_runs/${run.id}`)).body).toMatchObject({ name: run.name, tags: [] });
    expect(await api("PATCH", `/flow_runs/${MISSING}`, { name: null })).toMatchObject({ status: 404, body: { detail: "Flow run not found" } });
  });
});
