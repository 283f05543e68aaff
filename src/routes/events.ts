import { createRoute, z } from "@hono/zod-openapi";
import type { Context, Next } from "hono";
import type { AppEnv } from "../env";
import { createRouter, jsonBody, jsonResponse, noContent, errorResponses } from "../lib/router";
import { databaseOf } from "../db/client";
import { isoNow } from "../lib/time";
import { ApiError, unprocessable } from "../lib/errors";
import { validationErrorResponse } from "../lib/validation";
import { resolveEventFilter } from "../db/filters/events";
import {
  b64decode,
  countEvents,
  InvalidCountParameters,
  InvalidPageToken,
  nextPageLink,
  queryEvents,
  queryNextPage,
} from "../db/queries/events-read";
import {
  Body_count_account_events_events_count_by__countable__post,
  Body_read_events_events_filter_post,
  Countable,
  EventCount,
  EventPage,
} from "../schemas/prefect.gen";
import { IncomingEvent, ingestEvents, receive } from "../events/ingest";
import { EventsInSession } from "../events/socket";
import { drainBeforeReading } from "../events/outbox";
import { openEventStreamSocket } from "../events/publish";
import { socketServedBy } from "./support/sockets";
import { jsonPieces } from "../lib/json-pieces";

const tags = ["Events"];
export const eventsRouter = createRouter();

eventsRouter.openapi(
  createRoute({
    method: "post",
    path: "/events",
    tags,
    summary: "Create Events",
    request: jsonBody(z.array(IncomingEvent)),
    responses: { 204: noContent, ...errorResponses(422) },
  }),
  async (c) => {
    const received = isoNow();
    await ingestEvents(c.env, c.var.db, c.req.valid("json").map((e) => receive(e, received)));
    return c.body(null, 204);
  },
);

/** Where next-page links point: the request's origin, as Prefect's `request.base_url`. */
const baseUrlOf = (c: Context<AppEnv>) => `${new URL(c.req.url).origin}/`;

eventsRouter.openapi(
  createRoute({
    method: "post",
    path: "/events/filter",
    tags,
    summary: "Read Events",
    description:
      "Queries for Events matching the given filter criteria in the given Account.  Returns the first page of results, and the URL to request the next page (if there are more results).",
    request: jsonBody(Body_read_events_events_filter_post),
    responses: { 200: jsonResponse(EventPage), ...errorResponses(422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    await drainBeforeReading(c.var.db);
    const page = await queryEvents(c.var.db, resolveEventFilter(body.filter), body.limit);
    return jsonPieces(c, page.events, (events) => ({ events, total: page.total, next_page: nextPageLink(baseUrlOf(c), page.next) }));
  },
);

/** Prefect answers a page token it cannot read with a bare 403. */
const forbidden = () => new ApiError(403, "Forbidden");

eventsRouter.openapi(
  createRoute({
    method: "get",
    path: "/events/filter/next",
    tags,
    summary: "Read Account Events Page",
    description:
      "Returns the next page of Events for a previous query against the given Account, and the URL to request the next page (if there are more results).",
    request: { query: z.object({ "page-token": z.string() }) },
    responses: { 200: jsonResponse(EventPage), ...errorResponses(422) },
  }),
  async (c) => {
    let token: string;
    try {
      // The query parser turns a `+` of the (unescaped) base64 into a space.
      token = b64decode(c.req.valid("query")["page-token"].replace(/ /g, "+"));
    } catch {
      throw forbidden();
    }
    if (!token) throw forbidden();
    try {
      await drainBeforeReading(c.var.db);
      const page = await queryNextPage(c.var.db, token);
      return jsonPieces(c, page.events, (events) => ({ events, total: page.total, next_page: nextPageLink(baseUrlOf(c), page.next) }));
    } catch (err) {
      if (err instanceof InvalidPageToken) throw forbidden();
      throw err;
    }
  },
);

const COUNTABLES = Countable.options;

eventsRouter.openapi(
  createRoute({
    method: "post",
    path: "/events/count-by/{countable}",
    tags,
    summary: "Count Account Events",
    description:
      "Returns distinct objects and the count of events associated with them.  Objects that can be counted include the day the event occurred, the type of event, or the IDs of the resources associated with the event.",
    request: { params: z.object({ countable: z.string() }), ...jsonBody(Body_count_account_events_events_count_by__countable__post) },
    responses: { 200: jsonResponse(z.array(EventCount)), ...errorResponses(404, 422) },
  }),
  async (c) => {
    const countable = c.req.valid("param").countable;
    const body = c.req.valid("json");
    if (!(COUNTABLES as readonly string[]).includes(countable)) {
      const expected = `${COUNTABLES.slice(0, -1).map((v) => `'${v}'`).join(", ")} or '${COUNTABLES[COUNTABLES.length - 1]}'`;
      return validationErrorResponse(
        c,
        [{ type: "enum", loc: ["path", "countable"], msg: `Input should be ${expected}`, input: countable, ctx: { expected } }],
        await c.req.json().catch(() => null),
      ) as any;
    }
    try {
      await drainBeforeReading(c.var.db);
      const counts = await countEvents(c.var.db, resolveEventFilter(body.filter), countable as Countable, body.time_unit, body.time_interval);
      return c.json(counts, 200);
    } catch (err) {
      if (err instanceof InvalidCountParameters) throw unprocessable(err.message);
      throw err;
    }
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
  new EventsInSession(server, c.env, databaseOf(c.env), authString, handshake, waitUntilOf(c));
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

/** The WebSocket routes (`/events/in`, `/events/out`), mounted before the API's auth (see eventsInSocket). */
export const eventsSocketRouter = createRouter();
eventsSocketRouter.get("/events/in", eventsInSocket);
eventsSocketRouter.get("/events/out", socketServedBy(openEventStreamSocket));
