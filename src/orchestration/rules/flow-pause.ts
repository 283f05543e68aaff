import type { FlowContext } from "../context";
import type { Rule } from "../engine";
import { ALL_STATES, isFinal, newState, states } from "../states";
import { uuid4 } from "../../lib/ids";

/** Pausing (or suspending) is for running flow runs, once per pause key. */
export const HandlePausingFlows: Rule<FlowContext> = {
  name: "HandlePausingFlows",
  from: ALL_STATES,
  to: states("PAUSED"),
  before({ ctx, reject, abort, scratch }) {
    const proposed = ctx.proposedState;
    if (!proposed) return;
    const verb = proposed.name === "Suspended" ? "suspend" : "pause";
    const initial = ctx.initialState;
    if (!initial) return abort(`Cannot ${verb} flows with no state.`);
    if (initial.type !== "RUNNING") return reject(null, `Cannot ${verb} flows that are not currently running.`);
    scratch.key = proposed.state_details.pause_key ?? uuid4();
    const keys: string[] = ctx.run.empirical_policy.pause_keys ?? [];
    if (keys.includes(scratch.key)) return reject(null, `This ${verb} has already fired.`);
    if (proposed.state_details.pause_reschedule) {
      if (ctx.run.parent_task_run_id) return abort(`Cannot ${verb} subflows.`);
      if (!ctx.run.deployment_id) return abort(`Cannot ${verb} flows without a deployment.`);
    }
  },
  after({ ctx, scratch }) {
    const keys: string[] = ctx.run.empirical_policy.pause_keys ?? [];
    ctx.run.empirical_policy = { ...ctx.run.empirical_policy, pause_keys: [...new Set([...keys, scratch.key])] };
  },
};

/** A paused run may only resume into RUNNING, SCHEDULED or a final state, and not after its timeout. */
export const HandleResumingPausedFlows: Rule<FlowContext> = {
  name: "HandleResumingPausedFlows",
  from: states("PAUSED"),
  to: ALL_STATES,
  before({ ctx, reject }) {
    const initial = ctx.initialState;
    const proposed = ctx.proposedState;
    if (!initial || !proposed) return;
    if (!(proposed.type === "RUNNING" || proposed.type === "SCHEDULED" || isFinal(proposed)))
      return reject(null, `This run cannot transition to the ${proposed.type} state from the ${initial.type} state.`);
    const verb = proposed.name === "Suspended" ? "suspend" : "pause";
    const shown = (proposed.name || proposed.type).toLowerCase();
    if (initial.state_details.pause_reschedule && !ctx.run.deployment_id)
      return reject(null, `Cannot reschedule a ${shown} flow run without a deployment.`);
    const timeout = initial.state_details.pause_timeout;
    if (timeout && Date.parse(timeout) < Date.parse(ctx.now))
      reject(
        newState({ type: "FAILED", message: `The flow was ${shown} and never resumed.` }, ctx.now),
        `The flow run ${verb} has timed out and can no longer resume.`,
      );
  },
  after({ ctx }) {
    ctx.run.empirical_policy = { ...ctx.run.empirical_policy, resuming: true };
  },
};
