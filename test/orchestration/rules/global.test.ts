import { describe, expect, it } from "vitest";
import type { Context } from "../../../src/orchestration/context";
import type { Rule } from "../../../src/orchestration/engine";
import {
  EnsureStateTimestampIsUnique,
  GlobalFlowPolicy,
  GlobalTaskPolicy,
  IncrementFlowRunCount,
  IncrementRunTime,
  IncrementTaskRunCount,
  nextMicrosecond,
  RemoveResumingIndicator,
  SetEndTime,
  SetExpectedStartTime,
  SetNextScheduledStartTime,
  SetRunStateName,
  SetRunStateTimestamp,
  SetRunStateType,
  SetStartTime,
  UpdateStateDetails,
  UpdateSubflowParentTask,
  UpdateSubflowStateDetails,
} from "../../../src/orchestration/global";
import { ALL_STATES, type StateType } from "../../../src/orchestration/states";
import { at, BEFORE, flowContext, NOW, run, stateOf, STATE_TYPES, taskContext, TERMINAL } from "./support";

const kinds = [
  ["flow", flowContext],
  ["task", taskContext],
] as const;

const Abort: Rule<Context> = { name: "Abort", from: ALL_STATES, to: ALL_STATES, before: ({ abort }) => abort("stop") };

describe("EnsureStateTimestampIsUnique", () => {
  it("moves a proposal sharing the current state's timestamp one microsecond later", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: NOW }), proposed: stateOf("RUNNING", { timestamp: NOW }) });
    await run(ctx, [], [EnsureStateTimestampIsUnique]);
    expect(ctx.validatedState!.timestamp).toBe("2024-06-01T12:00:00.000001Z");
  });

  it("leaves later timestamps alone", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: BEFORE }), proposed: "RUNNING" });
    await run(ctx, [], [EnsureStateTimestampIsUnique]);
    expect(ctx.validatedState!.timestamp).toBe(NOW);
  });

  it("leaves a run's first state alone", async () => {
    const ctx = flowContext({ initial: null, proposed: "PENDING" });
    await run(ctx, [], [EnsureStateTimestampIsUnique]);
    expect(ctx.validatedState!.timestamp).toBe(NOW);
  });

  it("runs before the transforms that copy the timestamp onto the run", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: NOW }), proposed: stateOf("RUNNING", { timestamp: NOW }) });
    await run(ctx, [], GlobalFlowPolicy);
    expect(ctx.run.state_timestamp).toBe("2024-06-01T12:00:00.000001Z");
    expect(ctx.run.start_time).toBe("2024-06-01T12:00:00.000001Z");
  });

  it("nextMicrosecond carries into the next second", () => {
    expect(nextMicrosecond("2024-06-01T12:00:00.000009Z")).toBe("2024-06-01T12:00:00.000010Z");
    expect(nextMicrosecond("2024-06-01T12:00:59.999999Z")).toBe("2024-06-01T12:01:00.000000Z");
    expect(nextMicrosecond("2024-12-31T23:59:59.999999Z")).toBe("2025-01-01T00:00:00.000000Z");
  });

  // By design, stricter than Prefect (which moves only an exact collision): our states are all
  // stamped by the server, so a proposal not later than the current state moves just after it.
  it("moves a proposal not later than the current state to just after it", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: NOW }), proposed: stateOf("RUNNING", { timestamp: at(-30) }) });
    await run(ctx, [], [EnsureStateTimestampIsUnique]);
    expect(ctx.validatedState!.timestamp).toBe(nextMicrosecond(NOW));
  });
});

describe("SetRunStateType / SetRunStateName / SetRunStateTimestamp", () => {
  for (const [kind, make] of kinds)
    for (const type of STATE_TYPES)
      it(`records ${type} on the ${kind} run`, async () => {
        const ctx = make({ initial: null, proposed: stateOf(type, { name: `My ${type}`, timestamp: at(5) }) });
        await run(ctx as any, [], [SetRunStateType, SetRunStateName, SetRunStateTimestamp]);
        expect(ctx.run.state_type).toBe(type);
        expect(ctx.run.state_name).toBe(`My ${type}`);
        expect(ctx.run.state_timestamp).toBe(at(5));
      });

  it("records nothing when the proposal was nullified", async () => {
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [Abort], [SetRunStateType, SetRunStateName, SetRunStateTimestamp]);
    expect(ctx.run).toMatchObject({ state_type: "PENDING", state_name: "Pending", state_timestamp: BEFORE });
  });
});

