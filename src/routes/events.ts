import { createRoute, z } from "@hono/zod-openapi";
import type { Context, Next } from "hono";
import type { AppEnv } from "../env";
import { createRouter, jsonBody, noContent } from "../lib/router";
import { getDb } from "../db/client";
import { isoNow } from "../lib/time";
import { IncomingEvent, ingestEvents, receive } from "../services/events-ingest";
import { EventsInSession } from "../services/events-socket";

const tags = ["Events"];
export const eventsRouter = createRouter();

eventsRouter.openapi(
  createRoute({
    method: "post",
    path: "/events",
    tags,
    summary: "Create Events",
    request: jsonBody(z.array(IncomingEvent)),
    responses: { 204: noContent },
  }),
  async (c) => {
    const received = isoNow();
    await ingestEvents(c.var.db, c.req.valid("json").map((e) => receive(e, received)));
    return c.body(null, 204);
  },
);

/**
 * `GET /events/in` with `Upgrade: websocket`. Like Prefect's server, whose HTTP auth middleware
 * does not see WebSocket handshakes, this is authenticated by the `prefect` subprotocol's auth
 * message; app.ts mounts it ahead of the HTTP Basic auth middleware. Anything but an upgrade
 * falls through to the ordinary pipeline (and its 404).
 */
export async function eventsInSocket(c: Context<AppEnv>, next: Next) {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return next();
  const subprotocols = (c.req.header("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const handshake = subprotocols.includes("prefect");
  const authString = c.env.PREFECT_API_AUTH_STRING;
  // Prefect refuses legacy (no-subprotocol) clients when auth is configured, before accepting.
  if (!handshake && authString) return new Response(null, { status: 403 });

  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  new EventsInSession(server, getDb(c.env.DB), authString, handshake, waitUntilOf(c));
  return new Response(null, {
    status: 101,
    webSocket: client,
    headers: handshake ? { "Sec-WebSocket-Protocol": "prefect" } : {},
  });
}

function waitUntilOf(c: Context<AppEnv>): (p: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return () => {};
  }
}

/** The WebSocket routes, mounted before the API's middleware (see eventsInSocket). */
export const eventsSocketRouter = createRouter();
eventsSocketRouter.get("/events/in", eventsInSocket);
