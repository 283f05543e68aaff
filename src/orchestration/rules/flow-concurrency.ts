import type { FlowContext } from "../context";
import { nullified, type Rule, type Transform } from "../engine";
import { addSeconds } from "../../lib/time";
import { allStatesExcept, newState, states } from "../states";
import {
  clientRenewsLeases,
  DEPLOYMENT_SLOT_WAIT_SECONDS,
  WORKER_VERSIONS_THAT_MANAGE_DEPLOYMENT_CONCURRENCY,
} from "../../concurrency/settings";

/**
 * Concurrency rules for flow runs.
 *
 * Deployment concurrency (Prefect's SecureFlowConcurrencySlots and friends) is backed by the
 * deployment's global concurrency limit (`deployment:<id>`), reached through the run's
 * `limits` gate (src/concurrency/gates.ts): a run takes its slot under a lease when it
 * is submitted (→ PENDING) and gives it back when it leaves PENDING/RUNNING/CANCELLING.
 *
 * Work-queue and work-pool limits are ours to hold strictly: a run enters a slot-occupying
 * state only through its queue's ledger (src/concurrency/slot-ledger.ts).
 */

export const SLOT_WAIT_SECONDS = 30;
const OCCUPYING_ANY = new Set(["PENDING", "RUNNING", "CANCELLING"]);
const LIMIT_REACHED = "Deployment concurrency limit reached.";

/**
 * Submitting a deployment's run (→ PENDING) takes a slot of the deployment's limit under a lease
 * (its id goes into the state's details). A full limit sends the run back to SCHEDULED as
 * AwaitingConcurrencySlot (ENQUEUE, the default) or cancels it (CANCEL_NEW); a limit of 0 aborts.
 * Workers that take deployment slots themselves (3.0.x) are left to it.
 */
export const SecureFlowConcurrencySlots: Rule<FlowContext> = {
  name: "SecureFlowConcurrencySlots",
  from: allStatesExcept("PENDING", "RUNNING", "CANCELLING"),
  to: states("PENDING"),
  async before({ ctx, reject, abort, scratch }) {
    const gate = ctx.surroundings.limits;
    const proposed = ctx.proposedState;
    const version = ctx.parameters.clientVersion;
    if (!gate?.limit || !proposed || !ctx.run.deployment_id || (version && WORKER_VERSIONS_THAT_MANAGE_DEPLOYMENT_CONCURRENCY.has(version))) return;
    if (gate.limit.limit === 0) return abort("The deployment concurrency limit is 0. The flow will deadlock if submitted again.");
    const lease = await gate.acquire();
    if (lease) {
      proposed.state_details.deployment_concurrency_lease_id = lease.leaseId;
      // Only a lease this decision took goes back should it not be stored (not one the run held).
      if (!lease.reused) scratch.leaseId = lease.leaseId;
      return;
    }
    if (gate.collisionStrategy === "CANCEL_NEW") return reject(newState({ type: "CANCELLED", message: LIMIT_REACHED }, ctx.now), LIMIT_REACHED);
    reject(
      newState(
        { type: "SCHEDULED", name: "AwaitingConcurrencySlot", state_details: { scheduled_time: addSeconds(ctx.now, DEPLOYMENT_SLOT_WAIT_SECONDS) } },
        ctx.now,
      ),
      LIMIT_REACHED,
    );
  },
  // A later rule changed the proposal: the slot goes back and the state carries no lease.
  async cleanup({ ctx, scratch }) {
    if (!scratch.leaseId) return;
    await ctx.surroundings.limits!.release(scratch.leaseId);
    const validated = ctx.validatedState;
    if (validated && validated.state_details.deployment_concurrency_lease_id === scratch.leaseId)
      validated.state_details.deployment_concurrency_lease_id = null;
  },
  after({ ctx, scratch }) {
    if (scratch.leaseId) ctx.effects.onWriteFailure.push(() => ctx.surroundings.limits!.release(scratch.leaseId));
  },
};

/**
 * PENDING → RUNNING keeps the run's lease, renewed for the grace period (clients that renew
 * leases only). A lease that lapsed while the infrastructure was starting is taken again if a
 * slot is free; otherwise the run is cancelled (it cannot go back to waiting once started).
 */
