import type { FlowContext } from "../context";
import type { Rule, Transform } from "../engine";
import { addSeconds } from "../../lib/time";
import { allStatesExcept, newState, states } from "../states";

/**
 * Concurrency rules for flow runs.
 *
 * Deployment concurrency (Prefect's SecureFlowConcurrencySlots and friends) is backed by a
 * global concurrency limit; those rules keep their place in the policy and do nothing until a
 * deployment carries such a limit (the concurrency-limit issue wires them up).
 *
 * Work-queue and work-pool limits are ours to hold strictly: a run enters a slot-occupying
 * state only through its queue's ledger (src/durable/slot-ledger.ts).
 */

export const SLOT_WAIT_SECONDS = 30;
const OCCUPYING_ANY = new Set(["PENDING", "RUNNING", "CANCELLING"]);

export const SecureFlowConcurrencySlots: Rule<FlowContext> = {
  name: "SecureFlowConcurrencySlots",
  from: allStatesExcept("PENDING", "RUNNING", "CANCELLING"),
  to: states("PENDING"),
};

export const ValidateDeploymentConcurrencyAtRunning: Rule<FlowContext> = {
  name: "ValidateDeploymentConcurrencyAtRunning",
  from: states("PENDING"),
  to: states("RUNNING"),
};

export const RemoveDeploymentConcurrencyLeaseForOldClientVersions: Rule<FlowContext> = {
  name: "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
  from: states("PENDING"),
  to: states("RUNNING"),
};

export const EnforceDeploymentConcurrencyOnLate: Rule<FlowContext> = {
  name: "EnforceDeploymentConcurrencyOnLate",
  from: states("SCHEDULED"),
  to: states("SCHEDULED"),
};

export const ReleaseFlowConcurrencySlots: Transform<FlowContext> = {
  name: "ReleaseFlowConcurrencySlots",
  universal: true,
};

/**
 * Entering PENDING, RUNNING or CANCELLING from outside them takes the run's work-queue and
 * work-pool slots. A proposal to PENDING is refused when a slot is not free: the run goes back
 * to SCHEDULED as AwaitingConcurrencySlot and is handed out again later. Entering RUNNING or
 * CANCELLING (in-process retries, forced changes) is recorded even past the limit, so the
 * ledger always matches what D1 holds.
 */
function secureWorkQueueSlots(force: boolean): Rule<FlowContext> {
  return {
    name: force ? "RecordWorkQueueSlots" : "SecureWorkQueueSlots",
    from: allStatesExcept("PENDING", "RUNNING", "CANCELLING"),
    to: states("PENDING", "RUNNING", "CANCELLING"),
    async before({ ctx, reject, scratch }) {
      const slots = ctx.surroundings.slots;
      if (!slots || !ctx.proposedState) return;
      const enforce = !force && ctx.proposedState.type === "PENDING";
      if (await slots.acquire(!enforce)) {
        scratch.acquired = true;
        return;
      }
      reject(
        newState(
          { type: "SCHEDULED", name: "AwaitingConcurrencySlot", state_details: { scheduled_time: addSeconds(ctx.now, SLOT_WAIT_SECONDS) } },
          ctx.now,
        ),
        "Work queue concurrency limit reached.",
      );
    },
    // A later rule changed the proposal: the slot taken for it goes back.
    async cleanup({ ctx, scratch }) {
      if (scratch.acquired) await ctx.surroundings.slots!.release(null);
    },
    after({ ctx, scratch }) {
      if (scratch.acquired) ctx.effects.onWriteFailure.push(() => ctx.surroundings.slots!.release(null));
    },
  };
}

export const SecureWorkQueueSlots = secureWorkQueueSlots(false);
export const RecordWorkQueueSlots = secureWorkQueueSlots(true);

/** Leaving the slot-occupying states gives the slots back, once the new state is stored. */
export const ReleaseWorkQueueSlots: Transform<FlowContext> = {
  name: "ReleaseWorkQueueSlots",
  universal: true,
  after(ctx) {
    const slots = ctx.surroundings.slots;
    const to = ctx.proposedState?.type;
    if (!slots || !to || !ctx.initialState || !OCCUPYING_ANY.has(ctx.initialState.type)) return;
    if (to === "PENDING" || to === "RUNNING") return;
    ctx.effects.afterCommit.push(() => slots.release(to));
  },
};
