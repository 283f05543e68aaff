import { afterEach, describe, expect, it, vi } from "vitest";
import type { TaskContext } from "../../../src/orchestration/context";
import type { Rule } from "../../../src/orchestration/engine";
import {
  HandleTaskTerminalStateTransitions,
  jitteredDelay,
  PreventRunningTasksFromStoppedFlows,
  RetryFailedTasks,
  UpdateFlowRunTrackerOnTasks,
} from "../../../src/orchestration/rules/task-rules";
import { ALL_STATES, type StateType } from "../../../src/orchestration/states";
import { at, flowRunIn, NOW, otherThan, run, stateOf, STATE_TYPES, taskContext, TERMINAL } from "./support";

const PERSISTED = { storage_key: "/results/1", serializer: { type: "json" }, expiration: null, prefect_version: "3.4.0", storage_block_id: null };

const Fizzler: Rule<TaskContext> = {
  name: "Fizzler",
  from: ALL_STATES,
  to: ALL_STATES,
  before({ ctx, reject }) {
    reject(stateOf("FAILED", { timestamp: ctx.now }), "for testing");
  },
};

const taskPolicy = (o: Record<string, any>) => ({ max_retries: 0, retry_delay_seconds: 0, retries: null, retry_delay: null, retry_jitter_factor: null, ...o });

describe("HandleTaskTerminalStateTransitions", () => {
  for (const from of TERMINAL)
    for (const to of ["CRASHED", "CANCELLING", "PAUSED"] as StateType[])
      it(`aborts ${from} → ${to}`, async () => {
        const result = await run(taskContext({ initial: from, proposed: to }), [HandleTaskTerminalStateTransitions]);
        expect(result.status).toBe("ABORT");
        expect(result.details).toEqual({ type: "abort_details", reason: `Run is already ${from}.` });
      });

  for (const to of ["SCHEDULED", "PENDING", "RUNNING"] as StateType[]) {
    it(`lets COMPLETED without a persisted result move to ${to}`, async () => {
      const ctx = taskContext({ initial: stateOf("COMPLETED", { timestamp: at(-60), data: null }), proposed: to });
      expect((await run(ctx, [HandleTaskTerminalStateTransitions])).status).toBe("ACCEPT");
    });

    it(`rejects COMPLETED with a persisted result → ${to}`, async () => {
      const ctx = taskContext({ initial: stateOf("COMPLETED", { timestamp: at(-60), data: PERSISTED }), proposed: to });
      const result = await run(ctx, [HandleTaskTerminalStateTransitions]);
      expect(result.status).toBe("REJECT");
      expect(result.details).toEqual({ type: "reject_details", reason: "This run is already completed." });
      expect(result.state).toBe(ctx.initialState);
    });
  }

  it("keeps a persisted COMPLETED task even against another final state", async () => {
    const ctx = taskContext({ initial: stateOf("COMPLETED", { timestamp: at(-60), data: PERSISTED }), proposed: "FAILED" });
    expect((await run(ctx, [HandleTaskTerminalStateTransitions])).status).toBe("REJECT");
  });

  it("lets COMPLETED with an unpersisted result rerun", async () => {
    const ctx = taskContext({ initial: stateOf("COMPLETED", { timestamp: at(-60), data: { type: "unpersisted" } }), proposed: "RUNNING" });
    expect((await run(ctx, [HandleTaskTerminalStateTransitions])).status).toBe("ACCEPT");
  });

  it("does not block transitions from non-terminal states", async () => {
    for (const from of [null, ...otherThan(...TERMINAL)])
      for (const to of STATE_TYPES) {
        const ctx = taskContext({ initial: from, proposed: to, run: { run_count: 3 } });
        expect((await run(ctx, [HandleTaskTerminalStateTransitions])).status, `${from} → ${to}`).toBe("ACCEPT");
        expect(ctx.run.run_count).toBe(3);
      }
  });

  it("resets the run count when a task leaves a terminal state for a non-final one", async () => {
    const ctx = taskContext({ initial: "FAILED", proposed: "RUNNING", run: { run_count: 2 } });
    await run(ctx, [HandleTaskTerminalStateTransitions]);
    expect(ctx.run.run_count).toBe(0);
  });

  it("keeps the run count for terminal → terminal", async () => {
    const ctx = taskContext({ initial: "FAILED", proposed: "COMPLETED", run: { run_count: 2 } });
    await run(ctx, [HandleTaskTerminalStateTransitions]);
    expect(ctx.run.run_count).toBe(2);
  });

  it("names the rerun Retrying when its flow run is retrying, and the tracker follows the flow run", async () => {
    const flowRun = flowRunIn("RUNNING", { run_count: 4 });
    const ctx = taskContext({ flowRun, initial: "FAILED", proposed: "RUNNING", run: { run_count: 2, flow_run_run_count: 2 } });
    const result = await run(ctx, [HandleTaskTerminalStateTransitions, UpdateFlowRunTrackerOnTasks]);
    expect(result.status).toBe("ACCEPT");
    expect(ctx.run.run_count).toBe(0);
    expect(result.state!.name).toBe("Retrying");
    expect(ctx.run.flow_run_run_count).toBe(4);
  });

  it("lets a task run again within the same flow run attempt, without renaming it", async () => {
    const flowRun = flowRunIn("RUNNING", { run_count: 3 });
    const ctx = taskContext({ flowRun, initial: stateOf("FAILED", { timestamp: at(-60), data: "test" }), proposed: "RUNNING", run: { run_count: 2, flow_run_run_count: 3 } });
    const result = await run(ctx, [HandleTaskTerminalStateTransitions, UpdateFlowRunTrackerOnTasks]);
    expect(result.status).toBe("ACCEPT");
    expect(ctx.run.run_count).toBe(0);
    expect(result.state!.name).toBe("Running");
    expect(ctx.run.flow_run_run_count).toBe(3);
  });

  it("restores the run count when a later rule fizzles it", async () => {
    const flowRun = flowRunIn("RUNNING", { run_count: 4 });
    const ctx = taskContext({ flowRun, initial: "FAILED", proposed: "RUNNING", run: { run_count: 2, flow_run_run_count: 2 } });
    const result = await run(ctx, [HandleTaskTerminalStateTransitions, UpdateFlowRunTrackerOnTasks, Fizzler]);
    expect(result.status).toBe("REJECT");
    expect(ctx.run.run_count).toBe(2);
    expect(ctx.run.flow_run_run_count).toBe(2);
  });
});

