import { describe, expect, it } from "vitest";
import type { FlowContext } from "../../../src/orchestration/context";
import type { Rule } from "../../../src/orchestration/engine";
import { CoreFlowPolicy, MinimalFlowPolicy } from "../../../src/orchestration/policies";
import {
  RecordWorkQueueSlots,
  ReleaseWorkQueueSlots,
  SecureWorkQueueSlots,
  SLOT_WAIT_SECONDS,
} from "../../../src/orchestration/rules/flow-concurrency";
import { ALL_STATES, type StateType } from "../../../src/orchestration/states";
import { at, FakeSlotGate, flowContext, NOW, run, stateOf, STATE_TYPES } from "./support";

function withSlots(gate: FakeSlotGate, o: Parameters<typeof flowContext>[0] = {}) {
  return flowContext({ ...o, surroundings: { ...o.surroundings, slots: gate } });
}

/** Rejects every proposal with a FAILED state: the rules before it fizzle. */
const Fizzler: Rule<FlowContext> = {
  name: "Fizzler",
  from: ALL_STATES,
  to: ALL_STATES,
  before({ ctx, reject }) {
    reject(stateOf("FAILED", { timestamp: ctx.now }), "for testing");
  },
};

async function flush(fns: (() => Promise<void>)[]) {
  for (const f of fns) await f();
}

describe("SecureWorkQueueSlots", () => {
  it("takes the run's slots, enforcing the limits, when it enters PENDING", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    const result = await run(ctx, [SecureWorkQueueSlots]);
    expect(result.status).toBe("ACCEPT");
    expect(gate.calls).toEqual([{ op: "acquire", force: false }]);
  });

  it("registers a release for the case the transition cannot be written", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    await run(ctx, [SecureWorkQueueSlots]);
    expect(ctx.effects.onWriteFailure).toHaveLength(1);
    expect(ctx.effects.afterCommit).toHaveLength(0);
    await flush(ctx.effects.onWriteFailure);
    expect(gate.releases).toEqual([{ op: "release", type: null }]);
  });

  it("sends the run back to SCHEDULED AwaitingConcurrencySlot, 30 s later, when a limit is full", async () => {
    const gate = new FakeSlotGate(false);
    const ctx = withSlots(gate, { initial: stateOf("SCHEDULED", { timestamp: at(-60), details: { scheduled_time: at(-60) } }), proposed: "PENDING" });
    const result = await run(ctx, [SecureWorkQueueSlots]);
    expect(SLOT_WAIT_SECONDS).toBe(30);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Work queue concurrency limit reached." });
    expect(result.state).toMatchObject({ type: "SCHEDULED", name: "AwaitingConcurrencySlot", timestamp: NOW });
    expect(result.state!.state_details.scheduled_time).toBe(at(30));
    expect(gate.calls).toEqual([{ op: "acquire", force: false }]);
    expect(ctx.effects.onWriteFailure).toHaveLength(0);
  });

  for (const to of ["RUNNING", "CANCELLING"] as StateType[])
    it(`records the slots without enforcing the limits when the run enters ${to}`, async () => {
      const gate = new FakeSlotGate(false);
      const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: to, run: { infrastructure_pid: "pid" } });
      const result = await run(ctx, [SecureWorkQueueSlots]);
      expect(result.status).toBe("ACCEPT");
      expect(gate.calls).toEqual([{ op: "acquire", force: true }]);
      expect(ctx.effects.onWriteFailure).toHaveLength(1);
    });

  for (const from of ["PENDING", "RUNNING", "CANCELLING"] as StateType[])
    for (const to of ["PENDING", "RUNNING", "CANCELLING"] as StateType[])
      it(`takes nothing for ${from} → ${to} (the run already holds its slots)`, async () => {
        const gate = new FakeSlotGate(false);
        await run(withSlots(gate, { initial: stateOf(from, { name: from === "PENDING" && to === "PENDING" ? "Pending" : undefined, timestamp: at(-60) }), proposed: to }), [SecureWorkQueueSlots]);
        expect(gate.acquires).toEqual([]);
      });

  it("takes slots for a run with no state entering PENDING", async () => {
    const gate = new FakeSlotGate(true);
    await run(withSlots(gate, { initial: null, proposed: "PENDING" }), [SecureWorkQueueSlots]);
    expect(gate.calls).toEqual([{ op: "acquire", force: false }]);
  });

  it("does nothing for runs outside a work queue with a pool", async () => {
    const ctx = flowContext({ initial: "SCHEDULED", proposed: "PENDING" });
    expect((await run(ctx, [SecureWorkQueueSlots])).status).toBe("ACCEPT");
    expect(ctx.effects.onWriteFailure).toHaveLength(0);
  });

  it("gives the slots back at once when a later rule changes the proposal (fizzled)", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    await run(ctx, [SecureWorkQueueSlots, Fizzler]);
    expect(gate.calls).toEqual([
      { op: "acquire", force: false },
      { op: "release", type: null },
    ]);
    expect(ctx.effects.onWriteFailure).toHaveLength(0);
  });

  it("gives back nothing the run already held (another request's for the same run), fizzled or not stored", async () => {
    const gate = new FakeSlotGate(true, true);
    const fizzled = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    await run(fizzled, [SecureWorkQueueSlots, Fizzler]);
    const accepted = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    expect((await run(accepted, [SecureWorkQueueSlots])).status).toBe("ACCEPT");
    expect(gate.acquires).toHaveLength(2);
    expect(gate.releases).toEqual([]);
    expect(accepted.effects.onWriteFailure).toHaveLength(0);
  });

  it("gives nothing back when it was refused its slots", async () => {
    const gate = new FakeSlotGate(false);
    const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    await run(ctx, [SecureWorkQueueSlots]);
    expect(gate.releases).toEqual([]);
  });
});

