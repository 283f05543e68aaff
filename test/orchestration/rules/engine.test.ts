import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Context } from "../../../src/orchestration/context";
import type { Rule, Transform } from "../../../src/orchestration/engine";
import { states } from "../../../src/orchestration/states";
import { BEFORE, flowContext, run, stateOf, taskContext, tracingRule, tracingTransform, type Trace } from "./support";

const trace = (): Trace => ({ log: [] });

describe("engine: rules apply only to their transition", () => {
  it("fires before then after for a valid rule, and accepts the proposal", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    const proposed = ctx.proposedState;
    const result = await run(ctx, [tracingRule(t, "A")]);
    expect(t.log).toEqual(["A.before", "A.after"]);
    expect(result.status).toBe("ACCEPT");
    expect(result.details).toEqual({ type: "accept_details" });
    expect(result.state).toBe(proposed);
    expect(ctx.validatedState).toBe(proposed);
  });

  it("fires no hook of a rule whose FROM states do not hold the initial state type", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [tracingRule(t, "A", { from: states("SCHEDULED") })]);
    expect(t.log).toEqual([]);
  });

  it("fires no hook of a rule whose TO states do not hold the proposed state type", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [tracingRule(t, "A", { to: states("COMPLETED") })]);
    expect(t.log).toEqual([]);
  });

  it("matches a run with no state through the null FROM state", async () => {
    const t = trace();
    await run(flowContext({ initial: null, proposed: "PENDING" }), [
      tracingRule(t, "none", { from: states(null) }),
      tracingRule(t, "some", { from: states("PENDING") }),
    ]);
    expect(t.log).toEqual(["none.before", "none.after"]);
  });

  it("works the same way for task runs", async () => {
    const t = trace();
    await run(taskContext({ initial: "PENDING", proposed: "RUNNING" }), [tracingRule(t, "A"), tracingRule(t, "B", { to: states("FAILED") })]);
    expect(t.log).toEqual(["A.before", "A.after"]);
  });
});

describe("engine: a changed proposal invalidates later rules and fizzles earlier ones", () => {
  const mutator = (t: Trace): Rule<Context> =>
    tracingRule(t, "M", { before: ({ ctx, reject }) => reject(stateOf("FAILED"), "mutated") });

  it("skips later rules, cleans up earlier ones, and keeps the mutating rule valid", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    const result = await run(ctx, [tracingRule(t, "first"), mutator(t), tracingRule(t, "later")]);
    expect(t.log).toEqual(["first.before", "M.before", "M.after", "first.cleanup"]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "mutated" });
    expect(result.state!.type).toBe("FAILED");
  });

  it("unwinds hooks in reverse order of entry", async () => {
    const t = trace();
    await run(flowContext({ initial: "PENDING", proposed: "RUNNING" }), [tracingRule(t, "A"), tracingRule(t, "B"), tracingRule(t, "C")]);
    expect(t.log).toEqual(["A.before", "B.before", "C.before", "C.after", "B.after", "A.after"]);
  });

  it("cleans up every fizzled rule, innermost first", async () => {
    const t = trace();
    await run(flowContext({ initial: "PENDING", proposed: "RUNNING" }), [tracingRule(t, "A"), tracingRule(t, "B"), mutator(t)]);
    expect(t.log).toEqual(["A.before", "B.before", "M.before", "M.after", "B.cleanup", "A.cleanup"]);
  });

  it("a rule that only renames the proposal changes no rule's validity", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [tracingRule(t, "A"), tracingRule(t, "R", { before: ({ rename }) => rename("Renamed") }), tracingRule(t, "C")]);
    expect(t.log).toEqual(["A.before", "R.before", "C.before", "C.after", "R.after", "A.after"]);
    expect(ctx.validatedState!.name).toBe("Renamed");
  });

  it("a rule rejecting with a state of the proposed type does not invalidate later rules", async () => {
    const t = trace();
    await run(flowContext({ initial: "PENDING", proposed: "RUNNING" }), [
      tracingRule(t, "A"),
      tracingRule(t, "same", { before: ({ reject }) => reject(stateOf("RUNNING", { name: "Other" }), "same type") }),
      tracingRule(t, "C"),
    ]);
    expect(t.log).toEqual(["A.before", "same.before", "C.before", "C.after", "same.after", "A.after"]);
  });
});

