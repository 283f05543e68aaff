import { openSocket, send, type Socket } from "./sockets";
import { describe, expect, it } from "vitest";
import { api, waitFor } from "../helpers";

const open = (subprotocol = true) => openSocket("/logs/out", { subprotocol });

const logs = (s: Socket) => s.messages.filter((m) => m.type === "log").map((m) => m.log);
const MARKER = "marker";
const withoutMarkers = (s: Socket) => logs(s).filter((l) => l.message !== MARKER);

function log(flowRunId: string, extra: Record<string, unknown> = {}) {
  return { name: "prefect.flow_runs", level: 20, message: "hello", timestamp: new Date().toISOString(), flow_run_id: flowRunId, task_run_id: null, ...extra };
}

/** Subscribes as the SDK does; resolves once a marker log matching the filter got through. */
async function subscribe(s: Socket, filter: Record<string, unknown>, marker: Record<string, unknown>) {
  send(s, { type: "auth", token: null });
  await waitFor(() => s.messages.length >= 1);
  expect(s.messages[0]).toEqual({ type: "auth_success" });
  const now = Date.now();
  send(s, {
    type: "filter",
    filter: { ...filter, timestamp: { after_: new Date(now - 60_000).toISOString(), before_: new Date(now + 365 * 86_400_000).toISOString() } },
  });
  const live = await waitFor(async () => {
    await api("POST", "/logs/", [{ ...marker, message: MARKER }]);
    await new Promise((r) => setTimeout(r, 30));
    return logs(s).some((l) => l.message === MARKER);
  });
  expect(live).toBe(true);
}

describe("/logs/out WebSocket", () => {
  it("streams the stored logs matching the subscriber's filter", async () => {
    const flowRunId = crypto.randomUUID();
    const taskRunId = crypto.randomUUID();
    const s = await open();
    expect(s.status).toBe(101);
    await subscribe(s, { flow_run_id: { any_: [flowRunId] }, level: { ge_: 20 } }, log(flowRunId, { level: 50 }));

    const matching = [log(flowRunId, { message: "one" }), log(flowRunId, { message: "two", level: 40, task_run_id: taskRunId })];
    const others = [
      log(flowRunId, { message: "debug", level: 10 }),
      log(crypto.randomUUID(), { message: "other run" }),
      log(flowRunId, { message: "too old", timestamp: new Date(Date.now() - 3_600_000).toISOString() }),
    ];
    expect((await api("POST", "/logs/", [others[0], matching[0], others[1], matching[1], others[2]])).status).toBe(201);
    await waitFor(() => withoutMarkers(s).length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    const got = withoutMarkers(s);
    expect(got.map((l) => l.message)).toEqual(["one", "two"]);

    // As stored: the ids are those /logs/filter answers.
    const stored = await api("POST", "/logs/filter", { logs: { flow_run_id: { any_: [flowRunId] }, level: { ge_: 20 } } });
    const byMessage = new Map(stored.body.map((l: any) => [l.message, l]));
    for (const l of got) expect(l).toEqual(byMessage.get(l.message));
    expect(Object.keys(got[0])).toEqual(["id", "created", "updated", "name", "level", "message", "timestamp", "flow_run_id", "task_run_id"]);
    s.ws.close(1000);
  });

  it("filters on task runs (ids and is_null_) and on text", async () => {
    const flowRunId = crypto.randomUUID();
    const taskRunId = crypto.randomUUID();
    const taskLogs = await open();
    await subscribe(taskLogs, { task_run_id: { any_: [taskRunId] } }, log(flowRunId, { task_run_id: taskRunId }));
    const flowOnly = await open();
    await subscribe(flowOnly, { flow_run_id: { any_: [flowRunId] }, task_run_id: { is_null_: true }, text: { query: "-noise" } }, log(flowRunId));

    await api("POST", "/logs/", [
      log(flowRunId, { message: "in task", task_run_id: taskRunId }),
      log(flowRunId, { message: "in flow" }),
      log(flowRunId, { message: "some noise" }),
    ]);
    await waitFor(() => withoutMarkers(taskLogs).length >= 1 && withoutMarkers(flowOnly).length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(withoutMarkers(taskLogs).map((l) => l.message)).toEqual(["in task"]);
    expect(withoutMarkers(flowOnly).map((l) => l.message)).toEqual(["in flow"]);
    taskLogs.ws.close(1000);
    flowOnly.ws.close(1000);
  });

  it("closes with 1002 on a bad or missing filter message", async () => {
    // As the SDK does, each client waits for auth_success before its next message.
    const notFilter = await open();
    send(notFilter, { type: "auth", token: null });
    await waitFor(() => notFilter.messages.length >= 1);
    send(notFilter, { type: "event" });
    expect(await notFilter.closed).toEqual({ code: 1002, reason: "Expected 'filter' message" });

    const badFilter = await open();
    send(badFilter, { type: "auth", token: null });
    await waitFor(() => badFilter.messages.length >= 1);
    send(badFilter, { type: "filter", filter: { level: { ge_: "loud" } } });
    const closed = await badFilter.closed;
    expect(closed.code).toBe(1002);
    expect(closed.reason).toMatch(/^Invalid filter: /);
  });

  it("is not an HTTP endpoint", async () => {
    expect((await api("GET", "/logs/out")).status).toBe(404);
  });
});
