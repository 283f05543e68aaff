import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { flowRunStateChangeEvent } from "../../src/events/flow-run-events";
import { emitEvents } from "../../src/events/outbox";
import { readEvent, readEventResources } from "./support";

const pending = { id: crypto.randomUUID(), type: "PENDING", name: "Pending", timestamp: "2026-05-01T00:00:00.000000Z", message: "" };
const running = { id: crypto.randomUUID(), type: "RUNNING", name: "Running", timestamp: "2026-05-01T00:00:01.500000Z", message: null };

describe("flow-run state-change events", () => {
  it("has Prefect's resource labels, payload and ids", () => {
    const e = flowRunStateChangeEvent({
      occurred: running.timestamp,
      flowRun: { id: "fr-1", name: "brave-fox", tags: ["b", "a"], run_count: 1 },
      flow: { id: "f-1", name: "my-flow", tags: ["c"] },
      initialState: pending,
      validatedState: running,
    });
    expect(e).toEqual({
      id: running.id,
      occurred: running.timestamp,
      event: "prefect.flow-run.Running",
      resource: {
        "prefect.resource.id": "prefect.flow-run.fr-1",
        "prefect.resource.name": "brave-fox",
        "prefect.run-count": "1",
        "prefect.state-message": "",
        "prefect.state-name": "Running",
        "prefect.state-timestamp": "2026-05-01T00:00:01.500000+00:00",
        "prefect.state-type": "RUNNING",
      },
      related: [
        { "prefect.resource.id": "prefect.flow.f-1", "prefect.resource.role": "flow", "prefect.resource.name": "my-flow" },
        { "prefect.resource.id": "prefect.tag.a", "prefect.resource.role": "tag" },
        { "prefect.resource.id": "prefect.tag.b", "prefect.resource.role": "tag" },
        { "prefect.resource.id": "prefect.tag.c", "prefect.resource.role": "tag" },
      ],
      payload: {
        intended: { from: "PENDING", to: "RUNNING" },
        initial_state: { type: "PENDING", name: "Pending" },
        validated_state: { type: "RUNNING", name: "Running" },
      },
      follows: pending.id,
    });
  });

  it("names deployment, work queue, pool, parent task run and creator; no follows when far apart", () => {
    const e = flowRunStateChangeEvent({
      occurred: "2026-05-01T01:00:00.000000Z",
      flowRun: { id: "fr", name: "n", run_count: 0, created_by: { id: "d", type: "DEPLOYMENT", display_value: "dep" } },
      flow: { id: "f", name: "f" },
      deployment: { id: "d", name: "dep", tags: ["t"] },
      workQueue: { id: "q", name: "default" },
      workPool: { id: "p", name: "pool", type: "process" },
      parentTaskRun: { id: "tr", name: "child-0" },
      initialState: pending,
      validatedState: { id: "s", type: "COMPLETED", name: "Completed", timestamp: "2026-05-01T01:00:00.000000Z", message: "done" },
    });
    expect(e.resource["prefect.state-timestamp"]).toBe("2026-05-01T01:00:00+00:00");
    expect(e.resource["prefect.state-message"]).toBe("done");
    expect(e.payload!.validated_state).toEqual({ type: "COMPLETED", name: "Completed", message: "done" });
    expect(e.follows).toBeNull();
    expect(e.related!.map((r) => [r["prefect.resource.id"], r["prefect.resource.role"]])).toEqual([
      ["prefect.flow.f", "flow"],
      ["prefect.deployment.d", "deployment"],
      ["prefect.work-queue.q", "work-queue"],
      ["prefect.work-pool.p", "work-pool"],
      ["prefect.task-run.tr", "task-run"],
      ["prefect.tag.t", "tag"],
      ["prefect.deployment.d", "creator"],
    ]);
    expect(e.related![3]["prefect.work-pool.type"]).toBe("process");
    expect(e.related![6]["prefect.resource.name"]).toBe("dep");
  });

  it("truncates long messages and marks paused states", () => {
    const e = flowRunStateChangeEvent({
      occurred: "2026-05-01T00:00:00.000000Z",
      flowRun: { id: "fr", name: "n", run_count: 1 },
      initialState: null,
      validatedState: { id: "s", type: "PAUSED", name: "Paused", timestamp: "2026-05-01T00:00:00.000000Z", message: "x".repeat(100_001) },
    });
    expect(e.resource["prefect.state-message"]).toBe(`${"x".repeat(50_000)}...1 additional characters...${"x".repeat(50_000)}`);
    expect(e.payload!.validated_state.pause_reschedule).toBe("false");
    expect(e.payload!.intended).toEqual({ from: null, to: "PAUSED" });
    expect(e.payload!.initial_state).toBeNull();
  });

  it("is stored by emitEvents", async () => {
    const id = crypto.randomUUID();
    const e = flowRunStateChangeEvent({
      occurred: "2026-05-01T00:00:00.000000Z",
      flowRun: { id: crypto.randomUUID(), name: "n", run_count: 1, tags: ["x"] },
      initialState: null,
      validatedState: { ...running, id },
    });
    await emitEvents([e], env as unknown as Bindings);
    expect(await readEvent(id)).toMatchObject({ event: "prefect.flow-run.Running", occurred: "2026-05-01T00:00:00.000000Z" });
    expect((await readEventResources(id)).map((r) => r.resource_role)).toEqual(["", "tag"]);
  });
});
