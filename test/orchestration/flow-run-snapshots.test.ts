import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { readFlowRunSnapshot } from "../../src/db/queries/flow-run-snapshot";
import { forgetSnapshot, recallSnapshot, LARGEST_REMEMBERED, REMEMBERED_CHARS, rememberSnapshot } from "../../src/orchestration/flow-run-snapshots";
import { api, unique } from "../helpers";

const COUNT = { "x-count-d1-round-trips": "1" };
const db = () => getDb(env.DB);

async function newRun(extra: Record<string, unknown> = {}) {
  const flow = (await api("POST", "/flows/", { name: unique("snap") })).body;
  const past = new Date(Date.now() - 60_000).toISOString();
  const run = await api("POST", "/flow_runs/", { flow_id: flow.id, state: { type: "SCHEDULED", state_details: { scheduled_time: past } }, ...extra });
  expect(run.status).toBe(201);
  return run.body;
}

const propose = (id: string, type: string) => api("POST", `/flow_runs/${id}/set_state`, { state: { type } }, COUNT);
const roundTrips = (res: { headers: Headers }) => res.headers.get("x-d1-round-trips");
const stateTypes = async (id: string) => (await api("GET", `/flow_run_states/?flow_run_id=${id}`)).body.map((s: any) => s.type);

async function eventsOf(runId: string) {
  const res = await api("POST", "/events/filter", { filter: { resource: { id: [`prefect.flow-run.${runId}`] }, order: "ASC" }, limit: 50 });
  expect(res.status).toBe(200);
  return res.body.events as any[];
}

