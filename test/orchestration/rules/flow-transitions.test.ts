import { describe, expect, it } from "vitest";
import type { Context } from "../../../src/orchestration/context";
import type { Rule } from "../../../src/orchestration/engine";
import { PreventPendingTransitions } from "../../../src/orchestration/rules/common";
import {
  BypassCancellingFlowRunsWithNoInfra,
  EnforceCancellingToCancelledTransition,
  EnsureOnlyScheduledFlowsMarkedLate,
  HandleFlowTerminalStateTransitions,
  PreserveDeploymentConcurrencyLeaseId,
  PreventDuplicateTransitions,
  PreventResultDataLoss,
} from "../../../src/orchestration/rules/flow-transitions";
import { ALL_STATES, hasPersistedResult, type StateType } from "../../../src/orchestration/states";
import { at, flowContext, NOW, otherThan, run, stateOf, TERMINAL } from "./support";

/** What Prefect's result records look like once persisted (ResultRecordMetadata). */
const PERSISTED = {
  storage_key: "/results/3f1c",
  expiration: null,
  serializer: { type: "pickle", picklelib: "cloudpickle" },
  prefect_version: "3.4.0",
  storage_block_id: null,
};

/** A rule that rejects any proposal with a FAILED state, fizzling every rule before it. */
const Fizzler: Rule<Context> = {
  name: "Fizzler",
  from: ALL_STATES,
  to: ALL_STATES,
  before({ ctx, reject }) {
    reject(stateOf("FAILED", { timestamp: ctx.now }), "for testing");
  },
};

const completed = (data: unknown) => stateOf("COMPLETED", { timestamp: at(-60), data });

describe("PreserveDeploymentConcurrencyLeaseId", () => {
  it("copies the lease id forward when the proposal has none", async () => {
    const ctx = flowContext({
      initial: stateOf("PENDING", { timestamp: at(-60), details: { deployment_concurrency_lease_id: "lease-1" } }),
      proposed: stateOf("PENDING", { name: "Submitting", details: { deployment_concurrency_lease_id: null } }),
    });
    await run(ctx, [PreserveDeploymentConcurrencyLeaseId]);
    expect(ctx.validatedState!.state_details.deployment_concurrency_lease_id).toBe("lease-1");
  });

  it("keeps a lease id the proposal brings", async () => {
    const ctx = flowContext({
      initial: stateOf("PENDING", { timestamp: at(-60), details: { deployment_concurrency_lease_id: "lease-1" } }),
      proposed: stateOf("PENDING", { name: "Submitting", details: { deployment_concurrency_lease_id: "lease-2" } }),
    });
    await run(ctx, [PreserveDeploymentConcurrencyLeaseId]);
    expect(ctx.validatedState!.state_details.deployment_concurrency_lease_id).toBe("lease-2");
  });

  it("copies it across any transition type, whatever the client version", async () => {
    const ctx = flowContext({
      clientVersion: "0.1.0",
      initial: stateOf("PENDING", { timestamp: at(-60), details: { deployment_concurrency_lease_id: "lease-1" } }),
      proposed: "RUNNING",
    });
    await run(ctx, [PreserveDeploymentConcurrencyLeaseId]);
    expect(ctx.validatedState!.state_details.deployment_concurrency_lease_id).toBe("lease-1");
  });

  it("handles runs with no state and nullified proposals", async () => {
    const first = flowContext({ initial: null, proposed: "PENDING" });
    await run(first, [PreserveDeploymentConcurrencyLeaseId]);
    expect(first.validatedState!.state_details.deployment_concurrency_lease_id).toBeNull();

    const nulled = flowContext({ initial: stateOf("PENDING", { timestamp: at(-60), details: { deployment_concurrency_lease_id: "lease-1" } }), proposed: null });
    const result = await run(nulled, [PreserveDeploymentConcurrencyLeaseId]);
    expect(result.state).toBe(nulled.initialState);
  });

  it("runs before PreventPendingTransitions sees the proposal", async () => {
    const ctx = flowContext({
      initial: stateOf("PENDING", { timestamp: at(-60), details: { deployment_concurrency_lease_id: "lease-1" } }),
      proposed: stateOf("PENDING", { name: "Submitting" }),
    });
    const result = await run(ctx, [PreserveDeploymentConcurrencyLeaseId, PreventPendingTransitions]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.state_details.deployment_concurrency_lease_id).toBe("lease-1");
  });
});