describe("engine: reject / delay / abort", () => {
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
  });

  it("a null rejection keeps the current state and fizzles earlier rules, without fizzling itself", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    const result = await run(ctx, [tracingRule(t, "A"), tracingRule(t, "N", { before: ({ reject }) => reject(null, "its okay") }), tracingRule(t, "C")]);
    expect(t.log).toEqual(["A.before", "N.before", "N.after", "A.cleanup"]);
    expect(ctx.proposedState).toBeNull();
    expect(result.status).toBe("REJECT");
    expect(result.state).toBe(ctx.initialState);
  });

  it("a delay writes no state and answers WAIT with the delay", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "RUNNING" });
    const result = await run(ctx, [tracingRule(t, "W", { before: ({ delay }) => delay(12, "later") }), tracingRule(t, "C")]);
    expect(t.log).toEqual(["W.before", "W.after"]);
    expect(ctx.proposedState).toBeNull();
    expect(result).toEqual({ state: ctx.initialState, status: "WAIT", details: { type: "wait_details", delay_seconds: 12, reason: "later" } });
  });

  it("an abort writes no state and answers ABORT", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    const result = await run(ctx, [tracingRule(t, "X", { before: ({ abort }) => abort("nope") }), tracingRule(t, "C")]);
    expect(t.log).toEqual(["X.before", "X.after"]);
    expect(result).toEqual({ state: ctx.initialState, status: "ABORT", details: { type: "abort_details", reason: "nope" } });
  });

  it("a null rejection of a run with no state aborts instead", async () => {
    const ctx = flowContext({ initial: null, proposed: "PENDING" });
    const result = await run(ctx, [tracingRule(trace(), "N", { before: ({ reject }) => reject(null, "its okay") })]);
    expect(result.status).toBe("ABORT");
    expect(result.state).toBeNull();
    expect((result.details as any).reason).toMatch(/no state/);
  });

  // Prefect re-checks a rule's FROM/TO states on exit against the transition the rule itself
  // moved to: a rule whose own reject/delay/abort took the proposal outside its TO states is
  // "invalid" on exit and fires neither after_transition nor cleanup.
  it("a rule whose own rejection leaves its TO states fires no after hook (Prefect: invalid on exit)", async () => {
    const t = trace();
    await run(flowContext({ initial: "PENDING", proposed: "RUNNING" }), [
      tracingRule(t, "narrow", { to: states("RUNNING"), before: ({ reject }) => reject(null, "no") }),
    ]);
    expect(t.log).toEqual(["narrow.before"]);
  });
});

describe("engine: errors in hooks", () => {
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
  });

  it("an error in a before hook aborts, and every rule already entered (the failing one too) cleans up", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    const result = await run(ctx, [
      tracingRule(t, "A"),
      tracingRule(t, "Boom", {
        before: () => {
          throw new Error("Test!");
        },
      }),
      tracingRule(t, "C"),
    ]);
    expect(t.log).toEqual(["A.before", "Boom.before", "Boom.cleanup", "A.cleanup"]);
    expect(ctx.proposedState).toBeNull();
    expect(result.status).toBe("ABORT");
    expect(result.state).toBe(ctx.initialState);
    expect((result.details as any).reason).toContain("Aborting orchestration due to error in Boom");
    expect((result.details as any).reason).toContain("Test!");
  });

  it("an error in an after hook propagates to the caller", async () => {
    const rule: Rule<Context> = {
      name: "AfterBoom",
      from: states("PENDING"),
      to: states("RUNNING"),
      after() {
        throw new Error("after failed");
      },
    };
    await expect(run(flowContext({ initial: "PENDING", proposed: "RUNNING" }), [rule])).rejects.toThrow("after failed");
  });

  // Prefect: universal transforms skip after_transition once orchestration recorded an error.
  it("universal transforms fire no after hook once a rule's before hook has errored", async () => {
    const t = trace();
    await run(
      flowContext({ initial: "PENDING", proposed: "RUNNING" }),
      [
        tracingRule(t, "Boom", {
          before: () => {
            throw new Error("x");
          },
        }),
      ],
      [tracingTransform(t, "G")],
    );
    expect(t.log).toEqual(["Boom.before", "G.before", "Boom.cleanup"]);
  });
});

describe("engine: universal transforms", () => {
  it("fire on every transition, after rules of the policy, and unwind before them", async () => {
    const t = trace();
    await run(flowContext({ initial: "PENDING", proposed: "RUNNING" }), [tracingRule(t, "A"), tracingTransform(t, "T")], [tracingTransform(t, "G")]);
    expect(t.log).toEqual(["A.before", "T.before", "G.before", "G.after", "T.after", "A.after"]);
  });

  it("still fire (and are left to check for themselves) when the proposal was nullified", async () => {
    const t = trace();
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [tracingRule(t, "X", { before: ({ abort }) => abort("stop") })], [tracingTransform(t, "G")]);
    expect(t.log).toEqual(["X.before", "G.before", "G.after", "X.after"]);
  });

  it("fire even for transitions no rule governs", async () => {
    const t = trace();
    await run(flowContext({ initial: "COMPLETED", proposed: "SCHEDULED" }), [tracingRule(t, "A", { from: states("RUNNING") })], [tracingTransform(t, "G")]);
    expect(t.log).toEqual(["G.before", "G.after"]);
  });

  it("see the state validated before their after hooks run", async () => {
    const seen: unknown[] = [];
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: BEFORE }), proposed: "RUNNING" });
    const peek: Transform<Context> = { name: "Peek", universal: true, before: (c) => void seen.push(c.validatedState), after: (c) => void seen.push(c.validatedState) };
    await run(ctx, [], [peek]);
    expect(seen).toEqual([null, ctx.proposedState]);
  });
});
