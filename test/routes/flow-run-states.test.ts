import { describe, expect, it } from "vitest";
import { api } from "../helpers";
import { seedFlowRun } from "../fixtures/runs";

const MISSING = "00000000-0000-4000-8000-000000000000";

const STATE_DETAIL_KEYS = [
  "flow_run_id", "task_run_id", "child_flow_run_id", "scheduled_time", "cache_key", "cache_expiration", "deferred",
  "untrackable_result", "pause_timeout", "pause_reschedule", "pause_key", "run_input_keyset", "refresh_cache",
  "retriable", "transition_id", "task_parameters_id", "traceparent", "deployment_concurrency_lease_id",
];

describe("flow run states", () => {
  it("GET /flow_run_states/?flow_run_id= answers the whole history oldest first", async () => {
    const run = await seedFlowRun({
      states: [
        { type: "SCHEDULED", timestamp: "2030-01-01T00:00:00.000000Z", state_details: { scheduled_time: "2030-01-01T00:00:00.000000Z" } },
        { type: "PENDING", timestamp: "2030-01-01T00:00:01.000000Z" },
        { type: "RUNNING", timestamp: "2030-01-01T00:00:02.000000Z" },
        { type: "COMPLETED", timestamp: "2030-01-01T00:00:03.000000Z", message: "done", data: { type: "unpersisted" } },
      ],
    });
    const res = await api("GET", `/flow_run_states/?flow_run_id=${run.id}`);
    expect(res.status).toBe(200);
    expect(res.body.map((s: any) => s.type)).toEqual(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"]);
    expect(res.body.map((s: any) => s.id)).toEqual(run.stateIds);
    expect(Object.keys(res.body[0])).toEqual(["id", "type", "name", "timestamp", "message", "data", "state_details"]);
    expect(Object.keys(res.body[0].state_details)).toEqual(STATE_DETAIL_KEYS);
    expect(res.body[0].state_details).toMatchObject({ flow_run_id: run.id, scheduled_time: "2030-01-01T00:00:00.000000Z" });
    expect(res.body[3]).toMatchObject({ name: "Completed", message: "done", data: { type: "unpersisted" }, timestamp: "2030-01-01T00:00:03.000000Z" });
    // Without the trailing slash too.
    expect((await api("GET", `/flow_run_states?flow_run_id=${run.id}`)).body).toEqual(res.body);
  });

  it("answers [] for an unknown run and 422s a missing or malformed id", async () => {
    expect(await api("GET", `/flow_run_states/?flow_run_id=${MISSING}`)).toMatchObject({ status: 200, body: [] });
    const missing = await api("GET", "/flow_run_states/");
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ exception_message: "Invalid request received.", request_body: null });
    expect(missing.body.exception_detail[0]).toMatchObject({ type: "missing", loc: ["query", "flow_run_id"], msg: "Field required" });
    const bad = await api("GET", "/flow_run_states/?flow_run_id=nope");
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "uuid_parsing", loc: ["query", "flow_run_id"], input: "nope" });
  });

  it("GET /flow_run_states/{id} answers one state, 404 otherwise", async () => {
    const run = await seedFlowRun({ states: [{ type: "PENDING" }, { type: "RUNNING" }] });
    const res = await api("GET", `/flow_run_states/${run.stateIds[0]}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: run.stateIds[0], type: "PENDING", name: "Pending" });
    expect(await api("GET", `/flow_run_states/${MISSING}`)).toMatchObject({ status: 404, body: { detail: "Flow run state not found" } });
    expect(await api("GET", `/flow_run_states/not-a-uuid`)).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});
