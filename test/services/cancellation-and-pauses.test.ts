import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { cleanUpCancellations, CANCELLING_TIMEOUT_MESSAGE } from "../../src/services/cancellation-cleanup";
import { failExpiredPauses } from "../../src/services/pause-expirations";
import { api, unique } from "../helpers";

const db = () => getDb(env.DB);
const set = (id: string, state: Record<string, unknown>, force = false) => api("POST", `/flow_runs/${id}/set_state`, { state, force });

async function runningFlowRun(extra: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("cc") })).body;
  const run = (await api("POST", "/flow_runs/", { flow_id: flow.id, ...extra })).body;
  await set(run.id, { type: "RUNNING" });
  return run;
}

describe("cancellation cleanup service", () => {
  it("cancels the unfinished task runs and subflows of a cancelled flow run", async () => {
    const parent = await runningFlowRun();
    const task = (await api("POST", "/task_runs/", { flow_run_id: parent.id, task_key: "t", dynamic_key: "0" })).body;
    const done = (await api("POST", "/task_runs/", { flow_run_id: parent.id, task_key: "t", dynamic_key: "1", state: { type: "COMPLETED" } })).body;
    const wrapper = (await api("POST", "/task_runs/", { flow_run_id: parent.id, task_key: "sub", dynamic_key: "0" })).body;
    const child = await runningFlowRun({ parent_task_run_id: wrapper.id });
    expect((await set(parent.id, { type: "CANCELLED" }, true)).body.status).toBe("ACCEPT");

    const result = await cleanUpCancellations(env as any, db());
    expect(result.taskRuns).toEqual(expect.arrayContaining([task.id]));
    expect(result.taskRuns).not.toContain(done.id);
    expect(result.subflowRuns).toContain(child.id);
    const t = (await api("GET", `/task_runs/${task.id}`)).body;
    expect(t.state).toMatchObject({ type: "CANCELLED", message: "The parent flow run was cancelled." });
    expect((await api("GET", `/flow_runs/${child.id}`)).body.state_type).toBe("CANCELLED");
    expect((await api("GET", `/task_runs/${done.id}`)).body.state_type).toBe("COMPLETED");
  });

  it("marks runs CANCELLING for too long as CANCELLED", async () => {
    const run = await runningFlowRun({ infrastructure_pid: undefined });
    expect((await set(run.id, { type: "CANCELLING" })).body.status).toBe("ACCEPT");
    const later = new Date(Date.now() + 301_000).toISOString();
    const result = await cleanUpCancellations(env as any, db(), later);
    expect(result.timedOut).toContain(run.id);
    expect((await api("GET", `/flow_runs/${run.id}`)).body.state).toMatchObject({ type: "CANCELLED", message: CANCELLING_TIMEOUT_MESSAGE });
  });
});

describe("pause expirations service", () => {
  it("fails paused runs past their pause timeout, and only those", async () => {
    const expired = await runningFlowRun();
    const waiting = await runningFlowRun();
    const past = new Date(Date.now() - 1000).toISOString();
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await set(expired.id, { type: "PAUSED", state_details: { pause_timeout: past } })).body.status).toBe("ACCEPT");
    expect((await set(waiting.id, { type: "PAUSED", state_details: { pause_timeout: future } })).body.status).toBe("ACCEPT");
    const failed = await failExpiredPauses(env as any, db());
    expect(failed).toContain(expired.id);
    expect(failed).not.toContain(waiting.id);
    expect((await api("GET", `/flow_runs/${expired.id}`)).body.state).toMatchObject({ type: "FAILED", message: "The flow was paused and never resumed." });
  });
});
