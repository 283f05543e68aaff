import { describe, expect, it } from "vitest";
import { CopyScheduledTime, delaySecondsUntil, PreventPendingTransitions, RenameReruns, WaitForScheduledTime } from "../../../src/orchestration/rules/common";
import type { StateType } from "../../../src/orchestration/states";
import { at, flowContext, NOW, run, stateOf, STATE_TYPES, taskContext } from "./support";

const kinds = [
  ["flow", flowContext],
  ["task", taskContext],
] as const;

describe("PreventPendingTransitions", () => {
  const banned: StateType[] = ["PENDING", "CANCELLING", "RUNNING", "CANCELLED"];

  for (const from of banned) {
    it(`aborts ${from} → PENDING`, async () => {
      const ctx = flowContext({ initial: from, proposed: "PENDING" });
      const result = await run(ctx, [PreventPendingTransitions]);
      expect(result.status).toBe("ABORT");
      expect(result.details).toEqual({ type: "abort_details", reason: `This run is in a ${from} state and cannot transition to a PENDING state.` });
      expect(ctx.proposedState).toBeNull();
      expect(result.state).toBe(ctx.initialState);
    });
  }

  it("accepts every other transition", async () => {
    for (const from of STATE_TYPES)
      for (const to of STATE_TYPES) {
        if (to === "PENDING" && banned.includes(from)) continue;
        const result = await run(flowContext({ initial: from, proposed: to }), [PreventPendingTransitions]);
        expect(result.status, `${from} → ${to}`).toBe("ACCEPT");
      }
    expect((await run(flowContext({ initial: null, proposed: "PENDING" }), [PreventPendingTransitions])).status).toBe("ACCEPT");
  });

  it("applies to task runs too", async () => {
    expect((await run(taskContext({ initial: "RUNNING", proposed: "PENDING" }), [PreventPendingTransitions])).status).toBe("ABORT");
  });

  for (const [initialName, proposedName] of [
    ["Pending", "Submitting"],
    ["Submitting", "InfrastructurePending"],
    ["Pending", "InfrastructurePending"],
  ]) {
    it(`accepts PENDING ${initialName} → PENDING ${proposedName}`, async () => {
      const ctx = flowContext({ initial: stateOf("PENDING", { name: initialName, timestamp: at(-60) }), proposed: stateOf("PENDING", { name: proposedName }) });
      expect((await run(ctx, [PreventPendingTransitions])).status).toBe("ACCEPT");
    });
  }

  it("aborts PENDING → PENDING under the same name", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { name: "Submitting", timestamp: at(-60) }), proposed: stateOf("PENDING", { name: "Submitting" }) });
    expect((await run(ctx, [PreventPendingTransitions])).status).toBe("ABORT");
  });

  for (const initialName of ["Submitting", "InfrastructurePending"])
    it(`aborts a second worker proposing Pending once the run is ${initialName}`, async () => {
      const ctx = flowContext({ initial: stateOf("PENDING", { name: initialName, timestamp: at(-60) }), proposed: stateOf("PENDING") });
      expect((await run(ctx, [PreventPendingTransitions])).status).toBe("ABORT");
    });

  it("carries the scheduled time and deployment lease of the PENDING state into the named sub-state", async () => {
    const initial = stateOf("PENDING", { timestamp: at(-60), details: { scheduled_time: at(-120), deployment_concurrency_lease_id: "lease-1" } });
    const proposed = stateOf("PENDING", { name: "Submitting", details: { scheduled_time: at(999), deployment_concurrency_lease_id: "other" } });
    const ctx = flowContext({ initial, proposed });
    expect((await run(ctx, [PreventPendingTransitions])).status).toBe("ACCEPT");
    expect(ctx.validatedState!.state_details.scheduled_time).toBe(at(-120));
    expect(ctx.validatedState!.state_details.deployment_concurrency_lease_id).toBe("lease-1");
  });
});

describe("CopyScheduledTime", () => {
  for (const [kind, make] of kinds) {
    it(`copies the scheduled time from SCHEDULED to PENDING (${kind})`, async () => {
      const ctx = make({ initial: stateOf("SCHEDULED", { timestamp: at(-600), details: { scheduled_time: at(-300) } }), proposed: "PENDING" });
      const result = await run(ctx as any, [CopyScheduledTime]);
      expect(result.status).toBe("ACCEPT");
      expect(result.state!.state_details.scheduled_time).toBe(at(-300));
    });
  }

  it("keeps a scheduled time proposed with the PENDING state", async () => {
    const ctx = flowContext({
      initial: stateOf("SCHEDULED", { timestamp: at(-600), details: { scheduled_time: at(-300) } }),
      proposed: stateOf("PENDING", { details: { scheduled_time: at(-10) } }),
    });
    await run(ctx, [CopyScheduledTime]);
    expect(ctx.validatedState!.state_details.scheduled_time).toBe(at(-10));
  });

  for (const to of ["COMPLETED", "FAILED", "CANCELLED", "CRASHED", "RUNNING"] as StateType[])
    it(`does not copy it for SCHEDULED → ${to}`, async () => {
      const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: at(-600), details: { scheduled_time: at(-300) } }), proposed: to });
      await run(ctx, [CopyScheduledTime]);
      expect(ctx.validatedState!.state_details.scheduled_time).toBeNull();
    });

  it("does not copy it from a PENDING state", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: at(-600), details: { scheduled_time: at(-300) } }), proposed: stateOf("PENDING", { name: "Submitting" }) });
    await run(ctx, [CopyScheduledTime]);
    expect(ctx.validatedState!.state_details.scheduled_time).toBeNull();
  });
});

