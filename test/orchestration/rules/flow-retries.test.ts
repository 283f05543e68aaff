import { describe, expect, it } from "vitest";
import { RetryFailedFlows } from "../../../src/orchestration/rules/flow-retries";
import { flowRunSettings, taskRunSettings } from "../../../src/orchestration/rules/run-settings";
import { at, flowContext, NOW, run, stateOf } from "./support";

const failing = () => stateOf("FAILED", { message: "boom", data: { type: "reference", storage_key: "/r/1" } });
const policy = (o: Record<string, any>) => ({ max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, pause_keys: ["k"], resuming: true, retry_type: null, ...o });

describe("RetryFailedFlows", () => {
  it("sends a failing run with retries left back to SCHEDULED AwaitingRetry", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: policy({ retries: 1 }) } });
    const result = await run(ctx, [RetryFailedFlows]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Retrying" });
    expect(result.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry", message: "boom", data: { type: "reference", storage_key: "/r/1" }, timestamp: NOW });
    expect(result.state!.state_details.scheduled_time).toBe(NOW);
  });

  it("schedules the retry after the retry delay", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: policy({ retries: 3, retry_delay: 10 }) } });
    expect((await run(ctx, [RetryFailedFlows])).state!.state_details.scheduled_time).toBe(at(10));
  });

  it("lets the failure stand once retries are exhausted, clearing the retry type", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 2, empirical_policy: policy({ retries: 1, retry_type: "in_process" }) } });
    const result = await run(ctx, [RetryFailedFlows]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.type).toBe("FAILED");
    expect(ctx.run.empirical_policy.retry_type).toBeNull();
    expect(ctx.run.empirical_policy.pause_keys).toEqual(["k"]);
  });

  it("does not retry a run without retries configured", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: policy({ retry_type: "reschedule" }) } });
    expect((await run(ctx, [RetryFailedFlows])).status).toBe("ACCEPT");
    expect(ctx.run.empirical_policy.retry_type).toBeNull();
  });

  it("marks an in-process retry and resets pause bookkeeping", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 2, empirical_policy: policy({ retries: 3 }) } });
    await run(ctx, [RetryFailedFlows]);
    expect(ctx.run.empirical_policy).toMatchObject({ retry_type: "in_process", pause_keys: [], resuming: false, retries: 3 });
  });

  it("leaves pause bookkeeping and retry type alone for clients older than API 0.8.4, but still retries", async () => {
    const ctx = flowContext({ apiVersion: "0.8.3", initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: policy({ retries: 2 }) } });
    const result = await run(ctx, [RetryFailedFlows]);
    expect(result.state!.name).toBe("AwaitingRetry");
    expect(ctx.run.empirical_policy).toMatchObject({ retry_type: null, pause_keys: ["k"], resuming: true });
  });

  it("asks for the run's FAILED task runs to be retried at the retry time for clients older than API 0.8.3 only", async () => {
    const old = flowContext({ apiVersion: "0.8.2", initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: policy({ retries: 2, retry_delay: 5 }) } });
    await run(old, [RetryFailedFlows]);
    expect(old.effects.retryFailedTaskRunsAt).toBe(at(5));
    for (const apiVersion of ["0.8.3", "0.8.4", null]) {
      const ctx = flowContext({ apiVersion, initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: policy({ retries: 2 }) } });
      await run(ctx, [RetryFailedFlows]);
      expect(ctx.effects.retryFailedTaskRunsAt).toBeNull();
    }
    const exhausted = flowContext({ apiVersion: "0.8.2", initial: "RUNNING", proposed: failing(), run: { run_count: 3, empirical_policy: policy({ retries: 2 }) } });
    await run(exhausted, [RetryFailedFlows]);
    expect(exhausted.effects.retryFailedTaskRunsAt).toBeNull();
  });

  it("reads the deprecated max_retries / retry_delay_seconds fields", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: { max_retries: 2, retry_delay_seconds: 7 } } });
    const result = await run(ctx, [RetryFailedFlows]);
    expect(result.state!.state_details.scheduled_time).toBe(at(7));
  });

  it("only governs RUNNING → FAILED", async () => {
    for (const [from, to] of [
      ["PENDING", "FAILED"],
      ["RUNNING", "CRASHED"],
      ["RUNNING", "COMPLETED"],
    ] as const) {
      const ctx = flowContext({ initial: from, proposed: to, run: { run_count: 1, empirical_policy: policy({ retries: 5 }) } });
      expect((await run(ctx, [RetryFailedFlows])).status, `${from} → ${to}`).toBe("ACCEPT");
    }
  });
});

describe("run settings", () => {
  it("flow runs: current fields win, deprecated ones fill in", () => {
    expect(flowRunSettings({})).toEqual({ retries: null, retryDelay: 0 });
    expect(flowRunSettings({ retries: 3, retry_delay: 5, max_retries: 9, retry_delay_seconds: 9 })).toEqual({ retries: 3, retryDelay: 5 });
    expect(flowRunSettings({ max_retries: 2, retry_delay_seconds: 4 })).toEqual({ retries: 2, retryDelay: 4 });
    expect(flowRunSettings({ retries: 0 })).toEqual({ retries: 0, retryDelay: 0 });
  });

  // Prefect's policy validator replaces a falsy `retries` (None or 0) by a non-zero `max_retries`,
  // and a falsy `retry_delay` by a non-zero `retry_delay_seconds`. run-settings.ts uses `??` for flow
  // runs, so an explicit 0 hides the deprecated field (the task-run reader gets this right).
  it("flow runs: retries 0 with max_retries 3 means 3 retries, as in Prefect", () => {
    expect(flowRunSettings({ retries: 0, max_retries: 3 }).retries).toBe(3);
  });

  it("flow runs: retry_delay 0 with retry_delay_seconds 5 means a 5 s delay, as in Prefect", () => {
    expect(flowRunSettings({ retry_delay: 0, retry_delay_seconds: 5 }).retryDelay).toBe(5);
  });

  it("task runs: current fields win, deprecated ones fill in, jitter passes through", () => {
    expect(taskRunSettings({})).toEqual({ retries: null, retryDelay: 0, jitterFactor: null });
    expect(taskRunSettings({ retries: 2, retry_delay: [1, 2], retry_jitter_factor: 0.5 })).toEqual({ retries: 2, retryDelay: [1, 2], jitterFactor: 0.5 });
    expect(taskRunSettings({ max_retries: 4, retry_delay_seconds: 6 })).toEqual({ retries: 4, retryDelay: 6, jitterFactor: null });
    expect(taskRunSettings({ retries: 0, max_retries: 3, retry_delay: 0, retry_delay_seconds: 5 })).toEqual({ retries: 3, retryDelay: 5, jitterFactor: null });
    expect(taskRunSettings({ retries: 0 })).toEqual({ retries: 0, retryDelay: 0, jitterFactor: null });
  });
});
