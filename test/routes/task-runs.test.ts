import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { remaining, seedDeployment, seedFlow, seedFlowRun, seedLog, seedTaskRun } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";

const TASK_RUN_KEYS = [
  "id", "created", "updated", "name", "flow_run_id", "task_key", "dynamic_key", "cache_key", "cache_expiration",
  "task_version", "empirical_policy", "tags", "labels", "state_id", "task_inputs", "state_type", "state_name",
  "run_count", "flow_run_run_count", "expected_start_time", "next_scheduled_start_time", "start_time", "end_time",
  "total_run_time", "estimated_run_time", "estimated_start_time_delta", "state",
];

describe("GET /task_runs/{id}", () => {
  it("answers the task run with every field", async () => {
    const run = await seedFlowRun();
    const task = await seedTaskRun({
      flow_run_id: run.id,
      states: [{ type: "PENDING" }, { type: "COMPLETED" }],
      task_inputs: { x: [{ input_type: "parameter", name: "x" }] },
      total_run_time: 1.5,
    });
    const res = await api("GET", `/task_runs/${task.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(TASK_RUN_KEYS);
    expect(res.body).toMatchObject({
      id: task.id,
      flow_run_id: run.id,
      state_type: "COMPLETED",
      state_id: task.stateIds[1],
      total_run_time: 1.5,
      estimated_run_time: 1.5,
      task_inputs: { x: [{ input_type: "parameter", name: "x" }] },
      empirical_policy: { max_retries: 0, retry_delay_seconds: 0, retries: 0, retry_delay: 0, retry_jitter_factor: null },
    });
    expect(res.body.state.state_details).toMatchObject({ flow_run_id: run.id, task_run_id: task.id });
  });

  it("404s with Prefect's wording", async () => {
    expect(await api("GET", `/task_runs/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Task not found" } });
    expect(await api("GET", "/task_runs/nope")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});

describe("PATCH /task_runs/{id}", () => {
  it("renames (204), 404s a missing run, 422s unknown fields", async () => {
    const task = await seedTaskRun({ flow_run_id: (await seedFlowRun()).id });
    expect((await api("PATCH", `/task_runs/${task.id}`, { name: "renamed" })).status).toBe(204);
    expect((await api("GET", `/task_runs/${task.id}`)).body.name).toBe("renamed");
    expect((await api("PATCH", `/task_runs/${task.id}`, {})).status).toBe(204);
    expect((await api("GET", `/task_runs/${task.id}`)).body.name).toBe("renamed");
    expect(await api("PATCH", `/task_runs/${MISSING}`, { name: "x" })).toMatchObject({ status: 404, body: { detail: "Task run not found" } });
    const bad = await api("PATCH", `/task_runs/${task.id}`, { tags: ["a"] });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "tags"] });
  });
});

describe("DELETE /task_runs/{id}", () => {
  it("deletes the task run with its states and logs; a subflow it wrapped is unparented", async () => {
    const run = await seedFlowRun();
    const task = await seedTaskRun({ flow_run_id: run.id, states: [{ type: "PENDING" }, { type: "RUNNING" }] });
    const keep = await seedTaskRun({ flow_run_id: run.id });
    const subflow = await seedFlowRun({ parent_task_run_id: task.id });
    await seedLog({ flow_run_id: run.id, task_run_id: task.id });
    expect((await api("DELETE", `/task_runs/${task.id}`)).status).toBe(204);
    expect(await remaining({ taskRuns: [task.id] })).toMatchObject({ taskRuns: 0, taskRunStates: 0, taskRunLogs: 0 });
    expect(await remaining({ taskRuns: [keep.id], flowRuns: [run.id] })).toMatchObject({ taskRuns: 1, taskRunStates: 1, flowRuns: 1 });
    expect((await api("GET", `/flow_runs/${subflow.id}`)).body.parent_task_run_id).toBeNull();
    expect(await api("DELETE", `/task_runs/${task.id}`)).toMatchObject({ status: 404, body: { detail: "Task not found" } });
  });
});

describe("POST /task_runs/filter, /count, /paginate", () => {
  async function seeded() {
    const tag = unique("ttag");
    const flow = await seedFlow();
    const run = await seedFlowRun({ flow_id: flow.id });
    const tasks = [];
    for (const [i, name] of ["b", "a", "c"].entries())
      tasks.push(
        await seedTaskRun({
          flow_run_id: run.id,
          name: `${name}-${tag}`,
          tags: [tag],
          expected_start_time: `2030-01-0${i + 1}T00:00:00.000000Z`,
        }),
      );
    return { tag, flow, run, tasks };
  }

  it("filters by the flow run the way the SDK asks (nulls included)", async () => {
    const { run, tasks } = await seeded();
    const body = { flows: null, flow_runs: { id: { any_: [run.id] } }, task_runs: null, deployments: null, sort: null, limit: null, offset: 0 };
    const res = await api("POST", "/task_runs/filter", body);
    expect(res.status).toBe(200);
    expect(res.body.map((t: any) => t.id)).toEqual(tasks.map((t) => t.id).sort().reverse());
    expect(Object.keys(res.body[0])).toEqual(TASK_RUN_KEYS);
    expect((await api("POST", "/task_runs/count", { flow_runs: { id: { any_: [run.id] } } })).body).toBe(3);
  });

  it("sorts, limits and offsets; filters through flows and deployments", async () => {
    const { tag, flow, tasks } = await seeded();
    const filter = { task_runs: { tags: { all_: [tag] } } };
    const byName = await api("POST", "/task_runs/filter", { ...filter, sort: "NAME_DESC" });
    expect(byName.body.map((t: any) => t.id)).toEqual([tasks[2].id, tasks[0].id, tasks[1].id]);
    const page = await api("POST", "/task_runs/filter", { ...filter, sort: "EXPECTED_START_TIME_ASC", limit: 1, offset: 1 });
    expect(page.body.map((t: any) => t.id)).toEqual([tasks[1].id]);
    expect((await api("POST", "/task_runs/count", { ...filter, flows: { id: { any_: [flow.id] } } })).body).toBe(3);
    expect((await api("POST", "/task_runs/count", { ...filter, flows: { id: { any_: [MISSING] } } })).body).toBe(0);

    const dep = await seedDeployment(flow.id);
    const depRun = await seedFlowRun({ flow_id: flow.id, deployment_id: dep.id });
    const depTask = await seedTaskRun({ flow_run_id: depRun.id });
    const viaDep = await api("POST", "/task_runs/filter", { deployments: { id: { any_: [dep.id] } } });
    expect(viaDep.body.map((t: any) => t.id)).toEqual([depTask.id]);
  });

  it("paginates", async () => {
    const { tag } = await seeded();
    const res = await api("POST", "/task_runs/paginate", { task_runs: { tags: { all_: [tag] } }, limit: 2, page: 1, sort: "NAME_ASC" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 3, limit: 2, pages: 2, page: 1 });
    expect(res.body.results.map((t: any) => t.name[0])).toEqual(["a", "b"]);
  });

  it("answers Prefect's validation errors", async () => {
    expect(await api("POST", "/task_runs/filter", { limit: 201 })).toMatchObject({
      status: 422,
      body: { detail: "Invalid limit: must be less than or equal to 200." },
    });
    expect(await api("POST", "/task_runs/paginate", { limit: 201 })).toMatchObject({ status: 422 });
    const sort = await api("POST", "/task_runs/filter", { sort: "START_TIME_ASC" });
    expect(sort.status).toBe(422);
    expect(sort.body).toMatchObject({ exception_message: "Invalid request received.", request_body: { sort: "START_TIME_ASC" } });
    expect(sort.body.exception_detail[0]).toMatchObject({ type: "enum", loc: ["body", "sort"] });
    const bad = await api("POST", "/task_runs/count", { task_runs: { id: { any_: ["nope"] } } });
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["body", "task_runs", "id", "any_", 0] });
  });
});
