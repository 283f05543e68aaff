import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { EventsInSession, MAX_UNWRITTEN_CHARS } from "../../src/events/socket";
import { getDb } from "../../src/db/client";
import { api, waitFor } from "../helpers";
import { freshIds, readEvent, readEventResources, readStates, readTaskRun, taskRunIdOf, transcript } from "./support";

const app = createApp();
const URL = "http://127.0.0.1:8787/api/events/in";

interface Opened {
  status: number;
  response: Response;
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens `/events/in` as the SDK does (subprotocol `prefect`, no other headers). */
async function open(opts: { subprotocol?: string | null; authString?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { Upgrade: "websocket", ...opts.headers };
  if (opts.subprotocol !== null) headers["Sec-WebSocket-Protocol"] = opts.subprotocol ?? "prefect";
  const bindings = opts.authString ? { ...env, PREFECT_API_AUTH_STRING: opts.authString } : env;
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as any;
  const response = await app.fetch(new Request(URL, { headers }), bindings as any, ctx);
  const ws = response.webSocket;
  if (!ws) return { status: response.status, response } as Opened;
  ws.accept();
  const messages: any[] = [];
  const nextMessage: ((m: any) => void)[] = [];
  ws.addEventListener("message", (m) => {
    const parsed = JSON.parse(m.data as string);
    messages.push(parsed);
    nextMessage.shift()?.(parsed);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (c) => resolve({ code: c.code, reason: c.reason })),
  );
  return { status: response.status, response, ws, messages, closed } as Opened;
}

const waitForMessage = async (o: Opened, n: number) => waitFor(async () => o.messages.length >= n, { timeout: 2000 });

async function authenticate(o: Opened, token: string | null = null) {
  o.ws.send(JSON.stringify({ type: "auth", token }));
  await waitForMessage(o, 1);
}

describe("/events/in WebSocket", () => {
  it("accepts the prefect subprotocol, answers auth_success, then stores each event", async () => {
    const o = await open();
    expect(o.status).toBe(101);
    expect(o.response.headers.get("Sec-WebSocket-Protocol")).toBe("prefect");
    await authenticate(o);
    expect(o.messages).toEqual([{ type: "auth_success" }]);

    const events = freshIds(transcript("01_flows_tasks").events);
    for (const e of events) o.ws.send(JSON.stringify(e));
    const last = events[events.length - 1];
    expect(await waitFor(() => readEvent(last.id))).toBeDefined();
    for (const e of events) expect(await readEvent(e.id)).toBeDefined();
    // Nothing but auth_success is ever sent to the client.
    expect(o.messages).toHaveLength(1);

    const completed = events.filter((e: any) => e.event === "prefect.task-run.Completed");
    for (const e of completed) {
      const run = await waitFor(async () => (await readTaskRun(taskRunIdOf(e)))?.state_type === "COMPLETED" && readTaskRun(taskRunIdOf(e)));
      expect(run).toMatchObject({ state_id: e.id, state_name: "Completed" });
      expect((await readStates(taskRunIdOf(e))).map((s) => s.name)).toEqual(["Pending", "Running", "Completed"]);
    }
    o.ws.close(1000);
    await o.closed;
  });

  it("stores an event with its resources, one row per resource and role", async () => {
    const o = await open();
    await authenticate(o);
    const [heartbeat] = freshIds(transcript("01_flows_tasks").events);
    o.ws.send(JSON.stringify({ ...heartbeat, occurred: "2026-11-23T01:13:27.057979+00:00" }));
    const stored = await waitFor(() => readEvent(heartbeat.id));
    expect(stored).toMatchObject({
      id: heartbeat.id,
      event: "prefect.flow-run.heartbeat",
      occurred: "2026-11-23T01:13:27.057979Z",
      resource_id: heartbeat.resource["prefect.resource.id"],
      resource: heartbeat.resource,
      related: heartbeat.related,
      related_resource_ids: [heartbeat.related[0]["prefect.resource.id"]],
      payload: {},
      follows: null,
    });
    expect(stored!.received).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const resources = await readEventResources(heartbeat.id);
    expect(resources.map((r) => [r.resource_id, r.resource_role, r.resource])).toEqual([
      [heartbeat.resource["prefect.resource.id"], "", { "prefect.resource.name": "basic-3", "prefect.version": "3.8.3" }],
      [heartbeat.related[0]["prefect.resource.id"], "flow", { "prefect.resource.name": "example-basic-2f17f678" }],
    ]);
    // A resent event (client reconnect) changes nothing.
    o.ws.send(JSON.stringify(heartbeat));
    o.ws.close(1000);
    await o.closed;
    expect(await readEventResources(heartbeat.id)).toHaveLength(2);
  });

  it("closes with 1008 when the first message is not auth", async () => {
    const o = await open();
    o.ws.send(JSON.stringify({ type: "hello" }));
    expect(await o.closed).toEqual({ code: 1008, reason: "Expected 'auth' message" });
  });

  it("closes with 1011 on a message that is not a valid event, keeping earlier ones", async () => {
    const o = await open();
    await authenticate(o);
    const [good] = freshIds(transcript("01_flows_tasks").events);
    o.ws.send(JSON.stringify(good));
    o.ws.send(JSON.stringify({ event: "no.resource" }));
    expect((await o.closed).code).toBe(1011);
    expect(await waitFor(() => readEvent(good.id))).toBeDefined();
  });

  it("closes with 1013 when events arrive faster than they are stored (beyond its buffer's limit), storing those it took", async () => {
    // A session whose buffer holds about three of these events, so that a burst outruns D1.
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    client.accept();
    const writes: Promise<unknown>[] = [];
    new EventsInSession(server, env, getDb(env.DB), undefined, false, (p) => writes.push(p), 1_000);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => client.addEventListener("close", (c) => resolve({ code: c.code, reason: c.reason })));
    const events = Array.from({ length: 20 }, (_, i) => ({
      id: crypto.randomUUID(),
      occurred: new Date().toISOString(),
      event: "memory.burst",
      resource: { "prefect.resource.id": `memory.burst.${i}` },
      payload: { text: "b".repeat(200) },
    }));
    for (const e of events) client.send(JSON.stringify(e));
    expect(await closed).toEqual({ code: 1013, reason: "Too many events waiting to be stored" });
    await Promise.all(writes);
    expect(await readEvent(events[0]!.id)).toBeDefined();
    expect(await readEvent(events[events.length - 1]!.id)).toBeUndefined();
    expect(MAX_UNWRITTEN_CHARS).toBe(4 << 20);
  });

  it("closes with 1011 'Invalid JSON' on an event nested deeper than the request-body limit, storing nothing", async () => {
    const o = await open();
    await authenticate(o);
    const [event] = freshIds(transcript("01_flows_tasks").events);
    let deep: unknown = 1;
    for (let i = 0; i < 2_000; i++) deep = [deep];
    o.ws.send(JSON.stringify({ ...event, payload: { deep } }));
    expect(await o.closed).toEqual({ code: 1011, reason: "Invalid JSON" });
    expect(await readEvent(event.id)).toBeFalsy();
  });

  it("accepts legacy clients without the subprotocol (and without handshake) when no auth is set", async () => {
    const o = await open({ subprotocol: null });
    expect(o.status).toBe(101);
    expect(o.response.headers.get("Sec-WebSocket-Protocol")).toBeNull();
    const [e] = freshIds(transcript("01_flows_tasks").events);
    o.ws.send(JSON.stringify(e));
    expect(await waitFor(() => readEvent(e.id))).toBeDefined();
    expect(o.messages).toEqual([]);
    o.ws.close(1000);
  });

  it("answers a plain GET (no upgrade) with 404", async () => {
    expect(await api("GET", "/events/in")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
  });
});

describe("/events/in with an auth string", () => {
  const authString = "admin:s3cret";

  it("needs no HTTP Basic credentials for the handshake and checks the auth message's token", async () => {
    const o = await open({ authString });
    expect(o.status).toBe(101);
    await authenticate(o, authString);
    expect(o.messages).toEqual([{ type: "auth_success" }]);
    o.ws.close(1000);
  });

  it("closes with 1008 on a missing or wrong token", async () => {
    const missing = await open({ authString });
    missing.ws.send(JSON.stringify({ type: "auth", token: null }));
    expect(await missing.closed).toEqual({ code: 1008, reason: "Auth required but no token provided" });
    const wrong = await open({ authString });
    wrong.ws.send(JSON.stringify({ type: "auth", token: "admin:wrong" }));
    expect(await wrong.closed).toEqual({ code: 1008, reason: "Invalid token" });
  });

  it("still requires HTTP Basic credentials for POST /events and plain GETs", async () => {
    const bindings = { ...env, PREFECT_API_AUTH_STRING: authString } as any;
    const call = (method: string, path: string, body?: string) =>
      app.fetch(new Request(`http://127.0.0.1:8787/api${path}`, { method, body, headers: { "content-type": "application/json" } }), bindings, {} as any);
    expect((await call("POST", "/events", "[]")).status).toBe(401);
    expect((await call("GET", "/events/in")).status).toBe(401);
  });

  it("refuses clients without the prefect subprotocol", async () => {
    const o = await open({ authString, subprotocol: null });
    expect(o.status).toBe(403);
  });
});
