import type { Db } from "../db/client";
import type { Bindings } from "../env";
import type { StoredEvent } from "../db/queries/events";
import { IncomingEvent, ingestEvents, receive } from "./ingest";
import { timingSafeEqual } from "../lib/constant-time";
import { INTERNAL_ERROR, POLICY_VIOLATION } from "./stream-protocol";
import { parseJsonWithin } from "../lib/request-body";

/** Retries of a failed write before the socket is closed so that the client resends. */
const WRITE_ATTEMPTS = 3;

/**
 * What one socket may have received and not yet written (its messages' characters). A client
 * sending faster than D1 stores is closed with 1013 (try again later) beyond it — the Prefect
 * client reconnects and resends what it has not seen confirmed — instead of the buffer growing.
 */
export const MAX_UNWRITTEN_CHARS = 4 << 20;
const TRY_AGAIN_LATER = 1013;

/**
 * One `/events/in` connection, server side. With the `prefect` subprotocol the first message must
 * be `{"type": "auth", "token": …}` (checked against the auth string when one is set) and is
 * answered `{"type": "auth_success"}`; after it (or at once, in legacy mode without the
 * subprotocol) every message is one Event.
 *
 * Events are written in arrival order by a single drain loop: whatever arrives while a write is
 * in flight is written together in the next batch, and each write is kept alive with waitUntil.
 * If writes keep failing the socket is closed with 1011: the Prefect client then reconnects and
 * resends the events it has not seen confirmed, and ingest is idempotent on event id.
 */
export class EventsInSession {
  private authenticated: boolean;
  private pending: StoredEvent[] = [];
  /** Characters of the messages of `pending`, and of the batch being written. */
  private pendingChars = 0;
  private writingChars = 0;
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly env: Bindings,
    private readonly db: Db,
    private readonly authString: string | undefined,
    handshake: boolean,
    private readonly waitUntil: (p: Promise<unknown>) => void,
    private readonly maxUnwrittenChars = MAX_UNWRITTEN_CHARS,
  ) {
    this.authenticated = !handshake;
    socket.addEventListener("message", (m) => this.onMessage(m.data));
    socket.addEventListener("close", (c) => this.onClose(c.code, c.reason));
    socket.addEventListener("error", () => this.onClose(INTERNAL_ERROR, ""));
  }

  private onMessage(data: string | ArrayBuffer): void {
    if (this.closed) return;
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    let message: any;
    try {
      message = parseJsonWithin(text);
    } catch {
      return this.close(INTERNAL_ERROR, "Invalid JSON");
    }
    if (!this.authenticated) return this.authenticate(message);
    const parsed = IncomingEvent.safeParse(message);
    if (!parsed.success) return this.close(INTERNAL_ERROR, "Invalid event");
    if (this.pendingChars + this.writingChars + text.length > this.maxUnwrittenChars) return this.close(TRY_AGAIN_LATER, "Too many events waiting to be stored");
    this.pending.push(receive(parsed.data));
    this.pendingChars += text.length;
    this.drain();
  }

  private authenticate(message: any): void {
    if (message?.type !== "auth") return this.close(POLICY_VIOLATION, "Expected 'auth' message");
    if (this.authString) {
      const token = message.token;
      if (!token) return this.close(POLICY_VIOLATION, "Auth required but no token provided");
      if (typeof token !== "string" || !timingSafeEqual(token, this.authString))
        return this.close(POLICY_VIOLATION, "Invalid token");
    }
    this.authenticated = true;
    this.socket.send(JSON.stringify({ type: "auth_success" }));
  }

  private drain(): Promise<void> {
    if (!this.draining) {
      this.draining = this.writeAll().finally(() => (this.draining = null));
      this.waitUntil(this.draining);
    }
    return this.draining;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      this.writingChars = this.pendingChars;
      this.pendingChars = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          await ingestEvents(this.env, this.db, batch);
          break;
        } catch (err) {
          if (attempt >= WRITE_ATTEMPTS) {
            console.error("events/in: could not store events", err);
            this.pending = [];
            this.pendingChars = this.writingChars = 0;
            return this.close(INTERNAL_ERROR, "Could not store events");
          }
        }
      }
      this.writingChars = 0;
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    // Events already received are still written: the drain keeps going under waitUntil.
    const reply = () => {
      try {
        this.socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
      } catch {
        // already closed
      }
    };
    if (this.draining) this.draining.then(reply, reply);
    else reply();
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close(code, reason);
    } catch {
      // already closed
    }
  }
}