describe("PreventRunningTasksFromStoppedFlows", () => {
  it("lets tasks of a running flow run run", async () => {
    const result = await run(taskContext({ flowRun: flowRunIn("RUNNING"), initial: "PENDING", proposed: "RUNNING" }), [PreventRunningTasksFromStoppedFlows]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.type).toBe("RUNNING");
  });

  it("lets tasks outside any flow run run", async () => {
    expect((await run(taskContext({ flowRun: null, initial: "PENDING", proposed: "RUNNING" }), [PreventRunningTasksFromStoppedFlows])).status).toBe("ACCEPT");
  });

  for (const flowType of otherThan("RUNNING"))
    it(`${flowType === "PAUSED" ? "holds back" : "aborts"} tasks of a ${flowType} flow run`, async () => {
      const ctx = taskContext({ flowRun: flowRunIn(flowType), initial: "PENDING", proposed: "RUNNING" });
      const result = await run(ctx, [PreventRunningTasksFromStoppedFlows]);
      if (flowType === "PAUSED") {
        expect(result.status).toBe("REJECT");
        expect(result.state!.type).toBe("PAUSED");
      } else {
        expect(result.status).toBe("ABORT");
        expect(result.details).toEqual({ type: "abort_details", reason: "The enclosing flow must be running to begin task execution." });
        expect(result.state!.type).toBe("PENDING");
      }
    });

  it("aborts tasks of a flow run with no state", async () => {
    expect((await run(taskContext({ flowRun: flowRunIn(null), initial: "PENDING", proposed: "RUNNING" }), [PreventRunningTasksFromStoppedFlows])).status).toBe("ABORT");
  });

  it("gives a held-back task a fresh NotReady pause carrying the flow run's pause details", async () => {
    const flowRun = flowRunIn("PAUSED", { details: { pause_timeout: at(300), pause_reschedule: true } });
    const ctx = taskContext({ flowRun, initial: "PENDING", proposed: "RUNNING" });
    const result = await run(ctx, [PreventRunningTasksFromStoppedFlows]);
    expect(result.details).toEqual({ type: "reject_details", reason: `The flow is paused, new tasks can execute after resuming flow run: ${flowRun.id}.` });
    expect(result.state).toMatchObject({ type: "PAUSED", name: "NotReady", timestamp: NOW });
    expect(result.state!.id).not.toBe(flowRun.state.id);
    expect(result.state!.state_details).toMatchObject({ pause_timeout: at(300), pause_reschedule: true });
  });
});