describe("SetNextScheduledStartTime", () => {
  for (const [kind, make] of kinds) {
    it(`records the scheduled time of a SCHEDULED state (${kind})`, async () => {
      const ctx = make({ initial: null, proposed: stateOf("SCHEDULED", { details: { scheduled_time: at(42) } }) });
      await run(ctx as any, [], [SetNextScheduledStartTime]);
      expect(ctx.run.next_scheduled_start_time).toBe(at(42));
      expect(ctx.run.start_time).toBeNull();
    });

    it(`clears it when the run leaves SCHEDULED (${kind})`, async () => {
      const ctx = make({ initial: stateOf("SCHEDULED", { timestamp: BEFORE, details: { scheduled_time: at(42) } }), proposed: "PENDING", run: { next_scheduled_start_time: at(42) } });
      await run(ctx as any, [], [SetNextScheduledStartTime]);
      expect(ctx.run.next_scheduled_start_time).toBeNull();
      expect(ctx.run.start_time).toBeNull();
    });
  }

  it("replaces it on SCHEDULED → SCHEDULED", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: BEFORE, details: { scheduled_time: at(42) } }), proposed: stateOf("SCHEDULED", { name: "Late", details: { scheduled_time: at(99) } }), run: { next_scheduled_start_time: at(42) } });
    await run(ctx, [], [SetNextScheduledStartTime]);
    expect(ctx.run.next_scheduled_start_time).toBe(at(99));
  });

  it("keeps it when a nullified transition leaves the run SCHEDULED", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: BEFORE, details: { scheduled_time: at(42) } }), proposed: "PENDING", run: { next_scheduled_start_time: at(42) } });
    await run(ctx, [Abort], [SetNextScheduledStartTime]);
    expect(ctx.run.next_scheduled_start_time).toBe(at(42));
  });
});

describe("SetExpectedStartTime", () => {
  for (const [kind, make] of kinds) {
    for (const type of ["PENDING", "RUNNING", "COMPLETED"] as StateType[])
      it(`estimates it as the ${type} state's time for a first state (${kind})`, async () => {
        const ctx = make({ initial: null, proposed: stateOf(type, { timestamp: at(3) }) });
        await run(ctx as any, [], [SetExpectedStartTime]);
        expect(ctx.run.expected_start_time).toBe(at(3));
        expect(ctx.run.start_time).toBeNull();
      });

    it(`takes a SCHEDULED state's scheduled time (${kind})`, async () => {
      const ctx = make({ initial: null, proposed: stateOf("SCHEDULED", { details: { scheduled_time: at(864000) } }) });
      await run(ctx as any, [], [SetExpectedStartTime]);
      expect(ctx.run.expected_start_time).toBe(at(864000));
    });
  }

  it("keeps an estimate already made", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "PENDING", run: { expected_start_time: at(-100) } });
    await run(ctx, [], [SetExpectedStartTime]);
    expect(ctx.run.expected_start_time).toBe(at(-100));
  });
});

describe("SetStartTime", () => {
  for (const [kind, make] of kinds)
    it(`records when the run first enters RUNNING (${kind})`, async () => {
      const ctx = make({ initial: "PENDING", proposed: "RUNNING" });
      await run(ctx as any, [], [SetStartTime]);
      expect(ctx.run.start_time).toBe(NOW);
    });

  it("keeps the first start time on later runs", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "RUNNING", run: { start_time: at(-500) } });
    await run(ctx, [], [SetStartTime]);
    expect(ctx.run.start_time).toBe(at(-500));
  });

  it("sets nothing for other states", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "PENDING" });
    await run(ctx, [], [SetStartTime]);
    expect(ctx.run.start_time).toBeNull();
  });
});