describe("flow-run snapshots remembered by the isolate", () => {
  it("decide the next state change in one D1 round trip, from the run's creation on", async () => {
    const run = await newRun();
    expect(recallSnapshot(run.id)?.rows.run.state_id).toBe(run.state.id);
    const pending = await propose(run.id, "PENDING");
    expect(recallSnapshot(run.id)?.rows.run.state_id).toBe(pending.body.state.id);
    const running = await propose(run.id, "RUNNING");
    const completed = await propose(run.id, "COMPLETED");
    for (const res of [pending, running, completed]) {
      expect(res.status).toBe(201);
      expect(res.body.status).toBe("ACCEPT");
      expect(roundTrips(res)).toBe("1");
    }
    const read = (await api("GET", `/flow_runs/${run.id}`)).body;
    expect(read).toMatchObject({ state_type: "COMPLETED", run_count: 1, state: { id: completed.body.state.id } });
    expect(read.start_time).toBe(running.body.state.timestamp);
    expect(read.end_time).toBe(completed.body.state.timestamp);
    expect(read.total_run_time).toBeGreaterThan(0);
    expect(await stateTypes(run.id)).toEqual(["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"]);
    expect((await eventsOf(run.id)).map((e) => e.event)).toEqual([
      "prefect.flow-run.Scheduled",
      "prefect.flow-run.Pending",
      "prefect.flow-run.Running",
      "prefect.flow-run.Completed",
    ]);
  });

  it("once forgotten, cost a read first: two D1 round trips", async () => {
    const run = await newRun();
    forgetSnapshot(run.id);
    const pending = await propose(run.id, "PENDING");
    expect(pending.body.status).toBe("ACCEPT");
    expect(roundTrips(pending)).toBe("2");
    expect(roundTrips(await propose(run.id, "RUNNING"))).toBe("1");
  });

  it("are bounded in size: the runs changed longest ago are forgotten, huge ones never remembered", async () => {
    const { text } = (await readFlowRunSnapshot(db(), (await newRun()).id))!;
    const fit = Math.floor(REMEMBERED_CHARS / text.length);
    const ids = Array.from({ length: fit + 2 }, () => crypto.randomUUID());
    for (const id of ids) rememberSnapshot(id, text);
    expect(recallSnapshot(ids[0])).toBeNull();
    expect(recallSnapshot(ids[1])).toBeNull();
    expect(recallSnapshot(ids[2])?.text).toBe(text);
    rememberSnapshot(ids[2], text); // remembered again: now the newest
    rememberSnapshot(crypto.randomUUID(), text);
    expect(recallSnapshot(ids[2])).not.toBeNull();
    expect(recallSnapshot(ids[3])).toBeNull();

    const huge = crypto.randomUUID();
    rememberSnapshot(huge, "x".repeat(LARGEST_REMEMBERED + 1));
    expect(recallSnapshot(huge)).toBeNull();
    expect(recallSnapshot(ids.at(-1)!)).not.toBeNull();
  });

  it("read back exactly what a fresh read of the run answers", async () => {
    const run = await newRun({ tags: ["a"], parameters: { x: 1.5, y: [true, null] } });
    await propose(run.id, "PENDING");
    expect(recallSnapshot(run.id)).toEqual(await readFlowRunSnapshot(db(), run.id));
  });

  it("when stale, write nothing: the change is decided again on the run as it is", async () => {
    const run = await newRun();
    const scheduled = await readFlowRunSnapshot(db(), run.id);
    expect((await propose(run.id, "PENDING")).body.status).toBe("ACCEPT");
    // As if another isolate had moved the run on: this one still remembers it SCHEDULED.
    rememberSnapshot(run.id, scheduled!.text);

    const again = await propose(run.id, "PENDING");
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("ABORT"); // a second PENDING, decided on the run as stored
    expect(roundTrips(again)).toBe("1"); // the refused write's batch read the current run
    expect(await stateTypes(run.id)).toEqual(["SCHEDULED", "PENDING"]);
    expect((await eventsOf(run.id)).map((e) => e.event)).toEqual(["prefect.flow-run.Scheduled", "prefect.flow-run.Pending"]);
    expect(recallSnapshot(run.id)?.rows.run.state_type).toBe("PENDING");
  });

  it("are stale when anything they hold changed, not only the state", async () => {
    const run = await newRun({ tags: ["old"] });
    await propose(run.id, "PENDING");
    expect((await api("PATCH", `/flow_runs/${run.id}`, { tags: ["new"] })).status).toBe(204);

    const running = await propose(run.id, "RUNNING");
    expect(running.body.status).toBe("ACCEPT");
    expect(roundTrips(running)).toBe("2");
    const event = (await eventsOf(run.id)).find((e) => e.event === "prefect.flow-run.Running");
    const tags = event.related.filter((r: any) => r["prefect.resource.role"] === "tag").map((r: any) => r["prefect.resource.id"]);
    expect(tags).toEqual(["prefect.tag.new"]);
    expect(await stateTypes(run.id)).toEqual(["SCHEDULED", "PENDING", "RUNNING"]);
  });

  it("decide only plain changes: a subflow's, which also moves its parent task run, is decided on a fresh read", async () => {
    const parent = await newRun();
    await propose(parent.id, "PENDING");
    await propose(parent.id, "RUNNING");
    const task = (await api("POST", "/task_runs/", { flow_run_id: parent.id, task_key: "sub", dynamic_key: "0", state: { type: "PENDING" } })).body;
    const child = await newRun({ parent_task_run_id: task.id });
    await propose(child.id, "PENDING");
    expect(recallSnapshot(child.id)).not.toBeNull();

    const running = await propose(child.id, "RUNNING");
    expect(running.body.status).toBe("ACCEPT");
    expect(roundTrips(running)).toBe("2");
    expect((await api("GET", `/task_runs/${task.id}`)).body.state_type).toBe("RUNNING");
  });

  it("of a deleted run answer 404", async () => {
    const run = await newRun();
    await propose(run.id, "PENDING");
    expect((await api("DELETE", `/flow_runs/${run.id}`)).status).toBe(204);
    const res = await propose(run.id, "RUNNING");
    expect(res.status).toBe(404);
    expect(recallSnapshot(run.id)).toBeNull();
  });
});
