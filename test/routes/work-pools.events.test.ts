import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, settleEvents, unique, waitFor } from "../helpers";

/** The resource's events, once there are `expected` of them (they are stored after the response). */
function eventsOf(resourceId: string, expected: number) {
  return waitFor(async () => {
    await settleEvents();
    const { results } = await env.DB.prepare(`SELECT event, payload FROM event WHERE resource_id = ? ORDER BY occurred, rowid`).bind(resourceId).all<{ event: string; payload: string }>();
    return results.length >= expected ? results : undefined;
  });
}

describe("work pool and work queue lifecycle events", () => {
  it("emits created, updated (with the changed fields) and deleted events", async () => {
    const name = unique("evpool");
    const pool = (await api("POST", "/work_pools/", { name, type: "process" })).body;
    await api("PATCH", `/work_pools/${name}`, { concurrency_limit: 4 });
    const queue = (await api("POST", `/work_pools/${name}/queues`, { name: "extra" })).body;
    await api("PATCH", `/work_pools/${name}/queues/extra`, { priority: 5 });
    await api("DELETE", `/work_pools/${name}/queues/extra`);
    await api("DELETE", `/work_pools/${name}`);
    const poolEvents = await eventsOf(`prefect.work-pool.${pool.id}`, 3);
    expect(poolEvents.map((e) => e.event)).toEqual(["prefect.work-pool.created", "prefect.work-pool.updated", "prefect.work-pool.deleted"]);
    expect(JSON.parse(poolEvents[1].payload)).toEqual({ updated_fields: ["concurrency_limit"], updates: { concurrency_limit: { from: null, to: 4 } } });
    const queueEvents = await eventsOf(`prefect.work-queue.${queue.id}`, 3);
    expect(queueEvents.map((e) => e.event)).toEqual(["prefect.work-queue.created", "prefect.work-queue.updated", "prefect.work-queue.deleted"]);
  });
});
