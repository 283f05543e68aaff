import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ingestEvents, receive, IncomingEvent } from "../../src/events/ingest";
import { taskRun } from "../../src/db/schema";
import { api } from "../helpers";
import {
  db,
  freshIds,
  readEvent,
  readStates,
  readTaskRun,
  taskRunEvent,
  taskRunEvents,
  taskRunIdOf,
  transcript,
  type Transcript,
} from "./support";

const ingest = (events: any[]) => ingestEvents(env as unknown as Bindings, db, events.map((e) => receive(IncomingEvent.parse(e))));
const withoutClock = ({ created, updated, ...rest }: any) => rest;

describe("task-run recorder: transcripts replayed", () => {
  for (const name of ["01_flows_tasks", "02_retries_failures"] as Transcript[]) {
    it(`${name}: task runs and state histories equal the real server's`, async () => {
      const t = transcript(name);
      await ingest(t.events);
      expect(t.task_runs.length).toBeGreaterThan(0);
      for (const expected of t.task_runs) {
        const actual = await readTaskRun(expected.id);
        expect(withoutClock(actual)).toEqual(withoutClock(expected));
      }
      for (const [id, expected] of Object.entries(t.task_run_states)) {
        expect(await readStates(id)).toEqual(expected);
      }
    });
  }

  it("01_flows_tasks: every task run ends with one state per event, newest current", async () => {
    const events = freshIds(taskRunEvents(transcript("01_flows_tasks").events));
    await ingest(events);
    const runIds = [...new Set(events.map(taskRunIdOf))];
    expect(runIds.length).toBe(8);
    for (const id of runIds) {
      const mine = events.filter((e) => taskRunIdOf(e) === id);
      const last = mine[mine.length - 1];
      const run = await readTaskRun(id);
      expect(run).toMatchObject({ state_id: last.id, state_type: "COMPLETED", state_name: "Completed", run_count: 1 });
      expect((await readStates(id)).map((s) => s.id)).toEqual(mine.map((e) => e.id));
    }
  });

  it("also records through POST /events (204)", async () => {
    const events = freshIds(taskRunEvents(transcript("02_retries_failures").events));
    const res = await api("POST", "/events", events);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    const failed = events.find((e) => e.event === "prefect.task-run.Failed");
    const run = await readTaskRun(taskRunIdOf(failed));
    expect(run).toMatchObject({ state_type: "FAILED", state_name: "Failed", end_time: failed.payload.task_run.end_time });
    expect(run!.state!.state_details.retriable).toBe(false);
    expect(run!.state!.message).toBe("Task run encountered an exception ValueError: example-intended-failure");
  });
});

