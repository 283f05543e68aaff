import { DurableObject } from "cloudflare:workers";
import { SocketInbox } from "./socket-inbox";
import type { Bindings } from "../env";
import { databaseOf } from "../db/client";
import type { StoredEvent } from "../db/queries/events";
import { readEvents, toReceivedEvent } from "../db/queries/events-read";
import { eachPiece } from "../lib/pieces";
import { clampSince, eventMatches, resolveEventFilter, type ResolvedEventFilter } from "../db/filters/events";
import { EventFilter, LogFilter, type Log } from "../schemas/prefect.gen";
import { logMatches } from "./log-filter";
import { drainBeforeReading } from "./outbox";
import { SUBSCRIBERS_TTL_MS } from "./publish";
import { toIso } from "../lib/time";
import {
  checkAuth,
  describeIssues,
  handshakeOf,
  INTERNAL_ERROR,
  parseMessage,
  POLICY_VIOLATION,
  PROTOCOL_ERROR,
  safeClose,
  safeSend,
  upgraded,
} from "./stream-protocol";

type Kind = "events" | "logs";
type Stage = "auth" | "filter" | "live";
type Filter = ResolvedEventFilter | LogFilter;

/** What each socket carries across hibernation (serializeAttachment, at most 2 KiB). */
interface Attachment {
  id: string;
  kind: Kind;
  stage: Stage;
  authDigest: string | null;
  /** When the socket was opened (epoch ms): a subscription without backfill catches up from then. */
  connectedAt: number;
  /** The subscriber's filter, when small enough to travel with the socket; else in storage. */
  filter?: Filter;
  stored?: boolean;
}

/** How far back an /events/out backfill may look (PREFECT_EVENTS_MAXIMUM_WEBSOCKET_BACKFILL). */
export const MAXIMUM_WEBSOCKET_BACKFILL_MS = 15 * 60 * 1000;
/** Page size of the backfill's queries (PREFECT_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE). */
export const WEBSOCKET_BACKFILL_PAGE_SIZE = 250;
/** serializeAttachment's limit is 2048 bytes; larger filters are kept in storage. */
const ATTACHMENT_BUDGET = 1800;

const filterKey = (id: string) => `filter:${id}`;

/** A socket's identity across messages: the id in its attachment. */
const socketKey = (ws: WebSocket) => (ws.deserializeAttachment() as Attachment | null)?.id ?? "";

/** Slack for clocks between publishers and this object. */
const CLOCK_MARGIN_MS = 250;

/**
 * Live events held for one socket while its backfill runs; beyond it they are dropped, as
 * Prefect's server drops what no longer fits a subscriber's queue (its SUBSCRIPTION_BACKLOG).
 */
export const SUBSCRIPTION_BACKLOG = 256;

/**
 * A backfilled event may still arrive live (it was stored, but not yet published, when the backfill
 * read it): its id is kept to drop that copy — only for events received from this long before the
 * socket subscribed, and until this long after its backfill ended (Prefect's clients drop
 * duplicates by id anyway), and at most BACKFILL_IDS_KEPT of them.
 */
export const BACKFILL_DEDUPE_MS = 10_000;
export const BACKFILL_IDS_KEPT = 10_000;

/**
 * Fan-out of events (/events/out) and logs (/logs/out) to WebSocket subscribers, one object for
 * all of them, with hibernatable WebSockets: a socket's protocol stage and filter travel in its
 * attachment, so the object may sleep between messages.
 *
 * Protocol, as Prefect's server: the auth handshake (see stream-protocol.ts), then one
 * `{"type": "filter", "filter": …}` message (anything else closes the socket with 1002), then the
 * server sends `{"type": "event", "event": …}` (or `{"type": "log", "log": …}`) for everything
 * published that matches. For events, the filter's `since` is clamped to the last 15 minutes, the
 * order is ascending and, unless the message says `"backfill": false`, the matching events already
 * stored are sent first; events published meanwhile are held back and sent after the backfill,
 * without the ones it already sent. Logs have no backfill.
 */
