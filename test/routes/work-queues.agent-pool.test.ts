import { describe, expect, it } from "vitest";
import { api } from "../helpers";

// Its own file: a fresh database, where the default agent pool does not exist yet.
describe("legacy work queues: the default agent pool", () => {
  it("creates the pool on demand and answers its default queue for a queue named default", async () => {
    expect((await api("GET", "/work_pools/default-agent-pool")).status).toBe(404);
    const created = await api("POST", "/work_queues/", { name: "default" });
    expect(created.status).toBe(201);
    const pool = (await api("GET", "/work_pools/default-agent-pool")).body;
    expect(pool).toMatchObject({ type: "prefect-agent", status: "NOT_READY" });
    expect(created.body).toMatchObject({
      id: pool.default_queue_id,
      name: "default",
      description: "The work pool's default queue.",
      priority: 1,
      work_pool_name: "default-agent-pool",
    });
    const next = await api("POST", "/work_queues/", { name: "second" });
    expect(next.body).toMatchObject({ work_pool_id: pool.id, priority: 2 });
  });

  it("keeps an agent pool's status when paused or unpaused", async () => {
    await api("PATCH", "/work_pools/default-agent-pool", { is_paused: true });
    expect((await api("GET", "/work_pools/default-agent-pool")).body).toMatchObject({ is_paused: true, status: "NOT_READY" });
  });
});