describe("task-run recorder: rules", () => {
  const ts = (n: number) => `2026-02-01T00:00:0${n}.000000Z`;

  function lifecycle(taskRunId = crypto.randomUUID(), flowRunId: string | null = crypto.randomUUID()) {
    return [
      taskRunEvent({ taskRunId, flowRunId, stateType: "PENDING", stateName: "Pending", occurred: ts(1) }),
      taskRunEvent({
        taskRunId,
        flowRunId,
        stateType: "RUNNING",
        stateName: "Running",
        occurred: ts(2),
        taskRun: { run_count: 1, flow_run_run_count: 1, start_time: ts(2) },
      }),
      taskRunEvent({
        taskRunId,
        flowRunId,
        stateType: "COMPLETED",
        stateName: "Completed",
        occurred: ts(3),
        taskRun: { run_count: 1, flow_run_run_count: 1, start_time: ts(2), end_time: ts(3), total_run_time: 1.0 },
      }),
    ];
  }

  it("keeps the newest state current when events arrive out of order", async () => {
    const [pending, running, completed] = lifecycle();
    const id = taskRunIdOf(pending);
    await ingest([completed]);
    await ingest([running, pending]);
    const run = await readTaskRun(id);
    expect(run).toMatchObject({
      state_id: completed.id,
      state_type: "COMPLETED",
      run_count: 1,
      start_time: ts(2),
      end_time: ts(3),
      total_run_time: 1.0,
    });
    expect(run!.state).toMatchObject({ id: completed.id, timestamp: ts(3) });
    expect((await readStates(id)).map((s) => s.name)).toEqual(["Pending", "Running", "Completed"]);
  });

  it("handles a whole lifecycle in one batch in any order", async () => {
    const [pending, running, completed] = lifecycle();
    await ingest([running, completed, pending]);
    expect(await readTaskRun(taskRunIdOf(pending))).toMatchObject({ state_type: "COMPLETED", end_time: ts(3) });
  });

  it("writes only the fields an event carries", async () => {
    const [pending, running] = lifecycle();
    const id = taskRunIdOf(pending);
    await ingest([pending]);
    const first = await readTaskRun(id);
    expect(first).toMatchObject({ start_time: null, run_count: 0, state_type: "PENDING" });
    // A newer event lacking `expected_start_time` leaves the stored one.
    delete (running.payload.task_run as any).expected_start_time;
    await ingest([running]);
    const second = await readTaskRun(id);
    expect(second).toMatchObject({ expected_start_time: "2026-01-01T00:00:00.000000Z", start_time: ts(2), run_count: 1 });
    expect(second!.created).toBe(first!.created);
  });

  it("is idempotent on event id", async () => {
    const events = lifecycle();
    const id = taskRunIdOf(events[0]);
    await ingest(events);
    const before = await readTaskRun(id);
    await ingest(events);
    expect(await readStates(id)).toHaveLength(3);
    expect(await readTaskRun(id)).toEqual(before);
  });

  it("records a task run without a flow run", async () => {
    const [pending] = lifecycle(crypto.randomUUID(), null);
    await ingest([pending]);
    const run = await readTaskRun(taskRunIdOf(pending));
    expect(run).toMatchObject({ flow_run_id: null, state_type: "PENDING" });
    expect(run!.state!.state_details).toMatchObject({ flow_run_id: null, task_run_id: run!.id });
  });

  it("records onto the run already holding the natural key, keeping its id", async () => {
    const flowRunId = crypto.randomUUID();
    const existingId = crypto.randomUUID();
    const now = "2026-01-01T00:00:00.000000Z";
    await db.insert(taskRun).values({
      id: existingId,
      created: now,
      updated: now,
      name: "wrapper",
      flow_run_id: flowRunId,
      task_key: "t-key",
      dynamic_key: "0",
      state_timestamp: now,
      state_type: "PENDING",
    });
    const [, running] = lifecycle(crypto.randomUUID(), flowRunId);
    await ingest([running]);
    expect(await readTaskRun(taskRunIdOf(running))).toBeUndefined();
    const run = await readTaskRun(existingId);
    expect(run).toMatchObject({ id: existingId, state_type: "RUNNING", state_id: running.id, run_count: 1 });
    expect(run!.state!.state_details.task_run_id).toBe(existingId);
    const states = await readStates(existingId);
    expect(states.map((s) => s.id)).toEqual([running.id]);
    expect(states[0].state_details.task_run_id).toBe(existingId);
  });

  it("ignores task-run events not orchestrated by the client, but stores them", async () => {
    const e = taskRunEvent({
      taskRunId: crypto.randomUUID(),
      stateType: "PENDING",
      stateName: "Pending",
      occurred: ts(1),
      orchestration: "server",
    });
    await ingest([e]);
    expect(await readTaskRun(taskRunIdOf(e))).toBeUndefined();
    expect(await readEvent(e.id)).toBeDefined();
  });

  it("skips malformed task-run events without holding back the others", async () => {
    const bad = taskRunEvent({ taskRunId: crypto.randomUUID(), stateType: "PENDING", stateName: "Pending", occurred: ts(1) });
    delete (bad.payload.task_run as any).task_key;
    const noState = taskRunEvent({ taskRunId: crypto.randomUUID(), stateType: "PENDING", stateName: "Pending", occurred: ts(1) });
    delete (noState.payload as any).validated_state;
    const [good] = lifecycle();
    await ingest([bad, noState, good]);
    expect(await readTaskRun(taskRunIdOf(bad))).toBeUndefined();
    expect(await readTaskRun(taskRunIdOf(noState))).toBeUndefined();
    expect(await readEvent(bad.id)).toBeDefined();
    expect(await readTaskRun(taskRunIdOf(good))).toMatchObject({ state_type: "PENDING" });
  });

  it("still stores an event whose recording fails in SQL, and records the rest of its batch", async () => {
    // Run A holds the event's id, run B its natural key: updating A onto B's key violates uniqueness.
    const flowRunId = crypto.randomUUID();
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const now = "2026-01-01T00:00:00.000000Z";
    const base = { created: now, updated: now, name: "r", flow_run_id: flowRunId, state_timestamp: now };
    await db.insert(taskRun).values([
      { ...base, id: a, task_key: "other", dynamic_key: "0" },
      { ...base, id: b, task_key: "t-key", dynamic_key: "0" },
    ]);
    const [, poison] = lifecycle(a, flowRunId);
    const [good] = lifecycle();
    await ingest([poison, good]);
    expect(await readEvent(poison.id)).toBeDefined();
    expect(await readStates(a)).toEqual([]);
    expect(await readTaskRun(taskRunIdOf(good))).toMatchObject({ state_type: "PENDING" });
  });

  it("stores null labels as empty labels", async () => {
    const e = taskRunEvent({ taskRunId: crypto.randomUUID(), stateType: "PENDING", stateName: "Pending", occurred: ts(1), taskRun: { labels: null } });
    await ingest([e]);
    expect(await readTaskRun(taskRunIdOf(e))).toMatchObject({ labels: {}, state_type: "PENDING" });
  });

  it("names a state after its type when the event gives no name", async () => {
    const e = taskRunEvent({ taskRunId: crypto.randomUUID(), stateType: "CANCELLING", stateName: "x", occurred: ts(1) });
    delete (e.payload.validated_state as any).name;
    await ingest([e]);
    expect((await readTaskRun(taskRunIdOf(e)))!.state_name).toBe("Cancelling");
  });
});