describe("PreventDuplicateTransitions", () => {
  const pending = (transition_id?: string) => stateOf("PENDING", { timestamp: at(-60), details: transition_id ? { transition_id } : {} });
  const proposal = (transition_id?: string) => stateOf("PENDING", { name: "Submitting", details: transition_id ? { transition_id } : {} });

  it("accepts when neither state carries a transition id", async () => {
    expect((await run(flowContext({ initial: pending(), proposed: proposal() }), [PreventDuplicateTransitions])).status).toBe("ACCEPT");
  });

  it("accepts when only the current state carries one", async () => {
    expect((await run(flowContext({ initial: pending("t-1"), proposed: proposal() }), [PreventDuplicateTransitions])).status).toBe("ACCEPT");
  });

  it("accepts when only the proposal carries one", async () => {
    expect((await run(flowContext({ initial: pending(), proposed: proposal("t-1") }), [PreventDuplicateTransitions])).status).toBe("ACCEPT");
  });

  it("accepts different transition ids", async () => {
    expect((await run(flowContext({ initial: pending("t-1"), proposed: proposal("t-2") }), [PreventDuplicateTransitions])).status).toBe("ACCEPT");
  });

  it("rejects a repeated transition id and answers the current state", async () => {
    const ctx = flowContext({ initial: pending("t-1"), proposed: proposal("t-1") });
    const result = await run(ctx, [PreventDuplicateTransitions]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "This run has already made this state transition." });
    expect(result.state).toBe(ctx.initialState);
  });

  it("governs every transition type", async () => {
    const ctx = flowContext({
      initial: stateOf("RUNNING", { timestamp: at(-60), details: { transition_id: "t-9" } }),
      proposed: stateOf("COMPLETED", { details: { transition_id: "t-9" } }),
    });
    expect((await run(ctx, [PreventDuplicateTransitions])).status).toBe("REJECT");
  });
});