describe("RetryFailedTasks", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const failing = (details: Record<string, any> = {}) => stateOf("FAILED", { message: "oops", data: { type: "unpersisted" }, details });

  it("sends a failing task with retries left to AwaitingRetry", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 2, empirical_policy: taskPolicy({ retries: 2 }) } });
    const result = await run(ctx, [RetryFailedTasks]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Retrying" });
    expect(result.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry", message: "oops", data: { type: "unpersisted" } });
    expect(result.state!.state_details.scheduled_time).toBe(NOW);
  });

  it("waits the configured delay", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 2, empirical_policy: taskPolicy({ retries: 2, retry_delay: 10 }) } });
    expect((await run(ctx, [RetryFailedTasks])).state!.state_details.scheduled_time).toBe(at(10));
  });

  for (const attempt of [1, 2, 3, 4, 5])
    it(`uses the configured delay for attempt ${attempt}`, async () => {
      const delays = [2, 3, 5, 7, 11];
      const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: attempt, empirical_policy: taskPolicy({ retries: 5, retry_delay: delays }) } });
      expect((await run(ctx, [RetryFailedTasks])).state!.state_details.scheduled_time).toBe(at(delays[attempt - 1]));
    });

  it("falls back to the last configured delay", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 6, empirical_policy: taskPolicy({ retries: 6, retry_delay: [2, 3, 5, 7] }) } });
    expect((await run(ctx, [RetryFailedTasks])).state!.state_details.scheduled_time).toBe(at(7));
  });

  it("jitters the delay (here drawn at its upper bound, delay × (1 + factor))", async () => {
    vi.spyOn(Math, "random").mockReturnValue(1);
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 2, empirical_policy: taskPolicy({ retries: 2, retry_delay: 10, retry_jitter_factor: 9 }) } });
    const scheduled = (await run(ctx, [RetryFailedTasks])).state!.state_details.scheduled_time;
    expect((Date.parse(scheduled) - Date.parse(NOW)) / 1000).toBeCloseTo(100, 3);
  });

  it("skips jitter when there is no delay", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 1, empirical_policy: taskPolicy({ retries: 2, retry_jitter_factor: 0.5 }) } });
    const result = await run(ctx, [RetryFailedTasks]);
    expect(result.status).toBe("REJECT");
    expect(result.state!.state_details.scheduled_time).toBe(NOW);
  });

  it("stops retrying once retries are used up", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 3, empirical_policy: taskPolicy({ retries: 2 }) } });
    const result = await run(ctx, [RetryFailedTasks]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.type).toBe("FAILED");
  });

  it("does not retry without retries configured", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing(), run: { run_count: 1 } });
    expect((await run(ctx, [RetryFailedTasks])).status).toBe("ACCEPT");
  });

  it("does not retry a failure the client marked not retriable", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: failing({ retriable: false }), run: { run_count: 1, empirical_policy: taskPolicy({ retries: 2 }) } });
    const result = await run(ctx, [RetryFailedTasks]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.type).toBe("FAILED");
  });

  it("retries when retriable is unset or true", async () => {
    for (const retriable of [null, true]) {
      const ctx = taskContext({ initial: "RUNNING", proposed: failing({ retriable }), run: { run_count: 1, empirical_policy: taskPolicy({ retries: 2 }) } });
      expect((await run(ctx, [RetryFailedTasks])).status, String(retriable)).toBe("REJECT");
    }
  });

  it("only governs RUNNING → FAILED", async () => {
    for (const [from, to] of [
      ["PENDING", "FAILED"],
      ["RUNNING", "CRASHED"],
    ] as const) {
      const ctx = taskContext({ initial: from, proposed: to, run: { run_count: 1, empirical_policy: taskPolicy({ retries: 5 }) } });
      expect((await run(ctx, [RetryFailedTasks])).status).toBe("ACCEPT");
    }
  });
});

