import type { FlowContext } from "../context";
import type { Transform } from "../engine";
import { flowRunStateChangeEvent } from "../../events/flow-run-events";

/** Every stored flow-run state change becomes a `prefect.flow-run.<State>` event. */
export const InstrumentFlowRunStateTransitions: Transform<FlowContext> = {
  name: "InstrumentFlowRunStateTransitions",
  universal: true,
  after(ctx) {
    if (!ctx.proposedState || !ctx.validatedState) return;
    const s = ctx.surroundings;
    const run = ctx.run;
    ctx.effects.events.push(
      flowRunStateChangeEvent({
        occurred: ctx.validatedState.timestamp,
        flowRun: { id: run.id, name: run.name, tags: run.tags, run_count: run.run_count, created_by: run.created_by },
        flow: s.flow,
        deployment: s.deployment,
        workQueue: s.workQueue,
        workPool: s.workPool,
        parentTaskRun: s.parentTaskRun ? { id: s.parentTaskRun.id, name: s.parentTaskRun.name, tags: s.parentTaskRun.tags } : null,
        initialState: ctx.initialState,
        validatedState: ctx.validatedState,
      }),
    );
  },
};
