import { describe, expect, it } from "vitest";
import { api, unique } from "../helpers";
import { seedFlow, seedFlowRun, seedTaskRun } from "../fixtures/runs";

const at = (hms: string) => `2030-01-01T${hms}.000000Z`;

const window = { history_start: "2030-01-01T00:00:00Z", history_end: "2030-01-01T00:03:00Z", history_interval_seconds: 60 };

describe("POST /flow_runs/history", () => {
  it("counts runs per interval and state, with summed run time and lateness", async () => {
    const tag = unique("hist");
    const flow = await seedFlow();
    const run = (expected: string, type: string, extra: Record<string, unknown> = {}) =>
      seedFlowRun({ flow_id: flow.id, tags: [tag], expected_start_time: expected, state: { type }, ...extra });
    await run(at("00:00:10"), "COMPLETED", { start_time: at("00:00:15"), total_run_time: 2 });
    await run(at("00:00:50"), "COMPLETED", { start_time: at("00:00:50"), total_run_time: 3.5 });
    await run(at("00:00:30"), "FAILED", { start_time: at("00:00:29"), total_run_time: 1 });
    await run(at("00:01:00"), "SCHEDULED");
    await run(at("00:01:05"), "SCHEDULED", { state: { type: "SCHEDULED", name: "Late" } });
    await run(at("00:03:00"), "COMPLETED");
    await run("2029-12-31T23:59:59.999999Z", "COMPLETED");

    const res = await api("POST", "/flow_runs/history", { ...window, flow_runs: { tags: { all_: [tag] } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        interval_start: "2030-01-01T00:00:00.000000Z",
        interval_end: "2030-01-01T00:01:00.000000Z",
        states: [
          { state_type: "COMPLETED", state_name: "Completed", count_runs: 2, sum_estimated_run_time: 5.5, sum_estimated_lateness: 5 },
          { state_type: "FAILED", state_name: "Failed", count_runs: 1, sum_estimated_run_time: 1, sum_estimated_lateness: 0 },
        ],
      },
      {
        interval_start: "2030-01-01T00:01:00.000000Z",
        interval_end: "2030-01-01T00:02:00.000000Z",
        states: [
          { state_type: "SCHEDULED", state_name: "Late", count_runs: 1, sum_estimated_run_time: 0, sum_estimated_lateness: 0 },
          { state_type: "SCHEDULED", state_name: "Scheduled", count_runs: 1, sum_estimated_run_time: 0, sum_estimated_lateness: 0 },
        ],
      },
      { interval_start: "2030-01-01T00:02:00.000000Z", interval_end: "2030-01-01T00:03:00.000000Z", states: [] },
    ]);

    // Filters apply (through the flow too); a window not divided evenly gets a last, longer-reaching interval.
    const other = await api("POST", "/flow_runs/history", {
      ...window,
      history_end: "2030-01-01T00:01:30Z",
      flows: { id: { any_: [flow.id] } },
      flow_runs: { tags: { all_: [tag] }, name: { like_: "" } },
    });
    expect(other.body.map((h: any) => [h.interval_end, h.states.reduce((n: number, s: any) => n + s.count_runs, 0)])).toEqual([
      ["2030-01-01T00:01:00.000000Z", 3],
      ["2030-01-01T00:02:00.000000Z", 2],
    ]);
  });

  it("estimates the run time of running runs and the lateness of overdue ones up to now", async () => {
    const tag = unique("hist");
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await seedFlowRun({
      tags: [tag],
      expected_start_time: iso(now - 120_000),
      start_time: iso(now - 100_000),
      total_run_time: 1,
      state: { type: "RUNNING", timestamp: iso(now - 30_000) },
    });
    await seedFlowRun({ tags: [tag], expected_start_time: iso(now - 60_000), state: { type: "SCHEDULED" } });
    const res = await api("POST", "/flow_runs/history", {
      history_start: iso(now - 3_600_000),
      history_end: iso(now + 3_600_000),
      history_interval_seconds: 3600,
      flow_runs: { tags: { all_: [tag] } },
    });
    expect(res.body).toHaveLength(2);
    const states = res.body[0].states;
    const running = states.find((s: any) => s.state_type === "RUNNING");
    const scheduled = states.find((s: any) => s.state_type === "SCHEDULED");
    expect(running.sum_estimated_run_time).toBeGreaterThan(30);
    expect(running.sum_estimated_run_time).toBeLessThan(60);
    expect(running.sum_estimated_lateness).toBeCloseTo(20, 3);
    expect(scheduled.sum_estimated_lateness).toBeGreaterThan(59);
    expect(scheduled.sum_estimated_lateness).toBeLessThan(120);
  });

  it("caps the history at 500 intervals and answers [] for an empty window", async () => {
    const res = await api("POST", "/flow_runs/history", { ...window, history_end: "2030-01-02T00:00:00Z", history_interval_seconds: 1, flow_runs: { tags: { all_: [unique("none")] } } });
    expect(res.body).toHaveLength(500);
    expect(res.body[499]).toEqual({ interval_start: "2030-01-01T00:08:19.000000Z", interval_end: "2030-01-01T00:08:20.000000Z", states: [] });
    expect((await api("POST", "/flow_runs/history", { ...window, history_end: window.history_start })).body).toEqual([]);
  });

  it("answers Prefect's errors", async () => {
    expect(await api("POST", "/flow_runs/history", { ...window, history_interval_seconds: 0.5 })).toMatchObject({
      status: 422,
      body: { detail: "History interval must not be less than 1 second." },
    });
    const missing = await api("POST", "/flow_runs/history", { history_start: window.history_start, history_interval_seconds: 60 });
    expect(missing.status).toBe(422);
    expect(missing.body.exception_detail).toEqual([
      { type: "missing", loc: ["body", "history_end"], msg: "Field required", input: null },
    ]);
    const bad = await api("POST", "/flow_runs/history", { ...window, history_interval_seconds: "soon" });
    expect(bad.body.exception_detail[0]).toMatchObject({ type: "float_parsing", loc: ["body", "history_interval_seconds"] });
  });
});

