import { describe, expect, it } from "vitest";
import { HandlePausingFlows, HandleResumingPausedFlows } from "../../../src/orchestration/rules/flow-pause";
import type { StateType } from "../../../src/orchestration/states";
import { at, flowContext, run, stateOf, STATE_TYPES } from "./support";

const paused = (details: Record<string, any> = {}, name?: string) => stateOf("PAUSED", { name, details: { pause_timeout: at(1000), ...details } });
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("HandlePausingFlows", () => {
  it("aborts a non-blocking pause (reschedule) of a subflow", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused({ pause_reschedule: true }), run: { parent_task_run_id: "task-1", deployment_id: "dep-1" } });
    const result = await run(ctx, [HandlePausingFlows]);
    expect(result.status).toBe("ABORT");
    expect(result.details).toEqual({ type: "abort_details", reason: "Cannot pause subflows." });
  });

  it("aborts a non-blocking pause of a run without a deployment", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused({ pause_reschedule: true }) });
    const result = await run(ctx, [HandlePausingFlows]);
    expect(result.status).toBe("ABORT");
    expect(result.details).toEqual({ type: "abort_details", reason: "Cannot pause flows without a deployment." });
  });

  it("speaks of suspending when the proposal is named Suspended", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused({ pause_reschedule: true }, "Suspended") });
    expect((await run(ctx, [HandlePausingFlows])).details).toEqual({ type: "abort_details", reason: "Cannot suspend flows without a deployment." });
  });

  it("accepts a non-blocking pause of a deployed run", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused({ pause_reschedule: true }), run: { deployment_id: "dep-1" } });
    expect((await run(ctx, [HandlePausingFlows])).status).toBe("ACCEPT");
  });

  it("accepts a blocking pause of a subflow without a deployment", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused(), run: { parent_task_run_id: "task-1" } });
    expect((await run(ctx, [HandlePausingFlows])).status).toBe("ACCEPT");
  });

  it("records the pause key once the pause is accepted", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused({ pause_key: "hello" }), run: { empirical_policy: { pause_keys: ["earlier"], resuming: false } } });
    expect((await run(ctx, [HandlePausingFlows])).status).toBe("ACCEPT");
    expect(ctx.run.empirical_policy.pause_keys).toEqual(["earlier", "hello"]);
  });

  it("records a random UUID when the pause has no key", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused() });
    expect(ctx.run.empirical_policy.pause_keys).toEqual([]);
    await run(ctx, [HandlePausingFlows]);
    expect(ctx.run.empirical_policy.pause_keys).toHaveLength(1);
    expect(ctx.run.empirical_policy.pause_keys[0]).toMatch(UUID_RE);
  });

  it("rejects a pause whose key already fired, keeping the run RUNNING", async () => {
    const first = flowContext({ initial: "RUNNING", proposed: paused({ pause_key: "hello" }) });
    await run(first, [HandlePausingFlows]);
    const again = flowContext({ initial: "RUNNING", proposed: paused({ pause_key: "hello" }), run: { empirical_policy: first.run.empirical_policy } });
    const result = await run(again, [HandlePausingFlows]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "This pause has already fired." });
    expect(result.state!.type).toBe("RUNNING");
    expect(again.run.empirical_policy.pause_keys).toEqual(["hello"]);
  });

  it("aborts pausing a run with no state", async () => {
    const result = await run(flowContext({ initial: null, proposed: paused(), run: { deployment_id: "dep-1" } }), [HandlePausingFlows]);
    expect(result.status).toBe("ABORT");
    expect(result.details).toEqual({ type: "abort_details", reason: "Cannot pause flows with no state." });
  });

  for (const from of STATE_TYPES.filter((t) => t !== "RUNNING"))
    it(`rejects pausing a ${from} run`, async () => {
      const result = await run(flowContext({ initial: from, proposed: paused(), run: { deployment_id: "dep-1" } }), [HandlePausingFlows]);
      expect(result.status).toBe("REJECT");
      expect(result.details).toEqual({ type: "reject_details", reason: "Cannot pause flows that are not currently running." });
      expect(result.state!.type).toBe(from);
    });

  // In Prefect a rule whose own rejection/abort leaves its TO states ({PAUSED}) is invalid on
  // exit, so after_transition (which records the key) does not run. Our engine runs `after`
  // anyway: a refused pause records its key, or `undefined` when no key was chosen yet.
  it("a refused pause (run not RUNNING) records no pause key", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: paused(), run: { deployment_id: "dep-1" } });
    await run(ctx, [HandlePausingFlows]);
    expect(ctx.run.empirical_policy.pause_keys).toEqual([]);
  });

  it("an aborted suspend of a subflow does not use up its pause key", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: paused({ pause_key: "k1", pause_reschedule: true }, "Suspended"), run: { parent_task_run_id: "task-1" } });
    expect((await run(ctx, [HandlePausingFlows])).status).toBe("ABORT");
    expect(ctx.run.empirical_policy.pause_keys).toEqual([]);
  });
});

