import type { TaskContext } from "../context";
import { nullified, type Rule, type Transform } from "../engine";
import { ALL_STATES, hasData, hasPersistedResult, isFinal, newState, states, TERMINAL_STATES } from "../states";
import { addSeconds } from "../../lib/time";
import { taskRunSettings } from "./run-settings";

/**
 * Task-run rules.
 */

/**
 * Terminal task runs may not become CANCELLING / PAUSED / CRASHED, and may leave COMPLETED only
 * when the result was not persisted. Leaving a terminal state for a non-final one resets the
 * run count (so retries start over on a flow-run retry), and a task rerun inside a retrying
 * flow run is named "Retrying".
 */
export const HandleTaskTerminalStateTransitions: Rule<TaskContext> = {
  name: "HandleTaskTerminalStateTransitions",
  from: TERMINAL_STATES,
  to: ALL_STATES,
  before({ ctx, reject, abort, rename, scratch }) {
    const initial = ctx.initialState;
    const proposed = ctx.proposedState;
    if (!initial || !proposed) return;
    scratch.runCount = ctx.run.run_count;
    if (proposed.type === "CANCELLING" || proposed.type === "PAUSED" || proposed.type === "CRASHED")
      return abort(`Run is already ${initial.type}.`);
    if (initial.type === "COMPLETED" && hasData(initial.data) && hasPersistedResult(initial.data)) return reject(null, "This run is already completed.");
    if (!isFinal(proposed)) ctx.run.run_count = 0;
    const flowRun = ctx.surroundings.flowRun;
    if (proposed.type === "RUNNING" && flowRun && ctx.run.flow_run_run_count < flowRun.run_count) rename("Retrying");
  },
  cleanup({ ctx, scratch }) {
    if (scratch.runCount !== undefined) ctx.run.run_count = scratch.runCount;
  },
};

/** A task runs only inside a running flow run; a paused flow run holds its new tasks back. */
export const PreventRunningTasksFromStoppedFlows: Rule<TaskContext> = {
  name: "PreventRunningTasksFromStoppedFlows",
  from: ALL_STATES,
  to: states("RUNNING"),
  before({ ctx, reject, abort }) {
    const flowRun = ctx.surroundings.flowRun;
    if (!flowRun) return;
    if (!flowRun.state_type) return abort("The enclosing flow must be running to begin task execution.");
    if (flowRun.state_type === "PAUSED") {
      const details = (flowRun.state?.state_details ?? {}) as Record<string, any>;
      return reject(
        newState(
          {
            type: "PAUSED",
            name: "NotReady",
            state_details: { pause_timeout: details.pause_timeout ?? null, pause_reschedule: details.pause_reschedule ?? false },
          },
          ctx.now,
        ),
        `The flow is paused, new tasks can execute after resuming flow run: ${flowRun.id}.`,
      );
    }
    if (flowRun.state_type !== "RUNNING") abort("The enclosing flow must be running to begin task execution.");
  },
};

/**
 * Prefect's clamped Poisson jitter: an exponentially distributed delay around `average`, at most
 * `average * (1 + factor)`, with the lower clamp chosen so the mean stays near `average`.
 */
export function jitteredDelay(average: number, factor: number, random = Math.random): number {
  const k = 1 + factor;
  const upper = average * k;
  const lower = Math.max(0, average * Math.log2(2 ** k / (2 ** k - 1)));
  const cdf = (x: number) => 1 - Math.exp(-x / average);
  const u = cdf(lower) + random() * (cdf(upper) - cdf(lower));
  return -average * Math.log(1 - u);
}

/** A failing task with retries left (and not marked non-retriable) goes to AwaitingRetry. */
export const RetryFailedTasks: Rule<TaskContext> = {
  name: "RetryFailedTasks",
  from: states("RUNNING"),
  to: states("FAILED"),
  before({ ctx, reject }) {
    const proposed = ctx.proposedState;
    if (!ctx.initialState || !proposed) return;
    const { retries, retryDelay, jitterFactor } = taskRunSettings(ctx.run.empirical_policy);
    const runCount = ctx.run.run_count;
    const base = Array.isArray(retryDelay) ? (retryDelay[Math.min(runCount - 1, retryDelay.length - 1)] ?? 0) : retryDelay || 0;
    const delay = jitterFactor && base > 0 ? jitteredDelay(base, jitterFactor) : base;
    if (proposed.state_details.retriable === false) return;
    if (retries !== null && runCount <= retries) {
      reject(
        newState(
          {
            type: "SCHEDULED",
            name: "AwaitingRetry",
            message: proposed.message,
            data: proposed.data,
            state_details: { scheduled_time: addSeconds(ctx.now, delay) },
          },
          ctx.now,
        ),
        "Retrying",
      );
    }
  },
};

/** The task run remembers which attempt of its flow run it ran in. */
export const UpdateFlowRunTrackerOnTasks: Rule<TaskContext> = {
  name: "UpdateFlowRunTrackerOnTasks",
  from: ALL_STATES,
  to: states("RUNNING"),
  after({ ctx }) {
    if (!ctx.run.flow_run_id) return;
    const flowRun = ctx.surroundings.flowRun;
    if (!flowRun)
      throw new Error(`Unable to read flow run associated with task run: ${ctx.run.id}, this flow run might have been deleted`);
    ctx.run.flow_run_run_count = flowRun.run_count;
  },
};

/**
 * Entering RUNNING takes a slot in each of the run's active tag limits (all or none). A full limit
 * tells the client to wait and try again; a limit of 0 aborts (the run could never start).
 */
export const SecureTaskConcurrencySlots: Rule<TaskContext> = {
  name: "SecureTaskConcurrencySlots",
  from: ALL_STATES,
  to: states("RUNNING"),
  async before({ ctx, delay, abort, scratch }) {
    const gate = ctx.surroundings.limits;
    if (!gate) return;
    const outcome = await gate.secure();
    if (outcome.kind === "zero")
      return abort(`The concurrency limit on tag "${outcome.tag}" is 0 and will deadlock if the task tries to run again.`);
    if (outcome.kind === "full") return delay(outcome.delaySeconds, `Concurrency limit reached for tags: ${outcome.tags.join(", ")}`);
    scratch.acquired = outcome.kind === "acquired";
  },
  // A later rule changed the proposal: the slots go back.
  async cleanup({ ctx, scratch }) {
    if (scratch.acquired) await ctx.surroundings.limits!.release();
  },
  after({ ctx, scratch }) {
    if (scratch.acquired) ctx.effects.onWriteFailure.push(() => ctx.surroundings.limits!.release());
  },
};

/** Leaving RUNNING (or CANCELLING) for any other state gives the tag slots back. */
export const ReleaseTaskConcurrencySlots: Transform<TaskContext> = {
  name: "ReleaseTaskConcurrencySlots",
  universal: true,
  async after(ctx) {
    const gate = ctx.surroundings.limits;
    const to = ctx.validatedState?.type;
    if (!gate || nullified(ctx) || !to || to === "RUNNING" || to === "CANCELLING") return;
    await gate.release();
  },
};