export class EventStream extends DurableObject<Bindings> {
  /** Per socket, by its attachment id (a hibernatable socket may arrive as different objects). */
  private filters = new Map<string, Filter>();
  /** Sockets whose backfill is running: live events matching them wait here (SUBSCRIPTION_BACKLOG at most). */
  private backfilling = new Map<string, StoredEvent[]>();
  /** Recent ids the backfill sent, so that a late live copy is not sent again (see BACKFILL_DEDUPE_MS). */
  private backfilled = new Map<string, { ids: Set<string>; until: number }>();

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response(null, { status: 426 });
    const kind: Kind = new URL(request.url).pathname.endsWith("/logs/out") ? "logs" : "events";
    const handshake = await handshakeOf(request);
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [kind]);
    const attachment: Attachment = {
      id: crypto.randomUUID(),
      kind,
      stage: handshake.awaitingAuth ? "auth" : "filter",
      authDigest: handshake.authDigest,
      connectedAt: Date.now(),
    };
    server.serializeAttachment(attachment);
    return upgraded(client, handshake.awaitingAuth);
  }

  /** Each socket's messages are handled one after another (see SocketInbox). */
  private readonly inbox = new SocketInbox();

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.inbox.handle(ws, () => this.handleMessage(ws, data));
  }

  private async handleMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att || att.stage === "live") return; // Subscribers have nothing more to say.
    const message = parseMessage(data);
    if (!message.ok) return safeClose(ws, INTERNAL_ERROR, "Invalid JSON");
    if (att.stage === "auth") {
      const refused = await checkAuth(message.value, att.authDigest);
      if (refused) return safeClose(ws, POLICY_VIOLATION, refused);
      ws.serializeAttachment({ ...att, stage: "filter" });
      safeSend(ws, { type: "auth_success" });
      return;
    }
    const msg = message.value;
    if (!msg || typeof msg !== "object" || msg.type !== "filter") return safeClose(ws, PROTOCOL_ERROR, "Expected 'filter' message");
    if (att.kind === "logs") {
      const parsed = LogFilter.safeParse(msg.filter ?? {});
      if (!parsed.success) return safeClose(ws, PROTOCOL_ERROR, `Invalid filter: ${describeIssues(parsed.error)}`);
      await this.subscribe(ws, att, parsed.data);
      return;
    }
    const parsed = EventFilter.safeParse(msg.filter ?? {});
    if (!parsed.success) return safeClose(ws, PROTOCOL_ERROR, `Invalid filter: ${describeIssues(parsed.error)}`);
    const filter: ResolvedEventFilter = { ...clampSince(resolveEventFilter(parsed.data), MAXIMUM_WEBSOCKET_BACKFILL_MS), order: "ASC" };
    const wantsBackfill = "backfill" in msg ? Boolean(msg.backfill) : true;
    if (!isOpen(ws)) return; // closed while its messages waited: nothing to keep for it
    this.backfilling.set(att.id, []);
    await this.subscribe(ws, att, filter);
    if (!isOpen(ws)) return;
    // Isolates that have not yet heard of this socket store events without publishing them
    // (see SUBSCRIBERS_TTL_MS): once they must have, what they stored is read back. Without a
    // backfill, that catch-up covers what arrived from a little before the socket was opened (an
    // event is stamped before it is stored; clocks differ): a few early events rather than a loss.
    await new Promise((resolve) => setTimeout(resolve, SUBSCRIBERS_TTL_MS + CLOCK_MARGIN_MS));
    if (!isOpen(ws)) return; // dropped while waiting: no backfill to read
    const catchUpFrom = (att.connectedAt ?? Date.now()) - SUBSCRIBERS_TTL_MS - CLOCK_MARGIN_MS;
    await this.backfill(ws, att.id, wantsBackfill ? filter : { ...filter, receivedSince: toIso(catchUpFrom) }, att.connectedAt ?? Date.now());
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.forget(ws);
    safeClose(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.forget(ws);
  }

  /** Fans stored events out to the /events/out subscribers whose filters match them. */
  async publishEvents(events: StoredEvent[]): Promise<number> {
    let sent = 0;
    for (const ws of this.ctx.getWebSockets("events")) {
      const filter = (await this.filterOf(ws)) as ResolvedEventFilter | null;
      if (!filter) continue;
      const key = socketKey(ws);
      const held = this.backfilling.get(key);
      for (const e of events) {
        if (!eventMatches(filter, e)) continue;
        if (held) {
          if (held.length < SUBSCRIPTION_BACKLOG) held.push(e);
          continue;
        }
        if (this.isBackfilled(key, e.id)) continue;
        if (safeSend(ws, { type: "event", event: toReceivedEvent(e) })) sent++;
      }
    }
    return sent;
  }

  /** Fans stored logs out to the /logs/out subscribers whose filters match them. */
  async publishLogs(logs: Log[]): Promise<number> {
    let sent = 0;
    for (const ws of this.ctx.getWebSockets("logs")) {
      const filter = (await this.filterOf(ws)) as LogFilter | null;
      if (!filter) continue;
      for (const log of logs) if (logMatches(filter, log) && safeSend(ws, { type: "log", log })) sent++;
    }
    return sent;
  }

  /** Open /events/out sockets, subscribed or about to be (publishers ask before publishing). */
  async eventSockets(): Promise<number> {
    return this.ctx.getWebSockets("events").length;
  }

  /** Live subscribers, by kind (for tests and diagnostics). */
  async subscribers(): Promise<{ events: number; logs: number }> {
    const live = (kind: Kind) =>
      this.ctx.getWebSockets(kind).filter((ws) => (ws.deserializeAttachment() as Attachment | null)?.stage === "live").length;
    return { events: live("events"), logs: live("logs") };
  }

  /** What this object holds in memory for its sockets (for tests and diagnostics). */
  async held(): Promise<{ filters: number; backfilling: number; heldEvents: number; backfilled: number; backfilledIds: number }> {
    const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);
    return {
      filters: this.filters.size,
      backfilling: this.backfilling.size,
      heldEvents: sum([...this.backfilling.values()].map((h) => h.length)),
      backfilled: this.backfilled.size,
      backfilledIds: sum([...this.backfilled.values()].map((b) => b.ids.size)),
    };
  }

  private async subscribe(ws: WebSocket, att: Attachment, filter: Filter): Promise<void> {
    const small = JSON.stringify(filter).length <= ATTACHMENT_BUDGET;
    if (!small) await this.ctx.storage.put(filterKey(att.id), filter);
    // Closed meanwhile: its forget() ran before the filter was stored.
    if (!isOpen(ws)) return this.forgetId(att.id, !small);
    ws.serializeAttachment({ ...att, stage: "live", filter: small ? filter : undefined, stored: !small } satisfies Attachment);
    this.filters.set(att.id, filter);
  }

  /** Whether a live copy of event `id` was already sent by socket `key`'s backfill (then forgets the id). */
  private isBackfilled(key: string, id: string): boolean {
    const sent = this.backfilled.get(key);
    if (!sent) return false;
    if (Date.now() > sent.until) {
      this.backfilled.delete(key);
      return false;
    }
    return sent.ids.delete(id);
  }

  private async backfill(ws: WebSocket, key: string, filter: ResolvedEventFilter, connectedAt: number): Promise<void> {
    // Only an event received shortly before the socket subscribed, or since, can still arrive live.
    const recentFrom = toIso(connectedAt - BACKFILL_DEDUPE_MS);
    const sentIds = new Set<string>();
    const db = databaseOf(this.env);
    await drainBeforeReading(db);
    try {
      for (let offset = 0; ; offset += WEBSOCKET_BACKFILL_PAGE_SIZE) {
        let read = 0;
        // Piece by piece (page.ts): the object holds about one piece of events at a time.
        for await (const piece of eachPiece(await readEvents(db, filter, WEBSOCKET_BACKFILL_PAGE_SIZE, offset)))
          for (const event of piece) {
            read++;
            if (!safeSend(ws, { type: "event", event })) return;
            if (event.received < recentFrom) continue;
            sentIds.add(event.id);
            if (sentIds.size > BACKFILL_IDS_KEPT) sentIds.delete(sentIds.values().next().value!);
          }
        if (read < WEBSOCKET_BACKFILL_PAGE_SIZE) break;
      }
    } catch (err) {
      console.error("events/out: backfill failed", err);
    } finally {
      const held = this.backfilling.get(key);
      this.backfilling.delete(key);
      // A socket closed meanwhile has been forgotten: nothing to send, nothing to remember.
      if (held && isOpen(ws)) {
        for (const e of held) {
          if (sentIds.delete(e.id)) continue;
          safeSend(ws, { type: "event", event: toReceivedEvent(e) });
        }
        if (sentIds.size) this.backfilled.set(key, { ids: sentIds, until: Date.now() + BACKFILL_DEDUPE_MS });
      }
    }
  }

  private async filterOf(ws: WebSocket): Promise<Filter | null> {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att || att.stage !== "live") return null;
    const cached = this.filters.get(att.id);
    if (cached) return cached;
    const filter = att.filter ?? (att.stored ? ((await this.ctx.storage.get<Filter>(filterKey(att.id))) ?? null) : null);
    if (filter) this.filters.set(att.id, filter);
    return filter;
  }

  private async forget(ws: WebSocket): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment | null;
    await this.forgetId(socketKey(ws), Boolean(att?.stored));
  }

  private async forgetId(key: string, stored: boolean): Promise<void> {
    this.filters.delete(key);
    this.backfilling.delete(key);
    this.backfilled.delete(key);
    if (stored) await this.ctx.storage.delete(filterKey(key));
  }
}

/** Whether the socket can still be sent to (not closing or closed). */
const isOpen = (ws: WebSocket) => ws.readyState === WebSocket.OPEN;
