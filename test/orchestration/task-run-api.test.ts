import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { taskRunQueueOf } from "../../src/task-queue/client";

async function runningFlowRun() {
  const flow = (await api("POST", "/flows/", { name: unique("tflow") })).body;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
  await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } });
  return run;
}

const set = (id: string, state: Record<string, unknown>, force = false) => api("POST", `/task_runs/${id}/set_state`, { state, force });

describe("POST /task_runs/", () => {
  it("creates a PENDING task run, idempotent on (flow_run_id, task_key, dynamic_key), with labels", async () => {
    const run = await runningFlowRun();
    const body = { flow_run_id: run.id, task_key: "say-hello", dynamic_key: "0", tags: ["t"], labels: { x: 1 } };
    const first = await api("POST", "/task_runs/", body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state_type: "PENDING", state_name: "Pending", flow_run_id: run.id, tags: ["t"] });
    expect(first.body.labels).toMatchObject({ "prefect.flow-run.id": run.id, "prefect.flow.id": run.flow_id, x: 1 });
    expect(first.body.state.state_details).toMatchObject({ flow_run_id: run.id, task_run_id: first.body.id });
    const again = await api("POST", "/task_runs/", { ...body, name: "other" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await api("POST", "/task_runs/", { ...body, dynamic_key: "1" });
    expect(other.status).toBe(201);
  });

  it("answers 409 for an unknown flow run and 422 without a task key", async () => {
    expect((await api("POST", "/task_runs/", { flow_run_id: crypto.randomUUID(), task_key: "k", dynamic_key: "0" })).status).toBe(409);
    expect((await api("POST", "/task_runs/", { dynamic_key: "0" })).status).toBe(422);
  });
});

describe("POST /task_runs/{id}/set_state", () => {
  it("runs, fails into AwaitingRetry while retries remain, is named Retrying, then completes", async () => {
    const run = await runningFlowRun();
    const task = (await api("POST", "/task_runs/", { flow_run_id: run.id, task_key: "k", dynamic_key: "0", empirical_policy: { retries: 1, retry_delay: 0 } })).body;
    expect((await set(task.id, { type: "RUNNING" })).body.status).toBe("ACCEPT");
    const failed = await set(task.id, { type: "FAILED", message: "boom" });
    expect(failed.body).toMatchObject({ status: "REJECT", state: { type: "SCHEDULED", name: "AwaitingRetry" } });
    const retry = await set(task.id, { type: "RUNNING" });
    expect(retry.body.state.name).toBe("Retrying");
    expect((await set(task.id, { type: "COMPLETED" })).body.status).toBe("ACCEPT");
    const read = (await api("GET", `/task_runs/${task.id}`)).body;
    expect(read).toMatchObject({ state_type: "COMPLETED", run_count: 2, flow_run_run_count: 1 });
    expect(read.end_time).toBeTruthy();
    const history = (await api("GET", `/task_run_states/?task_run_id=${task.id}`)).body.map((s: any) => s.name);
    expect(history).toEqual(["Pending", "Running", "AwaitingRetry", "Retrying", "Completed"]);
  });

  it("aborts a task whose flow run is not running; 404 for an unknown task run", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("tflow") })).body;
    const pending = (await api("POST", "/flow_runs/", { flow_id: flow.id })).body;
    const task = (await api("POST", "/task_runs/", { flow_run_id: pending.id, task_key: "k", dynamic_key: "0" })).body;
    const res = await set(task.id, { type: "RUNNING" });
    expect(res.body).toMatchObject({ status: "ABORT", details: { reason: "The enclosing flow must be running to begin task execution." } });
    expect((await set(crypto.randomUUID(), { type: "RUNNING" })).status).toBe(404);
  });

  it("queues a deferred task run sent back to SCHEDULED for the task workers", async () => {
    const key = unique("deferred-key");
    const task = (await api("POST", "/task_runs/", { task_key: key, dynamic_key: "0", state: { type: "RUNNING" } })).body;
    const retry = await set(task.id, { type: "SCHEDULED", name: "AwaitingRetry", state_details: { deferred: true, scheduled_time: new Date().toISOString() } }, true);
    expect(retry.status).toBe(201);
    expect(await taskRunQueueOf(env as any).queued(key)).toMatchObject({ retry: [task.id] });
  });
});