describe("HandleResumingPausedFlows", () => {
  it("rejects leaving a non-blocking pause without a deployment", async () => {
    const ctx = flowContext({ initial: stateOf("PAUSED", { timestamp: at(-60), details: { pause_timeout: at(300), pause_reschedule: true } }), proposed: "RUNNING" });
    const result = await run(ctx, [HandleResumingPausedFlows]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Cannot reschedule a running flow run without a deployment." });
    expect(result.state!.type).toBe("PAUSED");
  });

  it("lets a blocking pause resume without a deployment", async () => {
    const ctx = flowContext({ initial: stateOf("PAUSED", { timestamp: at(-60), details: { pause_timeout: at(300) } }), proposed: "RUNNING" });
    expect((await run(ctx, [HandleResumingPausedFlows])).status).toBe("ACCEPT");
  });

  const permitted: StateType[] = ["RUNNING", "COMPLETED", "SCHEDULED", "FAILED", "CRASHED", "CANCELLED"];
  for (const to of STATE_TYPES)
    it(`${permitted.includes(to) ? "accepts" : "rejects"} PAUSED → ${to}`, async () => {
      const ctx = flowContext({ initial: "PAUSED", proposed: to, run: { deployment_id: "dep-1" } });
      const result = await run(ctx, [HandleResumingPausedFlows]);
      if (permitted.includes(to)) {
        expect(result.status).toBe("ACCEPT");
      } else {
        expect(result.status).toBe("REJECT");
        expect(result.details).toEqual({ type: "reject_details", reason: `This run cannot transition to the ${to} state from the PAUSED state.` });
        expect(result.state!.type).toBe("PAUSED");
      }
    });

  it("fails a run whose pause timed out", async () => {
    const ctx = flowContext({ initial: stateOf("PAUSED", { timestamp: at(-600), details: { pause_timeout: at(-300) } }), proposed: "RUNNING", run: { deployment_id: "dep-1" } });
    const result = await run(ctx, [HandleResumingPausedFlows]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "The flow run pause has timed out and can no longer resume." });
    expect(result.state).toMatchObject({ type: "FAILED", name: "Failed", message: "The flow was running and never resumed." });
  });

  it("speaks of suspension for a timed-out Suspended proposal", async () => {
    const ctx = flowContext({
      initial: stateOf("PAUSED", { timestamp: at(-600), details: { pause_timeout: at(-300) } }),
      proposed: stateOf("SCHEDULED", { name: "Suspended" }),
      run: { deployment_id: "dep-1" },
    });
    const result = await run(ctx, [HandleResumingPausedFlows]);
    expect(result.details).toEqual({ type: "reject_details", reason: "The flow run suspend has timed out and can no longer resume." });
    expect(result.state!.message).toBe("The flow was suspended and never resumed.");
  });

  it("lets a run resume before its pause times out, and marks it resuming", async () => {
    const ctx = flowContext({ initial: stateOf("PAUSED", { timestamp: at(-60), details: { pause_timeout: at(300) } }), proposed: "RUNNING", run: { deployment_id: "dep-1" } });
    const result = await run(ctx, [HandleResumingPausedFlows]);
    expect(result.status).toBe("ACCEPT");
    expect(ctx.run.empirical_policy.resuming).toBe(true);
  });

  it("lets a pause with no timeout resume", async () => {
    const ctx = flowContext({ initial: "PAUSED", proposed: "RUNNING" });
    expect((await run(ctx, [HandleResumingPausedFlows])).status).toBe("ACCEPT");
    expect(ctx.run.empirical_policy.resuming).toBe(true);
  });

  // Prefect's TO states include "no state", so its after hook runs for its own rejections too.
  it("marks the run resuming even when it rejects the proposal, as Prefect does", async () => {
    const ctx = flowContext({ initial: "PAUSED", proposed: "PENDING" });
    expect((await run(ctx, [HandleResumingPausedFlows])).status).toBe("REJECT");
    expect(ctx.run.empirical_policy.resuming).toBe(true);
  });

  it("does not govern other transitions", async () => {
    const ctx = flowContext({ initial: "RUNNING", proposed: "PENDING" });
    expect((await run(ctx, [HandleResumingPausedFlows])).status).toBe("ACCEPT");
    expect(ctx.run.empirical_policy.resuming).toBe(false);
  });

  // Prefect compares datetimes; flow-pause.ts compares the ISO strings, and state_details
  // datetimes are stored as the client wrote them (src/schemas/primitives.ts DateTime only
  // checks they parse). 13:59+02:00 is 11:59Z, a minute before NOW (12:00Z).
  it("a pause timeout written with a UTC offset is compared as a time, not as text", async () => {
    const ctx = flowContext({
      initial: stateOf("PAUSED", { timestamp: at(-600), details: { pause_timeout: "2024-06-01T13:59:00+02:00" } }),
      proposed: "RUNNING",
      run: { deployment_id: "dep-1" },
    });
    const result = await run(ctx, [HandleResumingPausedFlows]);
    expect(result.state!.type).toBe("FAILED");
  });
});
