import { describe, expect, it } from "vitest";
import type { FlowContext } from "../../../src/orchestration/context";
import type { Rule } from "../../../src/orchestration/engine";
import { GlobalFlowPolicy } from "../../../src/orchestration/global";
import { InstrumentFlowRunStateTransitions } from "../../../src/orchestration/rules/flow-instrument";
import { ALL_STATES } from "../../../src/orchestration/states";
import { at, flowContext, run, stateOf, taskRunRow } from "./support";

const acting = (name: string, act: Rule<FlowContext>["before"]): Rule<FlowContext> => ({ name, from: ALL_STATES, to: ALL_STATES, before: act });

describe("InstrumentFlowRunStateTransitions", () => {
  it("emits prefect.flow-run.<state name> for an accepted transition", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: at(-60) }), proposed: "RUNNING", run: { name: "tidy-otter", run_count: 0 } });
    await run(ctx, [InstrumentFlowRunStateTransitions]);
    expect(ctx.effects.events).toHaveLength(1);
    const [event] = ctx.effects.events;
    expect(event.event).toBe("prefect.flow-run.Running");
    expect(event.id).toBe(ctx.validatedState!.id);
    expect(event.occurred).toBe(ctx.validatedState!.timestamp);
    expect(event.resource).toEqual({
      "prefect.resource.id": `prefect.flow-run.${ctx.run.id}`,
      "prefect.resource.name": "tidy-otter",
      "prefect.run-count": "0",
      "prefect.state-message": "",
      "prefect.state-name": "Running",
      "prefect.state-timestamp": "2024-06-01T12:00:00+00:00",
      "prefect.state-type": "RUNNING",
    });
    expect(event.related).toEqual([{ "prefect.resource.id": "prefect.flow.flow-1", "prefect.resource.role": "flow", "prefect.resource.name": "my-flow" }]);
    expect(event.payload).toMatchObject({
      intended: { from: "PENDING", to: "RUNNING" },
      initial_state: { type: "PENDING", name: "Pending" },
      validated_state: { type: "RUNNING", name: "Running" },
    });
  });

  it("links to the previous state (follows) when it was entered shortly before", async () => {
    const ctx = flowContext({ initial: stateOf("PENDING", { timestamp: at(-120) }), proposed: "RUNNING" });
    await run(ctx, [InstrumentFlowRunStateTransitions]);
    expect(ctx.effects.events[0].follows).toBe(ctx.initialState!.id);
  });

  it("does not link to a state entered long before, nor for a first state", async () => {
    const late = flowContext({ initial: stateOf("PENDING", { timestamp: at(-900) }), proposed: "RUNNING" });
    await run(late, [InstrumentFlowRunStateTransitions]);
    expect(late.effects.events[0].follows ?? null).toBeNull();

    const first = flowContext({ initial: null, proposed: "PENDING" });
    await run(first, [InstrumentFlowRunStateTransitions]);
    expect(first.effects.events[0].event).toBe("prefect.flow-run.Pending");
    expect(first.effects.events[0].follows ?? null).toBeNull();
    expect(first.effects.events[0].payload!.intended).toEqual({ from: null, to: "PENDING" });
  });

  it("names the flow, deployment, work queue, work pool and tags as related resources", async () => {
    const ctx = flowContext({
      initial: stateOf("PENDING", { timestamp: at(-60) }),
      proposed: "RUNNING",
      run: { tags: ["flow-run-one"] },
      surroundings: {
        flow: { id: "f1", name: "flow", tags: ["flow-one", "common-one"] },
        deployment: { id: "d1", name: "dep", tags: ["deployment-one", "common-one"] },
        workQueue: { id: "q1", name: "This is a queuey one" },
        workPool: { id: "p1", name: "pool", type: "process" },
      },
    });
    await run(ctx, [InstrumentFlowRunStateTransitions]);
    const related = ctx.effects.events[0].related!;
    expect(related).toContainEqual({ "prefect.resource.id": "prefect.deployment.d1", "prefect.resource.role": "deployment", "prefect.resource.name": "dep" });
    expect(related).toContainEqual({ "prefect.resource.id": "prefect.work-queue.q1", "prefect.resource.role": "work-queue", "prefect.resource.name": "This is a queuey one" });
    expect(related).toContainEqual({
      "prefect.resource.id": "prefect.work-pool.p1",
      "prefect.resource.role": "work-pool",
      "prefect.resource.name": "pool",
      "prefect.work-pool.type": "process",
    });
    const tags = related.filter((r) => r["prefect.resource.role"] === "tag").map((r) => r["prefect.resource.id"]);
    expect(tags.sort()).toEqual(["prefect.tag.common-one", "prefect.tag.deployment-one", "prefect.tag.flow-one", "prefect.tag.flow-run-one"]);
    expect(related).toHaveLength(8);
  });

  it("names a subflow's parent task run", async () => {
    const parent = taskRunRow({ id: "t-parent", name: "child-flow-0", tags: [] });
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING", surroundings: { parentTaskRun: parent } });
    await run(ctx, [InstrumentFlowRunStateTransitions]);
    expect(ctx.effects.events[0].related).toContainEqual({ "prefect.resource.id": "prefect.task-run.t-parent", "prefect.resource.role": "task-run", "prefect.resource.name": "child-flow-0" });
  });

  it("still emits for a transition rejected into another state, naming the state written", async () => {
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
    await run(ctx, [
      InstrumentFlowRunStateTransitions,
      acting("Fussy", ({ ctx: c, reject }) => reject(stateOf("CANCELLED", { name: "Cancelled Fussily", timestamp: c.now }), "I am fussy")),
    ]);
    expect(ctx.effects.events).toHaveLength(1);
    expect(ctx.effects.events[0].event).toBe("prefect.flow-run.Cancelled Fussily");
    expect(ctx.effects.events[0].resource["prefect.state-type"]).toBe("CANCELLED");
  });

  it("emits nothing for aborted, delayed or null-rejected transitions", async () => {
    for (const rule of [
      acting("Ugly", ({ abort }) => abort("I am just plain ugly")),
      acting("Procrastinating", ({ delay }) => delay(10, "later")),
      acting("Nope", ({ reject }) => reject(null, "no")),
    ]) {
      const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING" });
      await run(ctx, [InstrumentFlowRunStateTransitions, rule]);
      expect(ctx.effects.events, rule.name).toEqual([]);
    }
  });

  it("reports the run count written with the transition (after the global increment)", async () => {
    const ctx = flowContext({ initial: "PENDING", proposed: "RUNNING", run: { run_count: 2 } });
    await run(ctx, [InstrumentFlowRunStateTransitions], GlobalFlowPolicy);
    expect(ctx.effects.events[0].resource["prefect.run-count"]).toBe("3");
  });
});