describe("WaitForScheduledTime", () => {
  for (const [kind, make] of kinds)
    for (const from of ["SCHEDULED", "PENDING"] as StateType[]) {
      it(`delays ${from} → RUNNING until the scheduled time (${kind})`, async () => {
        const ctx = make({ initial: stateOf(from, { timestamp: at(-60), details: { scheduled_time: at(300) } }), proposed: "RUNNING" });
        const result = await run(ctx as any, [WaitForScheduledTime]);
        expect(result.status).toBe("WAIT");
        expect(result.details).toEqual({ type: "wait_details", delay_seconds: 300, reason: "Scheduled time is in the future" });
        expect(ctx.proposedState).toBeNull();
        expect(result.state).toBe(ctx.initialState);
      });

      it(`lets ${from} → RUNNING through once the scheduled time has passed (${kind})`, async () => {
        const ctx = make({ initial: stateOf(from, { timestamp: at(-600), details: { scheduled_time: at(-300) } }), proposed: "RUNNING" });
        const result = await run(ctx as any, [WaitForScheduledTime]);
        expect(result.status).toBe("ACCEPT");
        expect(result.state!.type).toBe("RUNNING");
      });
    }

  it("lets a run without a scheduled time through", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: at(-60) }), proposed: "RUNNING" });
    expect((await run(ctx, [WaitForScheduledTime])).status).toBe("ACCEPT");
  });

  it("lets a run scheduled for exactly now through", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: at(-60), details: { scheduled_time: NOW } }), proposed: "RUNNING" });
    expect((await run(ctx, [WaitForScheduledTime])).status).toBe("ACCEPT");
  });

  for (const to of ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"] as StateType[])
    it(`does not govern SCHEDULED → ${to}`, async () => {
      const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: at(-60), details: { scheduled_time: at(300) } }), proposed: to });
      expect((await run(ctx, [WaitForScheduledTime])).status).toBe("ACCEPT");
    });

  it("does not govern PAUSED → RUNNING", async () => {
    const ctx = flowContext({ initial: stateOf("PAUSED", { timestamp: at(-60), details: { scheduled_time: at(300) } }), proposed: "RUNNING" });
    expect((await run(ctx, [WaitForScheduledTime])).status).toBe("ACCEPT");
  });

  it("rounds the delay as Prefect does: floor of the seconds, plus one when the fraction is over a half", () => {
    const base = "2024-06-01T12:00:00.000000Z";
    expect(delaySecondsUntil("2024-06-01T12:00:02.400000Z", base)).toBe(2);
    expect(delaySecondsUntil("2024-06-01T12:00:02.600000Z", base)).toBe(3);
    // Python's round() sends a half to the even neighbour (0), so exactly .5 is not rounded up.
    expect(delaySecondsUntil("2024-06-01T12:00:02.500000Z", base)).toBe(2);
    expect(delaySecondsUntil("2024-06-01T12:00:00.400000Z", base)).toBe(0);
    expect(delaySecondsUntil("2024-06-01T12:00:00.700000Z", base)).toBe(1);
    // Microseconds beyond the millisecond count.
    expect(delaySecondsUntil("2024-06-01T12:00:01.500001Z", base)).toBe(2);
    expect(delaySecondsUntil("2024-06-01T12:00:01.500000Z", "2024-06-01T12:00:00.000001Z")).toBe(1);
    // In the past: never positive.
    expect(delaySecondsUntil("2024-06-01T11:59:59.700000Z", base)).toBe(0);
    expect(delaySecondsUntil("2024-06-01T11:59:50.000000Z", base)).toBe(-10);
  });

  it("does not delay when the scheduled time is less than half a second away", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: at(-60), details: { scheduled_time: "2024-06-01T12:00:00.400000Z" } }), proposed: "RUNNING" });
    expect((await run(ctx, [WaitForScheduledTime])).status).toBe("ACCEPT");
  });

  it("accepts scheduled times written with an offset", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { timestamp: at(-60), details: { scheduled_time: "2024-06-01T14:01:00+02:00" } }), proposed: "RUNNING" });
    const result = await run(ctx, [WaitForScheduledTime]);
    expect(result.details).toMatchObject({ delay_seconds: 60 });
  });
});

describe("RenameReruns", () => {
  for (const [kind, make] of kinds) {
    it(`names a rerun "Rerunning" (${kind})`, async () => {
      const ctx = make({ run: { run_count: 2 }, initial: "SCHEDULED", proposed: "RUNNING" });
      const result = await run(ctx as any, [RenameReruns]);
      expect(result.status).toBe("ACCEPT");
      expect(result.state!.type).toBe("RUNNING");
      expect(result.state!.name).toBe("Rerunning");
    });

    it(`names a run leaving AwaitingRetry "Retrying" (${kind})`, async () => {
      const ctx = make({ run: { run_count: 2 }, initial: stateOf("SCHEDULED", { name: "AwaitingRetry", timestamp: at(-60) }), proposed: "RUNNING" });
      expect((await run(ctx as any, [RenameReruns])).state!.name).toBe("Retrying");
    });

    it(`leaves the first run's name alone (${kind})`, async () => {
      const ctx = make({ run: { run_count: 0 }, initial: "SCHEDULED", proposed: "RUNNING" });
      expect((await run(ctx as any, [RenameReruns])).state!.name).toBe("Running");
    });
  }

  it("leaves a run with no state alone", async () => {
    const ctx = taskContext({ run: { run_count: 3 }, initial: null, proposed: "RUNNING" });
    expect((await run(ctx, [RenameReruns])).state!.name).toBe("Running");
  });

  it("only renames RUNNING proposals", async () => {
    const ctx = taskContext({ run: { run_count: 3 }, initial: "RUNNING", proposed: "COMPLETED" });
    expect((await run(ctx, [RenameReruns])).state!.name).toBe("Completed");
  });
});