describe("IncrementRunTime", () => {
  for (const [kind, make] of kinds) {
    it(`adds the time spent RUNNING (${kind})`, async () => {
      const ctx = make({ initial: stateOf("RUNNING", { timestamp: at(-42) }), proposed: "COMPLETED", run: { start_time: at(-42), total_run_time: 1.5 } });
      await run(ctx as any, [], [IncrementRunTime]);
      expect(ctx.run.total_run_time).toBeCloseTo(43.5, 9);
    });

    it(`adds nothing when the run was not RUNNING (${kind})`, async () => {
      const ctx = make({ initial: stateOf("PENDING", { timestamp: at(-42) }), proposed: "COMPLETED", run: { start_time: at(-42) } });
      await run(ctx as any, [], [IncrementRunTime]);
      expect(ctx.run.total_run_time).toBe(0);
    });
  }

  it("counts microseconds", async () => {
    const ctx = flowContext({ initial: stateOf("RUNNING", { timestamp: "2024-06-01T11:59:59.999999Z" }), proposed: stateOf("COMPLETED", { timestamp: "2024-06-01T12:00:00.000001Z" }) });
    await run(ctx, [], [IncrementRunTime]);
    expect(ctx.run.total_run_time).toBeCloseTo(0.000002, 9);
  });

  it("adds nothing when the transition was nullified", async () => {
    const ctx = flowContext({ initial: stateOf("RUNNING", { timestamp: at(-42) }), proposed: "COMPLETED" });
    await run(ctx, [Abort], [IncrementRunTime]);
    expect(ctx.run.total_run_time).toBe(0);
  });
});

describe("SetEndTime", () => {
  for (const [kind, make] of kinds) {
    for (const to of TERMINAL)
      it(`records the end when the run enters ${to} (${kind})`, async () => {
        const ctx = make({ initial: "RUNNING", proposed: to, run: { start_time: at(-42) } });
        await run(ctx as any, [], [SetEndTime]);
        expect(ctx.run.end_time).toBe(NOW);
        expect(ctx.run.start_time).toBe(at(-42));
      });

    for (const from of TERMINAL)
      it(`clears the end when the run is forced out of ${from} (${kind})`, async () => {
        const ctx = make({ initial: from, proposed: "RUNNING", run: { start_time: at(-42), end_time: at(-1) } });
        await run(ctx as any, [], [SetEndTime]);
        expect(ctx.run.end_time).toBeNull();
      });
  }

  it("keeps the end time for terminal → terminal", async () => {
    const ctx = flowContext({ initial: "COMPLETED", proposed: "FAILED", run: { start_time: at(-42), end_time: at(-1) } });
    await run(ctx, [], [SetEndTime]);
    expect(ctx.run.end_time).toBe(at(-1));
  });

  it("sets the start time too for a run that ends without ever running", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "CANCELLED" });
    await run(ctx, [], [SetEndTime]);
    expect(ctx.run.start_time).toBe(NOW);
    expect(ctx.run.end_time).toBe(NOW);
  });
});

describe("UpdateStateDetails / UpdateSubflowStateDetails", () => {
  it("links a flow run's state to the flow run", async () => {
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [], [UpdateStateDetails]);
    expect(ctx.validatedState!.state_details.flow_run_id).toBe(ctx.run.id);
    expect(ctx.validatedState!.state_details.task_run_id).toBeNull();
  });

  it("links a task run's state to the task run and its flow run", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: "RUNNING", run: { flow_run_id: "fr-1" } });
    await run(ctx, [], [UpdateStateDetails]);
    expect(ctx.validatedState!.state_details).toMatchObject({ flow_run_id: "fr-1", task_run_id: ctx.run.id });
  });

  it("points a subflow's state at its wrapper task run", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: "FAILED", run: { parent_task_run_id: "parent-task" } });
    await run(ctx, [], [UpdateStateDetails, UpdateSubflowStateDetails]);
    expect(ctx.validatedState!.state_details).toMatchObject({ flow_run_id: ctx.run.id, task_run_id: "parent-task" });
  });

  it("leaves a top-level flow run's task_run_id unset", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: "FAILED" });
    await run(ctx, [], [UpdateSubflowStateDetails]);
    expect(ctx.validatedState!.state_details.task_run_id).toBeNull();
  });
});

