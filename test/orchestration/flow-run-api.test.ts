import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";

async function newFlow() {
  const res = await api("POST", "/flows/", { name: unique("flow") });
  return res.body.id as string;
}

const state = (type: string, extra: Record<string, unknown> = {}) => ({ state: { type, ...extra }, force: false });

describe("POST /flow_runs/", () => {
  it("creates a PENDING run named adjective-animal with system labels", async () => {
    const flowId = await newFlow();
    const res = await api("POST", "/flow_runs/", { flow_id: flowId, parameters: { n: 3 }, labels: { team: "a" } });
    expect(res.status).toBe(201);
    expect(res.body.name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(res.body.state_type).toBe("PENDING");
    expect(res.body.state_name).toBe("Pending");
    expect(res.body.state.state_details.flow_run_id).toBe(res.body.id);
    expect(res.body.labels).toEqual({ "prefect.flow.id": flowId, team: "a" });
    expect(res.body.expected_start_time).toBe(res.body.state.timestamp);
    expect(res.body.parameters).toEqual({ n: 3 });
    const read = await api("GET", `/flow_run_states/?flow_run_id=${res.body.id}`);
    if (read.status === 200) expect(read.body.map((s: any) => s.type)).toEqual(["PENDING"]);
  });

  it("schedules a SCHEDULED state sent without a scheduled time for now, as Prefect's state validator", async () => {
    const flowId = await newFlow();
    const res = await api("POST", "/flow_runs/", { flow_id: flowId, state: { type: "SCHEDULED" } });
    expect(res.status).toBe(201);
    expect(res.body.state.state_details.scheduled_time).toBe(res.body.state.timestamp);
    expect(res.body.expected_start_time).toBe(res.body.state.timestamp);
    const running = (await api("POST", "/flow_runs/", { flow_id: flowId, state: { type: "RUNNING" } })).body;
    const rescheduled = await api("POST", `/flow_runs/${running.id}/set_state`, { state: { type: "SCHEDULED" }, force: true });
    expect(rescheduled.body.state.state_details.scheduled_time).toBe(rescheduled.body.state.timestamp);
  });

  it("returns the existing run for a repeated idempotency key", async () => {
    const flowId = await newFlow();
    const first = await api("POST", "/flow_runs/", { flow_id: flowId, idempotency_key: "k1" });
    const again = await api("POST", "/flow_runs/", { flow_id: flowId, idempotency_key: "k1", name: "other" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it("answers 409 for an unknown flow and 422 for a bad id", async () => {
    const res = await api("POST", "/flow_runs/", { flow_id: "00000000-0000-4000-8000-000000000000" });
    expect(res.status).toBe(409);
    const bad = await api("POST", "/flow_runs/", { flow_id: "nope" });
    expect(bad.status).toBe(422);
    expect(bad.body.exception_detail[0].loc).toEqual(["body", "flow_id"]);
  });
});

describe("POST /flow_runs/{id}/set_state", () => {
  it("runs PENDING → RUNNING → COMPLETED with timings", async () => {
    const flowId = await newFlow();
    const run = (await api("POST", "/flow_runs/", { flow_id: flowId })).body;
    const running = await api("POST", `/flow_runs/${run.id}/set_state`, state("RUNNING"));
    expect(running.status).toBe(201);
    expect(running.body.status).toBe("ACCEPT");
    expect(running.body.details).toEqual({ type: "accept_details" });
    expect(running.body.state.type).toBe("RUNNING");
    const done = await api("POST", `/flow_runs/${run.id}/set_state`, state("COMPLETED"));
    expect(done.status).toBe(201);
    const events = await api("POST", "/events/filter", { filter: { resource: { id: [`prefect.flow-run.${run.id}`] } } });
    void events;
  });

  it("aborts a duplicate PENDING", async () => {
    const flowId = await newFlow();
    const run = (await api("POST", "/flow_runs/", { flow_id: flowId })).body;
    const res = await api("POST", `/flow_runs/${run.id}/set_state`, state("PENDING"));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ABORT");
    expect(res.body.details.reason).toBe("This run is in a PENDING state and cannot transition to a PENDING state.");
    expect(res.body.state.id).toBe(run.state.id);
  });

  it("rejects a failure with retries left into AwaitingRetry", async () => {
    const flowId = await newFlow();
    const run = (await api("POST", "/flow_runs/", { flow_id: flowId, empirical_policy: { retries: 1, retry_delay: 0 } })).body;
    await api("POST", `/flow_runs/${run.id}/set_state`, state("RUNNING"));
    const failed = await api("POST", `/flow_runs/${run.id}/set_state`, state("FAILED", { message: "boom" }));
    expect(failed.status).toBe(201);
    expect(failed.body.status).toBe("REJECT");
    expect(failed.body.details).toEqual({ type: "reject_details", reason: "Retrying" });
    expect(failed.body.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry", message: "boom" });
    await api("POST", `/flow_runs/${run.id}/set_state`, state("RUNNING"));
    const final = await api("POST", `/flow_runs/${run.id}/set_state`, state("FAILED"));
    expect(final.body.status).toBe("ACCEPT");
  });

  it("waits for a scheduled time in the future", async () => {
    const flowId = await newFlow();
    const future = new Date(Date.now() + 3600_000).toISOString();
    const run = (await api("POST", "/flow_runs/", { flow_id: flowId, state: { type: "SCHEDULED", state_details: { scheduled_time: future } } })).body;
    expect(run.next_scheduled_start_time).toBeTruthy();
    const res = await api("POST", `/flow_runs/${run.id}/set_state`, state("RUNNING"));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("WAIT");
    expect(res.body.details.delay_seconds).toBeGreaterThan(3500);
  });

  it("pauses on a float pause_timeout, as the 3.8.3 SDK's pause_flow_run sends it, and resumes", async () => {
    const flowId = await newFlow();
    const run = (await api("POST", "/flow_runs/", { flow_id: flowId })).body;
    await api("POST", `/flow_runs/${run.id}/set_state`, state("RUNNING"));
    const details = { pause_timeout: 4102444800.25, pause_reschedule: false, pause_key: "pause-1" };
    const paused = await api("POST", `/flow_runs/${run.id}/set_state`, state("PAUSED", { name: "Paused", state_details: details }));
    expect(paused.status).toBe(201);
    expect(paused.body.status).toBe("ACCEPT");
    expect(paused.body.state.state_details.pause_timeout).toBe("2100-01-01T00:00:00.250000Z");
    const read = (await api("GET", `/flow_runs/${run.id}`)).body;
    expect(read.state).toMatchObject({ type: "PAUSED", state_details: { pause_timeout: "2100-01-01T00:00:00.250000Z", pause_key: "pause-1" } });
    const resumed = await api("POST", `/flow_runs/${run.id}/resume`, {});
    expect(resumed.body.status).toBe("ACCEPT");
    expect(resumed.body.state.type).toBe("RUNNING");
    expect((await api("POST", `/flow_runs/${run.id}/set_state`, state("COMPLETED"))).body.status).toBe("ACCEPT");
  });

  it("answers 404 for an unknown run", async () => {
    const res = await api("POST", "/flow_runs/00000000-0000-4000-8000-000000000000/set_state", state("RUNNING"));
    expect(res.status).toBe(404);
  });
});

describe("POST /flow_runs/ in a work pool", () => {
  it("puts the run in the pool's default queue, or the named one; 404s for unknown pools and queues", async () => {
    const flowId = await newFlow();
    const pool = unique("pool");
    expect((await api("POST", "/work_pools/", { name: pool, type: "process" })).status).toBe(201);
    const inDefault = await api("POST", "/flow_runs/", { flow_id: flowId, work_pool_name: pool });
    expect(inDefault.status).toBe(201);
    expect(inDefault.body).toMatchObject({ work_pool_name: pool, work_queue_name: "default" });
    expect(inDefault.body.work_queue_id).toBeTruthy();
    const noPool = await api("POST", "/flow_runs/", { flow_id: flowId, work_pool_name: unique("nopool") });
    expect(noPool.status).toBe(404);
    const noQueue = await api("POST", "/flow_runs/", { flow_id: flowId, work_pool_name: pool, work_queue_name: "nope" });
    expect(noQueue).toMatchObject({ status: 404, body: { detail: `Work pool queue '${pool}/nope' not found.` } });
  });
});
