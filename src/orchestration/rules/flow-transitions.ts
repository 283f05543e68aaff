import { apiVersionAtLeast, type FlowContext } from "../context";
import type { Rule, Transform } from "../engine";
import { ALL_STATES, allStatesExcept, hasData, hasPersistedResult, isFinal, newState, states, TERMINAL_STATES } from "../states";

/**
 * Flow-run rules about which transitions are allowed at all.
 */

/** Workers resend states without the deployment concurrency lease; the run keeps its lease. */
export const PreserveDeploymentConcurrencyLeaseId: Transform<FlowContext> = {
  name: "PreserveDeploymentConcurrencyLeaseId",
  universal: true,
  before(ctx) {
    const lease = ctx.initialState?.state_details.deployment_concurrency_lease_id;
    if (lease && ctx.proposedState && !ctx.proposedState.state_details.deployment_concurrency_lease_id)
      ctx.proposedState.state_details.deployment_concurrency_lease_id = lease;
  },
};

/** A retried request carrying the transition id of the run's current state changes nothing. */
export const PreventDuplicateTransitions: Rule<FlowContext> = {
  name: "PreventDuplicateTransitions",
  from: ALL_STATES,
  to: ALL_STATES,
  before({ ctx, reject }) {
    if (!ctx.initialState || !ctx.proposedState) return;
    const current = ctx.initialState.state_details.transition_id;
    if (current && current === ctx.proposedState.state_details.transition_id)
      reject(null, "This run has already made this state transition.");
  },
};

/**
 * Terminal flow runs stay terminal, except for reruns: a run may leave COMPLETED only when its
 * result was not persisted, may never become CANCELLING / PAUSED / CRASHED, and may be
 * rescheduled only when it has a deployment. Leaving a terminal state resets pause bookkeeping.
 */
export const HandleFlowTerminalStateTransitions: Rule<FlowContext> = {
  name: "HandleFlowTerminalStateTransitions",
  from: TERMINAL_STATES,
  to: ALL_STATES,
  before({ ctx, reject, abort, scratch }) {
    const initial = ctx.initialState;
    const proposed = ctx.proposedState;
    if (!initial || !proposed) return;
    scratch.originalPolicy = { ...ctx.run.empirical_policy };
    if (proposed.type === "CANCELLING" || proposed.type === "PAUSED" || proposed.type === "CRASHED")
      return abort(`Run is already in terminal state ${initial.type}.`);
    const completedWithResult = initial.type === "COMPLETED" && hasData(initial.data) && hasPersistedResult(initial.data);
    if (completedWithResult && !isFinal(proposed)) return reject(null, "Run is already COMPLETED.");
    if (completedWithResult && proposed.type === "COMPLETED" && !hasPersistedResult(proposed.data))
      return reject(null, "Cannot overwrite a COMPLETED state that carries persisted result data with one that does not.");
    if (proposed.type === "SCHEDULED" && !ctx.run.deployment_id)
      return abort("Cannot reschedule a run without an associated deployment.");
    if (!isFinal(proposed) && apiVersionAtLeast(ctx.parameters.apiVersion, "0.8.4")) {
      ctx.run.empirical_policy = {
        ...ctx.run.empirical_policy,
        resuming: false,
        pause_keys: [],
        retry_type: proposed.type === "SCHEDULED" ? "reschedule" : null,
      };
    }
  },
  cleanup({ ctx, scratch }) {
    if (scratch.originalPolicy) ctx.run.empirical_policy = scratch.originalPolicy;
  },
};

/** The lightweight guard kept even for forced transitions: never drop a persisted result. */
export const PreventResultDataLoss: Rule<FlowContext> = {
  name: "PreventResultDataLoss",
  from: TERMINAL_STATES,
  to: TERMINAL_STATES,
  before({ ctx, reject }) {
    const initial = ctx.initialState;
    const proposed = ctx.proposedState;
    if (!initial || !proposed) return;
    if (initial.type === "COMPLETED" && proposed.type === "COMPLETED" && hasData(initial.data) && hasPersistedResult(initial.data) && !hasPersistedResult(proposed.data))
      reject(null, "Cannot overwrite a COMPLETED state that carries persisted result data with one that does not.");
  },
};

/** A cancelling run can only end CANCELLED. */
export const EnforceCancellingToCancelledTransition: Rule<FlowContext> = {
  name: "EnforceCancellingToCancelledTransition",
  from: states("CANCELLING"),
  to: allStatesExcept("CANCELLED"),
  before({ reject }) {
    reject(null, "Cannot transition flows that are cancelling to a state other than Cancelled.");
  },
};

/**
 * CANCELLING exists to tear infrastructure down. A scheduled run without infrastructure, a run
 * being resumed, or a suspended run has none, so it goes straight to CANCELLED.
 */
export const BypassCancellingFlowRunsWithNoInfra: Rule<FlowContext> = {
  name: "BypassCancellingFlowRunsWithNoInfra",
  from: states("SCHEDULED", "PAUSED"),
  to: states("CANCELLING"),
  before({ ctx, reject }) {
    const initial = ctx.initialState;
    if (!initial || !ctx.proposedState) return;
    if ((initial.type === "SCHEDULED" && !ctx.run.infrastructure_pid) || initial.name === "Resuming")
      return reject(newState({ type: "CANCELLED" }, ctx.now), "Scheduled flow run has no infrastructure to terminate.");
    if (initial.type === "PAUSED" && initial.state_details.pause_reschedule)
      reject(newState({ type: "CANCELLED" }, ctx.now), "Suspended flow run has no infrastructure to terminate.");
  },
};

/** Only a SCHEDULED run not yet late can be marked Late. */
export const EnsureOnlyScheduledFlowsMarkedLate: Rule<FlowContext> = {
  name: "EnsureOnlyScheduledFlowsMarkedLate",
  from: ALL_STATES,
  to: states("SCHEDULED"),
  before({ ctx, reject }) {
    const initial = ctx.initialState;
    const proposed = ctx.proposedState;
    if (!initial || !proposed || proposed.name !== "Late") return;
    if (initial.type !== "SCHEDULED") reject(null, "Only scheduled flows can be marked late.");
    else if (initial.name === "Late") reject(null, "This flow run is already marked late.");
  },
};