describe("UpdateSubflowParentTask", () => {
  it("hands the wrapper task run a fresh copy of the subflow's new state, pointing back at the subflow", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: stateOf("FAILED", { message: "boom" }), run: { parent_task_run_id: "parent-task" } });
    await run(ctx, [], [UpdateSubflowParentTask]);
    const copy = ctx.effects.parentTaskState!;
    expect(copy).toMatchObject({ type: "FAILED", name: "Failed", message: "boom" });
    expect(copy.id).not.toBe(ctx.validatedState!.id);
    expect(copy.state_details.child_flow_run_id).toBe(ctx.run.id);
    expect(ctx.validatedState!.state_details.child_flow_run_id).toBeNull();
  });

  it("follows the state actually written (after a rejection into another state)", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: "FAILED", run: { parent_task_run_id: "parent-task", run_count: 1, empirical_policy: { retries: 1 } } });
    const retry: Rule<Context> = { name: "Retry", from: ALL_STATES, to: ALL_STATES, before: ({ ctx: c, reject }) => reject(stateOf("SCHEDULED", { name: "AwaitingRetry", timestamp: c.now }), "Retrying") };
    await run(ctx, [retry], [UpdateSubflowParentTask]);
    expect(ctx.effects.parentTaskState).toMatchObject({ type: "SCHEDULED", name: "AwaitingRetry" });
  });

  it("does nothing for top-level flow runs or nullified transitions", async () => {
    const top = flowContext({ initial: "RUNNING", proposed: "FAILED" });
    await run(top, [], [UpdateSubflowParentTask]);
    expect(top.effects.parentTaskState).toBeNull();

    const nulled = flowContext({ initial: "RUNNING", proposed: "FAILED", run: { parent_task_run_id: "parent-task" } });
    await run(nulled, [Abort], [UpdateSubflowParentTask]);
    expect(nulled.effects.parentTaskState).toBeNull();
  });
});

describe("IncrementFlowRunCount / IncrementTaskRunCount", () => {
  it("counts each time a flow run enters RUNNING", async () => {
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING", run: { run_count: 41 } });
    await run(ctx, [], [IncrementFlowRunCount]);
    expect(ctx.run.run_count).toBe(42);
  });

  it("counts each time a task run enters RUNNING", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: "RUNNING", run: { run_count: 0 } });
    await run(ctx, [], [IncrementTaskRunCount]);
    expect(ctx.run.run_count).toBe(1);
  });

  it("counts nothing for other states or nullified transitions", async () => {
    const other = flowContext({ initial: "RUNNING", proposed: "COMPLETED", run: { run_count: 1 } });
    await run(other, [], [IncrementFlowRunCount]);
    expect(other.run.run_count).toBe(1);

    const nulled = taskContext({ initial: "PENDING", proposed: "RUNNING", run: { run_count: 1 } });
    await run(nulled, [Abort], [IncrementTaskRunCount]);
    expect(nulled.run.run_count).toBe(1);
  });

  for (const from of ["PAUSED", "PENDING"] as StateType[])
    it(`does not count a flow run resuming from a pause (${from} → RUNNING)`, async () => {
      const ctx = flowContext({ initial: from, proposed: "RUNNING", run: { run_count: 42, empirical_policy: { resuming: true } } });
      await run(ctx, [], [IncrementFlowRunCount]);
      expect(ctx.run.run_count).toBe(42);
    });

  it("counts a resuming flow run for clients older than API 0.8.4", async () => {
    const ctx = flowContext({ apiVersion: "0.8.3", initial: "PAUSED", proposed: "RUNNING", run: { run_count: 42, empirical_policy: { resuming: true } } });
    await run(ctx, [], [IncrementFlowRunCount]);
    expect(ctx.run.run_count).toBe(43);
  });
});

