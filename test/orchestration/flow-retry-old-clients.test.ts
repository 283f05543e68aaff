import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

/** A flow run with retries whose task runs ran: one FAILED, one COMPLETED. */
async function failingRunWithTasks() {
  const flow = (await api("POST", "/flows/", { name: unique("old-client") })).body;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, empirical_policy: { retries: 1, retry_delay: 30 }, state: { type: "PENDING" } })).body;
  expect((await api("POST", `/flow_runs/${run.id}/set_state`, { state: { type: "RUNNING" } })).status).toBe(201);
  const task = async (key: string, final: string) => {
    const tr = (await api("POST", "/task_runs/", { flow_run_id: run.id, task_key: key, dynamic_key: "0", state: { type: "PENDING" } })).body;
    expect((await api("POST", `/task_runs/${tr.id}/set_state`, { state: { type: "RUNNING" } })).status).toBe(201);
    expect((await api("POST", `/task_runs/${tr.id}/set_state`, { state: { type: final } })).status).toBe(201);
    return tr.id as string;
  };
  return { runId: run.id as string, failed: await task("a", "FAILED"), completed: await task("b", "COMPLETED") };
}

describe("flow retries for clients older than API 0.8.3", () => {
  it("send the run's FAILED task runs to AwaitingRetry at the retry time, run count reset", async () => {
    const { runId, failed, completed } = await failingRunWithTasks();
    const res = await api("POST", `/flow_runs/${runId}/set_state`, { state: { type: "FAILED" } }, { "x-prefect-api-version": "0.8.2" });
    expect(res.body.status).toBe("REJECT");
    expect(res.body.state.name).toBe("AwaitingRetry");

    const retried = (await api("GET", `/task_runs/${failed}`)).body;
    expect(retried.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
    expect(retried.state.state_details.scheduled_time).toBe(res.body.state.state_details.scheduled_time);
    expect(retried.run_count).toBe(0);
    const states = (await api("GET", `/task_run_states/?task_run_id=${failed}`)).body;
    expect(states.map((s: any) => s.name)).toEqual(["Pending", "Running", "Failed", "AwaitingRetry"]);
    expect((await api("GET", `/task_runs/${completed}`)).body.state.type).toBe("COMPLETED");
  });

  it("leave task runs alone for current clients", async () => {
    const { runId, failed } = await failingRunWithTasks();
    const res = await api("POST", `/flow_runs/${runId}/set_state`, { state: { type: "FAILED" } }, { "x-prefect-api-version": "0.8.4" });
    expect(res.body.state.name).toBe("AwaitingRetry");
    const task = (await api("GET", `/task_runs/${failed}`)).body;
    expect(task.state.type).toBe("FAILED");
    expect(task.run_count).toBe(1);
  });
});