describe("RecordWorkQueueSlots (forced transitions)", () => {
  it("records slots for PENDING without enforcing the limits", async () => {
    const gate = new FakeSlotGate(false);
    const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    const result = await run(ctx, [RecordWorkQueueSlots]);
    expect(result.status).toBe("ACCEPT");
    expect(gate.calls).toEqual([{ op: "acquire", force: true }]);
    expect(ctx.effects.onWriteFailure).toHaveLength(1);
  });

  it("is what MinimalFlowPolicy uses", async () => {
    const gate = new FakeSlotGate(false);
    const ctx = withSlots(gate, { initial: "COMPLETED", proposed: "RUNNING" });
    const result = await run(ctx, MinimalFlowPolicy);
    expect(result.status).toBe("ACCEPT");
    expect(gate.calls).toEqual([{ op: "acquire", force: true }]);
  });
});

describe("ReleaseWorkQueueSlots", () => {
  for (const from of ["PENDING", "RUNNING", "CANCELLING"] as StateType[])
    for (const to of STATE_TYPES.filter((t) => t !== "PENDING" && t !== "RUNNING"))
      it(`gives slots back after ${from} → ${to} is stored`, async () => {
        const gate = new FakeSlotGate();
        const ctx = withSlots(gate, { initial: from, proposed: to });
        await run(ctx, [ReleaseWorkQueueSlots]);
        expect(gate.calls).toEqual([]);
        expect(ctx.effects.afterCommit).toHaveLength(1);
        await flush(ctx.effects.afterCommit);
        expect(gate.calls).toEqual([{ op: "release", type: to }]);
      });

  it("keeps the slots while the run stays PENDING or RUNNING", async () => {
    for (const [from, to] of [
      ["PENDING", "RUNNING"],
      ["RUNNING", "RUNNING"],
      ["CANCELLING", "RUNNING"],
    ] as [StateType, StateType][]) {
      const ctx = withSlots(new FakeSlotGate(), { initial: from, proposed: to });
      await run(ctx, [ReleaseWorkQueueSlots]);
      expect(ctx.effects.afterCommit, `${from} → ${to}`).toHaveLength(0);
    }
  });

  it("gives nothing back for runs that held no slots", async () => {
    for (const from of [null, "SCHEDULED", "PAUSED", "COMPLETED", "FAILED"] as (StateType | null)[]) {
      const ctx = withSlots(new FakeSlotGate(), { initial: from, proposed: "CANCELLED" });
      await run(ctx, [ReleaseWorkQueueSlots]);
      expect(ctx.effects.afterCommit, String(from)).toHaveLength(0);
    }
  });

  it("gives nothing back when nothing is written", async () => {
    const ctx = withSlots(new FakeSlotGate(), { initial: "RUNNING", proposed: "COMPLETED" });
    await run(ctx, [
      { name: "Stop", from: ALL_STATES, to: ALL_STATES, before: ({ abort }) => abort("no") } as Rule<FlowContext>,
      ReleaseWorkQueueSlots,
    ]);
    expect(ctx.effects.afterCommit).toHaveLength(0);
  });

  it("releases for the state the run actually moves to (a retry's AwaitingRetry)", async () => {
    const gate = new FakeSlotGate();
    const ctx = withSlots(gate, { initial: "RUNNING", proposed: "FAILED", run: { run_count: 1, empirical_policy: { retries: 2 } } });
    const result = await run(ctx, CoreFlowPolicy);
    expect(result.state!.name).toBe("AwaitingRetry");
    await flush(ctx.effects.afterCommit);
    expect(gate.calls).toEqual([{ op: "release", type: "SCHEDULED" }]);
  });
});