describe("RemoveResumingIndicator", () => {
  for (const from of ["PAUSED", "PENDING"] as StateType[])
    it(`clears the resuming flag when the run enters RUNNING from ${from}`, async () => {
      const ctx = flowContext({ initial: from, proposed: "RUNNING", run: { empirical_policy: { resuming: true, pause_keys: ["k"] } } });
      await run(ctx, [], [RemoveResumingIndicator]);
      expect(ctx.run.empirical_policy).toEqual({ resuming: false, pause_keys: ["k"] });
    });

  it("clears it when the run ends", async () => {
    const ctx = flowContext({ initial: "PAUSED", proposed: "CANCELLED", run: { empirical_policy: { resuming: true } } });
    await run(ctx, [], [RemoveResumingIndicator]);
    expect(ctx.run.empirical_policy.resuming).toBe(false);
  });

  it("keeps it while the run is only rescheduled", async () => {
    const ctx = flowContext({ initial: "PAUSED", proposed: "SCHEDULED", run: { empirical_policy: { resuming: true } } });
    await run(ctx, [], [RemoveResumingIndicator]);
    expect(ctx.run.empirical_policy.resuming).toBe(true);
  });

  it("keeps it for clients older than API 0.8.4", async () => {
    const ctx = flowContext({ apiVersion: "0.8.3", initial: "PAUSED", proposed: "RUNNING", run: { empirical_policy: { resuming: true } } });
    await run(ctx, [], [RemoveResumingIndicator]);
    expect(ctx.run.empirical_policy.resuming).toBe(true);
  });

  it("runs after IncrementFlowRunCount in the global policy: the resumed attempt is not counted", async () => {
    const ctx = flowContext({ initial: "PAUSED", proposed: "RUNNING", run: { run_count: 1, empirical_policy: { resuming: true } } });
    await run(ctx, [], GlobalFlowPolicy);
    expect(ctx.run.run_count).toBe(1);
    expect(ctx.run.empirical_policy.resuming).toBe(false);
  });
});

describe("the global policies as a whole", () => {
  it("write nothing onto the run when the transition is nullified", async () => {
    const ctx = flowContext({ initial: stateOf("RUNNING", { timestamp: at(-42) }), proposed: "COMPLETED", run: { parent_task_run_id: "p", run_count: 1 } });
    const before = structuredClone(ctx.run);
    await run(ctx, [Abort], GlobalFlowPolicy);
    expect(ctx.run).toEqual(before);
    expect(ctx.effects.parentTaskState).toBeNull();
  });

  it("bring a flow run from SCHEDULED to RUNNING up to date", async () => {
    const ctx = flowContext({
      initial: stateOf("SCHEDULED", { timestamp: at(-120), details: { scheduled_time: at(-60) } }),
      proposed: "RUNNING",
      run: { expected_start_time: at(-60), next_scheduled_start_time: at(-60) },
    });
    await run(ctx, [], GlobalFlowPolicy);
    expect(ctx.run).toMatchObject({
      state_type: "RUNNING",
      state_name: "Running",
      state_timestamp: NOW,
      start_time: NOW,
      end_time: null,
      run_count: 1,
      expected_start_time: at(-60),
      next_scheduled_start_time: null,
      total_run_time: 0,
    });
    expect(ctx.validatedState!.state_details.flow_run_id).toBe(ctx.run.id);
  });

  it("bring a task run from RUNNING to COMPLETED up to date", async () => {
    const ctx = taskContext({ initial: stateOf("RUNNING", { timestamp: at(-10) }), proposed: "COMPLETED", run: { run_count: 1, start_time: at(-10), flow_run_id: "fr" } });
    await run(ctx, [], GlobalTaskPolicy);
    expect(ctx.run).toMatchObject({ state_type: "COMPLETED", state_name: "Completed", state_timestamp: NOW, start_time: at(-10), end_time: NOW, run_count: 1, total_run_time: 10 });
    expect(ctx.validatedState!.state_details).toMatchObject({ flow_run_id: "fr", task_run_id: ctx.run.id });
  });
});
