import { apiVersionAtLeast, type FlowContext } from "../context";
import type { Rule } from "../engine";
import { newState, states } from "../states";
import { addSeconds } from "../../lib/time";
import { flowRunSettings } from "./run-settings";

/**
 * A failing flow run with retries left is sent back to SCHEDULED (AwaitingRetry) after its
 * retry delay; once retries are exhausted the failure stands and the retry type is cleared.
 */
export const RetryFailedFlows: Rule<FlowContext> = {
  name: "RetryFailedFlows",
  from: states("RUNNING"),
  to: states("FAILED"),
  before({ ctx, reject }) {
    const proposed = ctx.proposedState;
    if (!ctx.initialState || !proposed) return;
    const { retries, retryDelay } = flowRunSettings(ctx.run.empirical_policy);
    if (retries === null || ctx.run.run_count > retries) {
      ctx.run.empirical_policy = { ...ctx.run.empirical_policy, retry_type: null };
      return;
    }
    const retryAt = addSeconds(ctx.now, retryDelay);
    if (ctx.parameters.apiVersion && !apiVersionAtLeast(ctx.parameters.apiVersion, "0.8.3")) ctx.effects.retryFailedTaskRunsAt = retryAt;
    if (apiVersionAtLeast(ctx.parameters.apiVersion, "0.8.4"))
      ctx.run.empirical_policy = { ...ctx.run.empirical_policy, resuming: false, pause_keys: [], retry_type: "in_process" };
    const retryState = newState(
      {
        type: "SCHEDULED",
        name: "AwaitingRetry",
        message: proposed.message,
        data: proposed.data,
        state_details: { scheduled_time: retryAt },
      },
      ctx.now,
    );
    reject(retryState, "Retrying");
  },
};
