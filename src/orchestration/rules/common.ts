import type { Context } from "../context";
import type { Rule } from "../engine";
import { ALL_STATES, states } from "../states";

/**
 * Rules Prefect applies to flow and task runs alike.
 */

/**
 * A run already submitted (PENDING), running, or being cancelled cannot be proposed PENDING
 * again: the second of two workers submitting the same run is told to abort. A PENDING run may
 * move to a differently named PENDING sub-state (Pending → Submitting → InfrastructurePending).
 */
export const PreventPendingTransitions: Rule<Context> = {
  name: "PreventPendingTransitions",
  from: states("PENDING", "CANCELLING", "RUNNING", "CANCELLED"),
  to: states("PENDING"),
  before({ ctx, abort }) {
    const initial = ctx.initialState!;
    const proposed = ctx.proposedState!;
    if (initial.type === "PENDING" && initial.name !== proposed.name && proposed.name !== "Pending") {
      proposed.state_details.scheduled_time = initial.state_details.scheduled_time ?? null;
      proposed.state_details.deployment_concurrency_lease_id = initial.state_details.deployment_concurrency_lease_id ?? null;
      return;
    }
    abort(`This run is in a ${initial.type} state and cannot transition to a PENDING state.`);
  },
};

/** PENDING keeps the scheduled time of the SCHEDULED state it leaves unless it brings its own. */
export const CopyScheduledTime: Rule<Context> = {
  name: "CopyScheduledTime",
  from: states("SCHEDULED"),
  to: states("PENDING"),
  before({ ctx }) {
    const proposed = ctx.proposedState!;
    if (!proposed.state_details.scheduled_time)
      proposed.state_details.scheduled_time = ctx.initialState!.state_details.scheduled_time ?? null;
  },
};

/** Whole seconds until `target`, rounded as Prefect rounds the delay it sends back. */
export function delaySecondsUntil(target: string, now: string): number {
  const delay = (Date.parse(target) - Date.parse(now)) / 1000 + (microFraction(target) - microFraction(now));
  const whole = Math.floor(delay);
  return whole + (delay - whole > 0.5 ? 1 : 0);
}

function microFraction(iso: string): number {
  const m = /\.\d{3}(\d{3})/.exec(iso);
  return m ? Number(m[1]) / 1e6 : 0;
}

/** A run may not start before its scheduled time: the client is told how long to wait. */
export const WaitForScheduledTime: Rule<Context> = {
  name: "WaitForScheduledTime",
  from: states("SCHEDULED", "PENDING"),
  to: states("RUNNING"),
  before({ ctx, delay }) {
    const scheduled = ctx.initialState!.state_details.scheduled_time;
    if (!scheduled) return;
    const seconds = delaySecondsUntil(scheduled, ctx.now);
    if (seconds > 0) delay(seconds, "Scheduled time is in the future");
  },
};

/** A run entering RUNNING again is "Retrying" after AwaitingRetry, otherwise "Rerunning". */
export const RenameReruns: Rule<Context> = {
  name: "RenameReruns",
  from: ALL_STATES,
  to: states("RUNNING"),
  before({ ctx, rename }) {
    if (!ctx.initialState) return;
    if (ctx.run.run_count > 0) rename(ctx.initialState.name === "AwaitingRetry" ? "Retrying" : "Rerunning");
  },
};