describe("HandleFlowTerminalStateTransitions", () => {
  for (const from of TERMINAL)
    for (const to of ["CRASHED", "CANCELLING", "PAUSED"] as StateType[])
      it(`aborts ${from} → ${to}`, async () => {
        const ctx = flowContext({ initial: from, proposed: to, run: { deployment_id: "dep-1" } });
        const result = await run(ctx, [HandleFlowTerminalStateTransitions]);
        expect(result.status).toBe("ABORT");
        expect(result.details).toEqual({ type: "abort_details", reason: `Run is already in terminal state ${from}.` });
      });

  for (const to of ["PENDING", "RUNNING"] as StateType[]) {
    it(`lets COMPLETED without a persisted result move to ${to}`, async () => {
      const result = await run(flowContext({ initial: completed(null), proposed: to }), [HandleFlowTerminalStateTransitions]);
      expect(result.status).toBe("ACCEPT");
    });

    it(`rejects COMPLETED with a persisted result → ${to}`, async () => {
      const ctx = flowContext({ initial: completed(PERSISTED), proposed: to, run: { deployment_id: "dep-1" } });
      const result = await run(ctx, [HandleFlowTerminalStateTransitions]);
      expect(result.status).toBe("REJECT");
      expect(result.details).toEqual({ type: "reject_details", reason: "Run is already COMPLETED." });
      expect(result.state).toBe(ctx.initialState);
    });
  }

  it("rejects COMPLETED with a persisted result → SCHEDULED even with a deployment", async () => {
    const ctx = flowContext({ initial: completed(PERSISTED), proposed: "SCHEDULED", run: { deployment_id: "dep-1" } });
    expect((await run(ctx, [HandleFlowTerminalStateTransitions])).status).toBe("REJECT");
  });

  it("lets COMPLETED with an unpersisted result rerun", async () => {
    const ctx = flowContext({ initial: completed({ type: "unpersisted" }), proposed: "RUNNING" });
    expect((await run(ctx, [HandleFlowTerminalStateTransitions])).status).toBe("ACCEPT");
  });

  it("rejects COMPLETED → COMPLETED that would drop the persisted result", async () => {
    const ctx = flowContext({ initial: completed(PERSISTED), proposed: stateOf("COMPLETED", { data: null }) });
    const result = await run(ctx, [HandleFlowTerminalStateTransitions]);
    expect(result.status).toBe("REJECT");
    expect((result.details as any).reason).toMatch(/Cannot overwrite a COMPLETED state/);
  });

  it("accepts COMPLETED → COMPLETED carrying a persisted result, and COMPLETED → FAILED", async () => {
    expect(
      (await run(flowContext({ initial: completed(PERSISTED), proposed: stateOf("COMPLETED", { data: { ...PERSISTED, storage_key: "/other" } }) }), [HandleFlowTerminalStateTransitions]))
        .status,
    ).toBe("ACCEPT");
    expect((await run(flowContext({ initial: completed(PERSISTED), proposed: "FAILED" }), [HandleFlowTerminalStateTransitions])).status).toBe("ACCEPT");
  });

  for (const scalar of [1, "hello", true, [1, 2, 3]])
    it(`treats scalar result data ${JSON.stringify(scalar)} as not persisted`, async () => {
      const ctx = flowContext({ initial: completed(scalar), proposed: stateOf("COMPLETED") });
      expect((await run(ctx, [HandleFlowTerminalStateTransitions])).status).toBe("ACCEPT");
    });

  it("aborts rescheduling a run without a deployment", async () => {
    const ctx = flowContext({ initial: "FAILED", proposed: stateOf("SCHEDULED", { name: "AwaitingRetry" }), run: { run_count: 2 } });
    const result = await run(ctx, [HandleFlowTerminalStateTransitions]);
    expect(result.status).toBe("ABORT");
    expect(result.details).toEqual({ type: "abort_details", reason: "Cannot reschedule a run without an associated deployment." });
    expect(ctx.run.run_count).toBe(2);
  });

  it("lets a deployed run be rescheduled (manual retry) under any name, past its retries, keeping its run count", async () => {
    const ctx = flowContext({
      initial: "FAILED",
      proposed: stateOf("SCHEDULED", { name: "FooBar" }),
      run: { deployment_id: "dep-1", run_count: 3, empirical_policy: { retries: 1, retry_delay: 0, pause_keys: ["k"], resuming: true, retry_type: "in_process" } },
    });
    const result = await run(ctx, [HandleFlowTerminalStateTransitions]);
    expect(result.status).toBe("ACCEPT");
    expect(ctx.run.run_count).toBe(3);
    expect(ctx.run.empirical_policy).toEqual({ retries: 1, retry_delay: 0, pause_keys: [], resuming: false, retry_type: "reschedule" });
  });

  for (const from of TERMINAL)
    it(`resets pause bookkeeping and clears the retry type when ${from} → RUNNING`, async () => {
      const ctx = flowContext({ initial: from, proposed: "RUNNING", run: { empirical_policy: { pause_keys: ["k"], resuming: true, retry_type: "reschedule" } } });
      expect((await run(ctx, [HandleFlowTerminalStateTransitions])).status).toBe("ACCEPT");
      expect(ctx.run.empirical_policy).toEqual({ pause_keys: [], resuming: false, retry_type: null });
    });

  it("leaves the policy alone for terminal → terminal transitions", async () => {
    const policy = { pause_keys: ["k"], resuming: true, retry_type: "in_process" };
    const ctx = flowContext({ initial: "FAILED", proposed: "COMPLETED", run: { empirical_policy: { ...policy } } });
    await run(ctx, [HandleFlowTerminalStateTransitions]);
    expect(ctx.run.empirical_policy).toEqual(policy);
  });

  it("leaves the policy alone for clients older than API 0.8.4", async () => {
    const policy = { pause_keys: ["k"], resuming: true, retry_type: "in_process" };
    const ctx = flowContext({ apiVersion: "0.8.3", initial: "FAILED", proposed: "RUNNING", run: { empirical_policy: { ...policy } } });
    expect((await run(ctx, [HandleFlowTerminalStateTransitions])).status).toBe("ACCEPT");
    expect(ctx.run.empirical_policy).toEqual(policy);
  });

  it("compares API versions as versions (0.8.10 is newer than 0.8.4)", async () => {
    const ctx = flowContext({ apiVersion: "0.8.10", initial: "FAILED", proposed: "RUNNING", run: { empirical_policy: { pause_keys: ["k"], resuming: true } } });
    await run(ctx, [HandleFlowTerminalStateTransitions]);
    expect(ctx.run.empirical_policy.pause_keys).toEqual([]);
  });

  it("restores the original policy when a later rule fizzles it", async () => {
    const policy = { pause_keys: ["k"], resuming: true, retry_type: "in_process" };
    const ctx = flowContext({ initial: "FAILED", proposed: "RUNNING", run: { empirical_policy: { ...policy } } });
    const result = await run(ctx, [HandleFlowTerminalStateTransitions, Fizzler]);
    expect(result.status).toBe("REJECT");
    expect(ctx.run.empirical_policy).toEqual(policy);
  });

  for (const [from, to] of [
    ["RUNNING", "COMPLETED"],
    ["SCHEDULED", "PENDING"],
    ["PENDING", "CRASHED"],
    ["RUNNING", "CANCELLING"],
    ["PAUSED", "SCHEDULED"],
  ] as [StateType, StateType][])
    it(`does not govern ${from} → ${to}`, async () => {
      const ctx = flowContext({ initial: from, proposed: to, run: { empirical_policy: { pause_keys: ["k"] } } });
      expect((await run(ctx, [HandleFlowTerminalStateTransitions])).status).toBe("ACCEPT");
      expect(ctx.run.empirical_policy.pause_keys).toEqual(["k"]);
    });
});

