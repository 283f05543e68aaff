import { afterEach, describe, expect, it, vi } from "vitest";
import { api, unique } from "../helpers";
import * as scheduler from "../../src/services/scheduler";

const INTERVAL = { schedule: { interval: 3600 } };

async function makeDeployment(body: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
  const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, schedules: [INTERVAL], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The deployments the on-demand scheduler pass was started for while `request` ran. */
async function passesDuring(request: () => Promise<{ status: number }>): Promise<string[]> {
  const spy = vi.spyOn(scheduler, "scheduleDeployment");
  try {
    const res = await request();
    expect(res.status, JSON.stringify(res)).toBeLessThan(300);
    return spy.mock.calls.map(([, id]) => id);
  } finally {
    spy.mockRestore();
  }
}

describe("the on-demand scheduler pass after a deployment change", () => {
  afterEach(() => vi.restoreAllMocks());

  it("starts once for each change that affects scheduling", async () => {
    const flow = (await api("POST", "/flows/", { name: unique("flow") })).body;
    let id = "";
    const created = await passesDuring(async () => {
      const res = await api("POST", "/deployments/", { name: unique("dep"), flow_id: flow.id, schedules: [INTERVAL] });
      id = res.body.id;
      return res;
    });
    expect(created).toEqual([id]);

    const d = await makeDeployment();
    const [schedule] = d.schedules;
    // The 2.x route comes first: it refuses a deployment with several schedules.
    const changes: [string, string, unknown?][] = [
      ["POST", `/deployments/${d.id}/set_schedule_active`],
      ["POST", `/deployments/${d.id}/resume_deployment`],
      ["PATCH", `/deployments/${d.id}`, { description: "changed" }],
      ["PATCH", `/deployments/${d.id}/schedules/${schedule.id}`, { active: true }],
      ["POST", `/deployments/${d.id}/schedules`, [{ schedule: { interval: 7200 } }]],
    ];
    for (const [method, path, body] of changes) {
      expect(await passesDuring(() => api(method, path, body)), `${method} ${path}`).toEqual([d.id]);
    }
  });

  it("does not start for reads, deletions, pauses or flow-run creation", async () => {
    const d = await makeDeployment();
    const [schedule] = d.schedules;
    const others: [string, string, unknown?][] = [
      ["GET", `/deployments/${d.id}`],
      ["POST", "/deployments/filter", {}],
      ["POST", `/deployments/${d.id}/pause_deployment`],
      ["POST", `/deployments/${d.id}/set_schedule_inactive`],
      ["POST", `/deployments/${d.id}/create_flow_run`, {}],
      ["DELETE", `/deployments/${d.id}/schedules/${schedule.id}`],
    ];
    for (const [method, path, body] of others) {
      expect(await passesDuring(() => api(method, path, body)), `${method} ${path}`).toEqual([]);
    }
  });
});