describe("POST /task_runs/history", () => {
  it("counts task runs per interval and state, filtered through their flow run", async () => {
    const run = await seedFlowRun();
    const tag = unique("thist");
    await seedTaskRun({ flow_run_id: run.id, tags: [tag], expected_start_time: at("00:00:01"), start_time: at("00:00:02"), state: { type: "COMPLETED" }, total_run_time: 4 });
    await seedTaskRun({ flow_run_id: run.id, tags: [tag], expected_start_time: at("00:02:01"), state: { type: "FAILED" } });
    await seedTaskRun({ flow_run_id: (await seedFlowRun()).id, tags: [tag], expected_start_time: at("00:00:01"), state: { type: "COMPLETED" } });

    const res = await api("POST", "/task_runs/history", { ...window, flow_runs: { id: { any_: [run.id] } }, task_runs: { tags: { all_: [tag] } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        interval_start: "2030-01-01T00:00:00.000000Z",
        interval_end: "2030-01-01T00:01:00.000000Z",
        states: [{ state_type: "COMPLETED", state_name: "Completed", count_runs: 1, sum_estimated_run_time: 4, sum_estimated_lateness: 1 }],
      },
      { interval_start: "2030-01-01T00:01:00.000000Z", interval_end: "2030-01-01T00:02:00.000000Z", states: [] },
      {
        interval_start: "2030-01-01T00:02:00.000000Z",
        interval_end: "2030-01-01T00:03:00.000000Z",
        states: [{ state_type: "FAILED", state_name: "Failed", count_runs: 1, sum_estimated_run_time: 0, sum_estimated_lateness: 0 }],
      },
    ]);
    const all = await api("POST", "/task_runs/history", { ...window, task_runs: { tags: { all_: [tag] } } });
    expect(all.body[0].states[0].count_runs).toBe(2);
    expect(await api("POST", "/task_runs/history", { ...window, history_interval_seconds: 0 })).toMatchObject({
      status: 422,
      body: { detail: "History interval must not be less than 1 second." },
    });
  });
});
