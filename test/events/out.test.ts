import { openSocket, send, type Socket } from "./sockets";
import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { api, unique, waitFor } from "../helpers";

const open = (opts: { subprotocol?: boolean; authString?: string } = {}) => openSocket("/events/out", opts);

const received = (s: Socket) => s.messages.filter((m) => m.type === "event").map((m) => m.event);

/** The SDK's window: from a minute ago to a year ahead. */
const sdkWindow = () => ({ since: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() + 365 * 86_400_000).toISOString() });

function ev(name: string, resourceId: string, extra: Record<string, unknown> = {}) {
  return {
    id: crypto.randomUUID(),
    occurred: new Date().toISOString(),
    event: name,
    resource: { "prefect.resource.id": resourceId },
    related: [],
    payload: {},
    ...extra,
  };
}

/** Authenticates and subscribes; resolves once the subscription is live (a marker event got through). */
async function subscribe(
  s: Socket,
  filter: Record<string, unknown>,
  opts: { backfill?: boolean; marker: string; markerResource?: Record<string, string> },
) {
  send(s, { type: "auth", token: null });
  await waitFor(() => s.messages.length >= 1);
  expect(s.messages[0]).toEqual({ type: "auth_success" });
  send(s, { type: "filter", filter, ...(opts.backfill === undefined ? {} : { backfill: opts.backfill }) });
  const live = await waitFor(async () => {
    await api("POST", "/events", [ev(`${opts.marker}.marker`, opts.marker, opts.markerResource ? { resource: opts.markerResource } : {})]);
    await new Promise((r) => setTimeout(r, 30));
    return received(s).some((e) => e.event === `${opts.marker}.marker`);
  });
  expect(live).toBe(true);
}

const withoutMarkers = (s: Socket, marker: string) => received(s).filter((e) => e.event !== `${marker}.marker`);