export const ValidateDeploymentConcurrencyAtRunning: Rule<FlowContext> = {
  name: "ValidateDeploymentConcurrencyAtRunning",
  from: states("PENDING"),
  to: states("RUNNING"),
  async before({ ctx, reject, scratch }) {
    const initial = ctx.initialState;
    const proposed = ctx.proposedState;
    if (!initial || !proposed) return;
    const leaseId = initial.state_details.deployment_concurrency_lease_id ?? null;
    proposed.state_details.deployment_concurrency_lease_id = leaseId;
    const gate = ctx.surroundings.limits;
    if (!leaseId || !clientRenewsLeases(ctx.parameters.clientVersion) || !gate?.limit || !ctx.run.deployment_id) return;
    if (await gate.renew(leaseId)) return;
    const fresh = await gate.acquire();
    if (fresh) {
      proposed.state_details.deployment_concurrency_lease_id = fresh.leaseId;
      if (!fresh.reused) scratch.leaseId = fresh.leaseId;
      return;
    }
    reject(
      newState(
        { type: "CANCELLED", message: "Deployment concurrency slot lost during provisioning - no slots available to continue execution" },
        ctx.now,
      ),
      "Deployment concurrency limit reached after lease expiry.",
    );
  },
  // A lease taken anew goes back if the proposal changes or is not stored.
  async cleanup({ ctx, scratch }) {
    if (scratch.leaseId) await ctx.surroundings.limits!.release(scratch.leaseId);
  },
  after({ ctx, scratch }) {
    if (scratch.leaseId) ctx.effects.onWriteFailure.push(() => ctx.surroundings.limits!.release(scratch.leaseId));
  },
};

/**
 * A client too old to renew its deployment lease keeps its slot without the lease expiring once
 * the run starts (Prefect revokes the lease; the slot is given back when the run finishes).
 */
export const RemoveDeploymentConcurrencyLeaseForOldClientVersions: Rule<FlowContext> = {
  name: "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
  from: states("PENDING"),
  to: states("RUNNING", "CANCELLING"),
  after({ ctx }) {
    const leaseId = ctx.initialState?.state_details.deployment_concurrency_lease_id;
    const gate = ctx.surroundings.limits;
    if (!leaseId || !gate || clientRenewsLeases(ctx.parameters.clientVersion)) return;
    ctx.effects.afterCommit.push(() => gate.detach(leaseId));
  },
};

/**
 * The late-runs service marking a run Late: under CANCEL_NEW with the deployment's limit full,
 * the run is cancelled instead (it would never be submitted).
 */
export const EnforceDeploymentConcurrencyOnLate: Rule<FlowContext> = {
  name: "EnforceDeploymentConcurrencyOnLate",
  from: states("SCHEDULED"),
  to: states("SCHEDULED"),
  before({ ctx, reject }) {
    const proposed = ctx.proposedState;
    const gate = ctx.surroundings.limits;
    if (!ctx.initialState || proposed?.name !== "Late" || !ctx.run.deployment_id || !gate?.limit) return;
    if (gate.collisionStrategy !== "CANCEL_NEW" || gate.limit.activeSlots < gate.limit.limit) return;
    reject(newState({ type: "CANCELLED", message: LIMIT_REACHED }, ctx.now), "Deployment concurrency limit is full and uses the CANCEL_NEW strategy.");
  },
};

/** Leaving PENDING/RUNNING/CANCELLING for another state gives the deployment slot back, once stored. */
export const ReleaseFlowConcurrencySlots: Transform<FlowContext> = {
  name: "ReleaseFlowConcurrencySlots",
  universal: true,
  after(ctx) {
    const gate = ctx.surroundings.limits;
    const from = ctx.initialState?.type;
    const to = ctx.proposedState?.type;
    if (!gate || nullified(ctx) || !from || !to || !ctx.run.deployment_id) return;
    if (!OCCUPYING_ANY.has(from) || OCCUPYING_ANY.has(to)) return;
    const leaseId = ctx.initialState!.state_details.deployment_concurrency_lease_id ?? null;
    if (!leaseId && !gate.limit) return;
    ctx.effects.afterCommit.push(() => gate.release(leaseId));
  },
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
      const acquisition = await slots.acquire(!enforce);
      if (acquisition !== "refused") {
        // Slots the run already held are not this decision's to give back.
        scratch.acquired = acquisition === "taken";
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