describe("PreventResultDataLoss", () => {
  it("rejects COMPLETED → COMPLETED when the persisted result would be lost", async () => {
    const ctx = flowContext({ initial: completed(PERSISTED), proposed: stateOf("COMPLETED") });
    const result = await run(ctx, [PreventResultDataLoss]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({
      type: "reject_details",
      reason: "Cannot overwrite a COMPLETED state that carries persisted result data with one that does not.",
    });
    expect(result.state).toBe(ctx.initialState);
  });

  it("accepts when the current state has no result data", async () => {
    expect((await run(flowContext({ initial: completed(null), proposed: stateOf("COMPLETED") }), [PreventResultDataLoss])).status).toBe("ACCEPT");
  });

  it("accepts when the current result is unpersisted", async () => {
    expect((await run(flowContext({ initial: completed({ type: "unpersisted" }), proposed: stateOf("COMPLETED") }), [PreventResultDataLoss])).status).toBe("ACCEPT");
  });

  it("accepts a proposal carrying a persisted result", async () => {
    expect((await run(flowContext({ initial: completed(PERSISTED), proposed: stateOf("COMPLETED", { data: PERSISTED }) }), [PreventResultDataLoss])).status).toBe("ACCEPT");
  });

  for (const scalar of [1, "hello", true, [1, 2, 3]]) {
    it(`accepts scalar current data ${JSON.stringify(scalar)}`, async () => {
      expect((await run(flowContext({ initial: completed(scalar), proposed: stateOf("COMPLETED") }), [PreventResultDataLoss])).status).toBe("ACCEPT");
    });

    it(`rejects scalar proposed data ${JSON.stringify(scalar)} over a persisted result`, async () => {
      const ctx = flowContext({ initial: completed(PERSISTED), proposed: stateOf("COMPLETED", { data: scalar }) });
      expect((await run(ctx, [PreventResultDataLoss])).status).toBe("REJECT");
    });
  }

  it("does not govern COMPLETED → FAILED or COMPLETED → RUNNING", async () => {
    expect((await run(flowContext({ initial: completed(PERSISTED), proposed: "FAILED" }), [PreventResultDataLoss])).status).toBe("ACCEPT");
    expect((await run(flowContext({ initial: completed(PERSISTED), proposed: "RUNNING" }), [PreventResultDataLoss])).status).toBe("ACCEPT");
  });

  // Prefect's _has_persisted_result is `isinstance(data, dict) and data.get("type") != "unpersisted"`:
  // any dict, the empty one included, counts as persisted result metadata on the proposed side.
  // states.ts hasPersistedResult treats {} as "no result", so {} over a persisted result is rejected.
  it("an empty-dict proposed result counts as persisted (Prefect accepts)", async () => {
    const ctx = flowContext({ initial: completed(PERSISTED), proposed: stateOf("COMPLETED", { data: {} }) });
    expect((await run(ctx, [PreventResultDataLoss])).status).toBe("ACCEPT");
  });

  it("hasPersistedResult: dicts other than the unpersisted marker are persisted", () => {
    expect(hasPersistedResult(PERSISTED)).toBe(true);
    expect(hasPersistedResult({ type: "reference" })).toBe(true);
    expect(hasPersistedResult({ type: "unpersisted" })).toBe(false);
    expect(hasPersistedResult(null)).toBe(false);
    expect(hasPersistedResult([1])).toBe(false);
    expect(hasPersistedResult("x")).toBe(false);
  });
});

describe("EnforceCancellingToCancelledTransition", () => {
  for (const to of otherThan("CANCELLED"))
    it(`rejects CANCELLING → ${to}`, async () => {
      const ctx = flowContext({ initial: "CANCELLING", proposed: to });
      const result = await run(ctx, [EnforceCancellingToCancelledTransition]);
      expect(result.status).toBe("REJECT");
      expect(result.details).toEqual({ type: "reject_details", reason: "Cannot transition flows that are cancelling to a state other than Cancelled." });
      expect(result.state!.type).toBe("CANCELLING");
    });

  it("accepts CANCELLING → CANCELLED", async () => {
    expect((await run(flowContext({ initial: "CANCELLING", proposed: "CANCELLED" }), [EnforceCancellingToCancelledTransition])).status).toBe("ACCEPT");
  });

  for (const to of otherThan("CANCELLED"))
    it(`does not block CANCELLED → ${to}`, async () => {
      expect((await run(flowContext({ initial: "CANCELLED", proposed: to }), [EnforceCancellingToCancelledTransition])).status).not.toBe("REJECT");
    });
});

describe("BypassCancellingFlowRunsWithNoInfra", () => {
  it("sends a SCHEDULED run without infrastructure straight to CANCELLED", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "CANCELLING" });
    const result = await run(ctx, [BypassCancellingFlowRunsWithNoInfra]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Scheduled flow run has no infrastructure to terminate." });
    expect(result.state).toMatchObject({ type: "CANCELLED", name: "Cancelled", timestamp: NOW });
  });

  it("sends a suspended run (PAUSED with reschedule) straight to CANCELLED", async () => {
    const ctx = flowContext({ initial: stateOf("PAUSED", { timestamp: at(-60), details: { pause_reschedule: true } }), proposed: "CANCELLING" });
    const result = await run(ctx, [BypassCancellingFlowRunsWithNoInfra]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Suspended flow run has no infrastructure to terminate." });
    expect(result.state!.type).toBe("CANCELLED");
  });

  it("sends a Resuming run straight to CANCELLED even when it has a pid", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { name: "Resuming", timestamp: at(-60) }), proposed: "CANCELLING", run: { infrastructure_pid: "my-pid-42" } });
    const result = await run(ctx, [BypassCancellingFlowRunsWithNoInfra]);
    expect(result.status).toBe("REJECT");
    expect(result.state!.type).toBe("CANCELLED");
  });

  it("lets a SCHEDULED run with infrastructure (e.g. AwaitingRetry) go CANCELLING", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { name: "AwaitingRetry", timestamp: at(-60) }), proposed: "CANCELLING", run: { infrastructure_pid: "my-pid-42" } });
    const result = await run(ctx, [BypassCancellingFlowRunsWithNoInfra]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.type).toBe("CANCELLING");
  });

  it("lets a blocking pause go CANCELLING", async () => {
    const result = await run(flowContext({ initial: "PAUSED", proposed: "CANCELLING" }), [BypassCancellingFlowRunsWithNoInfra]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.type).toBe("CANCELLING");
  });

  for (const from of [null, ...otherThan("SCHEDULED", "PAUSED")])
    it(`leaves ${from} → CANCELLING alone`, async () => {
      const result = await run(flowContext({ initial: from, proposed: "CANCELLING" }), [BypassCancellingFlowRunsWithNoInfra]);
      expect(result.status).toBe("ACCEPT");
      expect(result.state!.type).toBe("CANCELLING");
    });
});