describe("jitteredDelay (Prefect's clamped_poisson_interval)", () => {
  it("stays within average × (1 + factor) and never below zero", () => {
    for (const factor of [0.1, 0.3, 1, 9])
      for (let i = 0; i <= 20; i++) {
        const d = jitteredDelay(10, factor, () => i / 20);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(10 * (1 + factor) + 1e-9);
      }
  });

  it("draws the upper bound for a uniform draw of 1", () => {
    expect(jitteredDelay(10, 0.3, () => 1)).toBeCloseTo(13, 9);
  });

  it("grows with the uniform draw", () => {
    const draws = [0, 0.25, 0.5, 0.75, 1].map((u) => jitteredDelay(30, 0.5, () => u));
    expect([...draws].sort((a, b) => a - b)).toEqual(draws);
  });

  // Prefect's lower clamp is average × log2(2^k / (2^k - 1)) with k = 1 + factor, chosen so the
  // mean stays near the average (for factor 0.3: 0.7518 × average). task-rules.ts uses
  // average × (1 - factor) instead (0.7 × average), which shifts the distribution downwards.
  it("the lower bound is Prefect's lower_clamp_multiple, not average × (1 - factor)", () => {
    const k = 1.3;
    expect(jitteredDelay(10, 0.3, () => 0)).toBeCloseTo(10 * Math.log2(2 ** k / (2 ** k - 1)), 6);
  });
});

describe("UpdateFlowRunTrackerOnTasks", () => {
  for (const flowRunCount of [5, 42])
    for (const from of [null, ...STATE_TYPES])
      it(`records flow run attempt ${flowRunCount} on ${from} → RUNNING`, async () => {
        const ctx = taskContext({ flowRun: flowRunIn("RUNNING", { run_count: flowRunCount }), initial: from, proposed: "RUNNING", run: { flow_run_run_count: 1 } });
        await run(ctx, [UpdateFlowRunTrackerOnTasks]);
        expect(ctx.run.flow_run_run_count).toBe(flowRunCount);
      });

  it("fails informatively when the flow run is gone", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: "RUNNING", run: { flow_run_id: "gone", flow_run_run_count: 1 } });
    await expect(run(ctx, [UpdateFlowRunTrackerOnTasks])).rejects.toThrow(/Unable to read flow run associated with task run/);
    expect(ctx.run.flow_run_run_count).toBe(1);
  });

  it("does nothing for a task outside any flow run", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: "RUNNING", run: { flow_run_run_count: 1 } });
    await run(ctx, [UpdateFlowRunTrackerOnTasks]);
    expect(ctx.run.flow_run_run_count).toBe(1);
  });

  it("only governs RUNNING proposals", async () => {
    const ctx = taskContext({ flowRun: flowRunIn("RUNNING", { run_count: 7 }), initial: "RUNNING", proposed: "COMPLETED", run: { flow_run_run_count: 1 } });
    await run(ctx, [UpdateFlowRunTrackerOnTasks]);
    expect(ctx.run.flow_run_run_count).toBe(1);
  });
});

// SecureTaskConcurrencySlots / ReleaseTaskConcurrencySlots need the limits' Durable Objects: they
// are tested through the API in test/concurrency/orchestration.test.ts.