describe("work-queue slots inside CoreFlowPolicy", () => {
  it("SCHEDULED → PENDING takes the slots and releases them only if the write fails", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" });
    const result = await run(ctx, CoreFlowPolicy);
    expect(result.status).toBe("ACCEPT");
    expect(gate.calls).toEqual([{ op: "acquire", force: false }]);
    expect(ctx.effects.onWriteFailure).toHaveLength(1);
    expect(ctx.effects.afterCommit).toHaveLength(0);
  });

  it("a full queue turns SCHEDULED → PENDING into AwaitingConcurrencySlot", async () => {
    const gate = new FakeSlotGate(false);
    const result = await run(withSlots(gate, { initial: "SCHEDULED", proposed: "PENDING" }), CoreFlowPolicy);
    expect(result.state!.name).toBe("AwaitingConcurrencySlot");
  });

  it("gives back the slots taken for SCHEDULED → RUNNING when WaitForScheduledTime delays it", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: stateOf("SCHEDULED", { timestamp: at(-60), details: { scheduled_time: at(120) } }), proposed: "RUNNING" });
    const result = await run(ctx, CoreFlowPolicy);
    expect(result.status).toBe("WAIT");
    expect(gate.calls).toEqual([
      { op: "acquire", force: true },
      { op: "release", type: null },
    ]);
    expect(ctx.effects.onWriteFailure).toHaveLength(0);
  });

  it("gives back the slots taken for resuming a run whose pause timed out", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, {
      initial: stateOf("PAUSED", { timestamp: at(-600), details: { pause_timeout: at(-60) } }),
      proposed: "RUNNING",
      run: { deployment_id: "dep-1" },
    });
    const result = await run(ctx, CoreFlowPolicy);
    expect(result.state!.type).toBe("FAILED");
    expect(gate.calls).toEqual([
      { op: "acquire", force: true },
      { op: "release", type: null },
    ]);
  });

  it("gives back the slots taken for PAUSED → PENDING, which resuming refuses", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: "PAUSED", proposed: "PENDING" });
    const result = await run(ctx, CoreFlowPolicy);
    expect(result.status).toBe("REJECT");
    expect(gate.calls).toEqual([
      { op: "acquire", force: false },
      { op: "release", type: null },
    ]);
  });

  it("takes no slots when an earlier rule already refused the transition", async () => {
    const gate = new FakeSlotGate(true);
    const ctx = withSlots(gate, { initial: stateOf("COMPLETED", { timestamp: at(-60), data: { storage_key: "/r" } }), proposed: "PENDING" });
    expect((await run(ctx, CoreFlowPolicy)).status).toBe("REJECT");
    expect(gate.calls).toEqual([]);
  });

  it("SCHEDULED → CANCELLING without infrastructure becomes CANCELLED and takes no slots", async () => {
    const gate = new FakeSlotGate(true);
    const result = await run(withSlots(gate, { initial: "SCHEDULED", proposed: "CANCELLING" }), CoreFlowPolicy);
    expect(result.state!.type).toBe("CANCELLED");
    expect(gate.calls).toEqual([]);
  });
});

// The deployment concurrency rules need the limits' Durable Objects: they are tested through the
// API in test/concurrency/orchestration.test.ts.