describe("EnsureOnlyScheduledFlowsMarkedLate", () => {
  const late = () => stateOf("SCHEDULED", { name: "Late", details: { scheduled_time: at(-30) } });

  for (const from of ["RUNNING", "PENDING", "COMPLETED", "FAILED", "CANCELLING"] as StateType[])
    it(`rejects marking a ${from} run late`, async () => {
      const ctx = flowContext({ initial: from, proposed: late() });
      const result = await run(ctx, [EnsureOnlyScheduledFlowsMarkedLate]);
      expect(result.status).toBe("REJECT");
      expect(result.details).toEqual({ type: "reject_details", reason: "Only scheduled flows can be marked late." });
      expect(result.state!.type).toBe(from);
    });

  it("accepts marking a SCHEDULED run late", async () => {
    const result = await run(flowContext({ initial: "SCHEDULED", proposed: late() }), [EnsureOnlyScheduledFlowsMarkedLate]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.name).toBe("Late");
  });

  it("rejects marking an already late run late", async () => {
    const ctx = flowContext({ initial: stateOf("SCHEDULED", { name: "Late", timestamp: at(-60) }), proposed: late() });
    const result = await run(ctx, [EnsureOnlyScheduledFlowsMarkedLate]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "This flow run is already marked late." });
  });

  it("leaves other SCHEDULED proposals alone", async () => {
    expect((await run(flowContext({ initial: "RUNNING", proposed: "SCHEDULED" }), [EnsureOnlyScheduledFlowsMarkedLate])).status).toBe("ACCEPT");
  });

  it("only governs SCHEDULED proposals (a non-scheduled state named Late passes)", async () => {
    for (const to of otherThan("SCHEDULED")) {
      const ctx = flowContext({ initial: "RUNNING", proposed: stateOf(to, { name: "Late" }) });
      expect((await run(ctx, [EnsureOnlyScheduledFlowsMarkedLate])).status, to).toBe("ACCEPT");
    }
  });
});
