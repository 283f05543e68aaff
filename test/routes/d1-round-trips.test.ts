import { describe, expect, it } from "vitest";
import { forgetSnapshot } from "../../src/orchestration/flow-run-snapshots";
import { api, unique } from "../helpers";

const COUNT = { "x-count-d1-round-trips": "1" };

describe("D1 round trips (the benchmarks' instrumentation, and the hot paths' budgets)", () => {
  it("are counted only for requests that ask", async () => {
    const flow = await api("POST", "/flows/", { name: unique("rt") });
    expect(flow.headers.get("x-d1-round-trips")).toBeNull();
    const again = await api("POST", "/flows/", { name: unique("rt") }, COUNT);
    expect(Number(again.headers.get("x-d1-round-trips"))).toBeGreaterThan(0);
  });

  it("are two for creating a flow run, one for a set_state on the run's remembered snapshot, two without", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("rt") })).body;
    const past = new Date(Date.now() - 60_000).toISOString();
    const created = await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "SCHEDULED", state_details: { scheduled_time: past } } }, COUNT);
    expect(created.status).toBe(201);
    expect(created.headers.get("x-d1-round-trips")).toBe("2");
    const expected = { PENDING: "1", RUNNING: "2", COMPLETED: "1" };
    for (const [type, roundTrips] of Object.entries(expected)) {
      if (type === "RUNNING") forgetSnapshot(created.body.id); // as on an isolate that never saw the run
      const res = await api("POST", `/flow_runs/${created.body.id}/set_state`, { state: { type } }, COUNT);
      expect(res.status).toBe(201);
      expect(res.body.status).toBe("ACCEPT");
      expect(res.headers.get("x-d1-round-trips")).toBe(roundTrips);
    }
  });
});