describe("/events/out WebSocket", () => {
  it("streams exactly the events matching the subscriber's filter", async () => {
    const tag = unique("out");
    const s = await open();
    expect(s.status).toBe(101);
    await subscribe(s, { occurred: sdkWindow(), any_resource: { id_prefix: [`${tag}.`] } }, { backfill: false, marker: `${tag}.m` });

    const matching = [ev(`${tag}.a`, `${tag}.r1`), ev(`${tag}.b`, `${tag}.r2`, { related: [{ "prefect.resource.id": "x", "prefect.resource.role": "y" }] })];
    const related = ev(`${tag}.c`, "elsewhere", { related: [{ "prefect.resource.id": `${tag}.r3`, "prefect.resource.role": "flow" }] });
    const others = [ev(`${tag}.d`, "not-ours"), ev(`${tag}.e`, `${tag}.r1`, { occurred: new Date(Date.now() - 3_600_000).toISOString() })];
    expect((await api("POST", "/events", [...matching, ...others, related])).status).toBe(204);

    await waitFor(() => withoutMarkers(s, `${tag}.m`).length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    const got = withoutMarkers(s, `${tag}.m`);
    expect(got.map((e) => e.id)).toEqual([...matching, related].map((e) => e.id));
    expect(Object.keys(got[0])).toEqual(["occurred", "event", "resource", "related", "payload", "id", "follows", "received"]);
    expect(got[0]).toMatchObject({ event: `${tag}.a`, resource: { "prefect.resource.id": `${tag}.r1` }, follows: null });
    s.ws.close(1000);
    await s.closed;
  });

  it("applies the filter's event names, resource labels and text", async () => {
    const tag = unique("outf");
    const s = await open();
    const filter = {
      occurred: sdkWindow(),
      event: { prefix: [`${tag}.flow-run.`], exclude_name: [`${tag}.flow-run.Pending`] },
      resource: { labels: { "prefect.resource.id": `${tag}.run.*`, env: "!dev" } },
    };
    const marker = `${tag}.flow-run.m`;
    await subscribe(s, filter, { backfill: false, marker, markerResource: { "prefect.resource.id": `${tag}.run.m`, env: "prod" } });
    const env = (v: string) => ({ resource: { "prefect.resource.id": `${tag}.run.1`, env: v } });
    const yes = ev(`${tag}.flow-run.Running`, "", env("prod"));
    const noEnv = ev(`${tag}.flow-run.Running`, `${tag}.run.2`);
    const dev = ev(`${tag}.flow-run.Running`, "", env("dev"));
    const pending = ev(`${tag}.flow-run.Pending`, "", env("prod"));
    const otherName = ev(`${tag}.task-run.Running`, "", env("prod"));
    await api("POST", "/events", [noEnv, dev, pending, otherName, yes]);
    await waitFor(() => withoutMarkers(s, marker).length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(withoutMarkers(s, marker).map((e) => e.id)).toEqual([yes.id]);
    s.ws.close(1000);
  });

  it("sends a flow run's state-change event made by POST /flow_runs/{id}/set_state", async () => {
    const flow = await api("POST", "/flows/", { name: unique("flow") });
    const run = await api("POST", "/flow_runs/", { flow_id: flow.body.id, name: unique("run"), state: { type: "PENDING" } });
    expect(run.status).toBe(201);
    const runId = run.body.id;
    const s = await open();
    const marker = unique("m");
    await subscribe(
      s,
      { occurred: sdkWindow(), any_resource: [{ id: [`prefect.flow-run.${runId}`, marker] }] },
      { backfill: false, marker },
    );
    const set = await api("POST", `/flow_runs/${runId}/set_state`, { state: { type: "RUNNING" } });
    expect(set.status).toBe(201);
    const got = await waitFor(() => withoutMarkers(s, marker).find((e) => e.event === "prefect.flow-run.Running"));
    expect(got).toMatchObject({
      event: "prefect.flow-run.Running",
      resource: { "prefect.resource.id": `prefect.flow-run.${runId}`, "prefect.state-type": "RUNNING" },
    });
    // Once, and nothing but the run's own events (its Pending event, stored just before the
    // subscription, may come with the catch-up of a subscription without backfill).
    await new Promise((r) => setTimeout(r, 100));
    const events = withoutMarkers(s, marker).map((e) => e.event);
    expect(events.filter((e) => e === "prefect.flow-run.Running")).toHaveLength(1);
    expect(events.every((e) => e === "prefect.flow-run.Running" || e === "prefect.flow-run.Pending")).toBe(true);
    s.ws.close(1000);
  });

  it("backfills recent matching events first, in order, then streams without repeating them", async () => {
    const tag = unique("backfill");
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const tooOld = ev(`${tag}.e`, `${tag}.r`, { occurred: minutesAgo(30) });
    const recent = [ev(`${tag}.e`, `${tag}.r`, { occurred: minutesAgo(10) }), ev(`${tag}.e`, `${tag}.r`, { occurred: minutesAgo(5) })];
    await api("POST", "/events", [recent[1], tooOld, recent[0]]);

    const s = await open();
    send(s, { type: "auth", token: null });
    // As the SDK does, the filter follows the server's auth_success.
    await waitFor(() => s.messages.some((m) => m.type === "auth_success"));
    // The filter asks for the last hour; the backfill looks back 15 minutes at most.
    send(s, { type: "filter", filter: { occurred: { since: minutesAgo(60), until: minutesAgo(-60) }, resource: { id: [`${tag}.r`] } } });
    await waitFor(() => received(s).length >= 2);
    expect(received(s).map((e) => e.id)).toEqual(recent.map((e) => e.id));

    const live = ev(`${tag}.e`, `${tag}.r`);
    // A resend of a backfilled event (same id) is stored once and not sent again.
    await api("POST", "/events", [live, recent[0]]);
    await waitFor(() => received(s).length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(received(s).map((e) => e.id)).toEqual([...recent, live].map((e) => e.id));
    s.ws.close(1000);
  });

  it("streams events that arrive over /events/in", async () => {
    const tag = unique("in");
    const s = await open();
    await subscribe(s, { occurred: sdkWindow(), any_resource: { id_prefix: [`${tag}.`] } }, { backfill: false, marker: `${tag}.m` });
    const request = new Request("http://127.0.0.1:8787/api/events/in", { headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "prefect" } });
    const res = await (exports as any).default.fetch(request);
    const client = res.webSocket as WebSocket;
    client.accept();
    client.send(JSON.stringify({ type: "auth", token: null }));
    const e = ev(`${tag}.via-in`, `${tag}.r`);
    client.send(JSON.stringify(e));
    const got = await waitFor(() => withoutMarkers(s, `${tag}.m`)[0]);
    expect(got?.id).toBe(e.id);
    client.close(1000);
    s.ws.close(1000);
  });

  it("closes with Prefect's codes on protocol errors", async () => {
    // As the SDK does, each client waits for auth_success before its next message.
    const notFilter = await open();
    send(notFilter, { type: "auth", token: null });
    await waitFor(() => notFilter.messages.length >= 1);
    send(notFilter, { type: "subscribe" });
    expect(await notFilter.closed).toEqual({ code: 1002, reason: "Expected 'filter' message" });

    const badFilter = await open();
    send(badFilter, { type: "auth", token: null });
    await waitFor(() => badFilter.messages.length >= 1);
    send(badFilter, { type: "filter", filter: { event: { prefix: "not-a-list" } } });
    const closed = await badFilter.closed;
    expect(closed.code).toBe(1002);
    expect(closed.reason).toMatch(/^Invalid filter: /);

    const noAuth = await open();
    send(noAuth, { type: "filter", filter: {} });
    expect(await noAuth.closed).toEqual({ code: 1008, reason: "Expected 'auth' message" });
  });

  it("checks the token when an auth string is configured, and refuses legacy clients then", async () => {
    const legacy = await open({ subprotocol: false, authString: "user:pass" });
    expect(legacy.status).toBe(403);

    const wrong = await open({ authString: "user:pass" });
    send(wrong, { type: "auth", token: "nope" });
    expect(await wrong.closed).toEqual({ code: 1008, reason: "Invalid token" });

    const missing = await open({ authString: "user:pass" });
    send(missing, { type: "auth" });
    expect(await missing.closed).toEqual({ code: 1008, reason: "Auth required but no token provided" });

    const right = await open({ authString: "user:pass" });
    send(right, { type: "auth", token: "user:pass" });
    await waitFor(() => right.messages.length >= 1);
    expect(right.messages).toEqual([{ type: "auth_success" }]);
    right.ws.close(1000);
  });

  it("accepts legacy clients (no subprotocol) without an auth message when no auth is configured", async () => {
    const tag = unique("legacy");
    const s = await open({ subprotocol: false });
    expect(s.status).toBe(101);
    const old = ev(`${tag}.e`, `${tag}.r`);
    await api("POST", "/events", [old]);
    send(s, { type: "filter", filter: { occurred: sdkWindow(), resource: { id: [`${tag}.r`] } } });
    await waitFor(() => received(s).length >= 1);
    expect(received(s).map((e) => e.id)).toEqual([old.id]);
    s.ws.close(1000);
  });

  it("is not an HTTP endpoint", async () => {
    expect((await api("GET", "/events/out")).status).toBe(404);
  });
});
