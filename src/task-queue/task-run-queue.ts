import { DurableObject } from "cloudflare:workers";
import { SocketInbox } from "../events/socket-inbox";
import type { Bindings } from "../env";
import { isoNow } from "../lib/time";
import type { TaskRun, TaskWorkerResponse } from "../schemas/prefect.gen";
import { checkAuth, handshakeOf, INTERNAL_ERROR, parseMessage, POLICY_VIOLATION, safeClose, upgraded } from "../events/stream-protocol";

/** Prefect closes task-worker sockets that break the protocol with this code. */
const PROTOCOL_VIOLATION = 4001;

type Stage = "auth" | "subscribe" | "ready";

interface Attachment {
  id: string;
  stage: Stage;
  authDigest: string | null;
}

type SubscriberRow = {
  id: string;
  client_id: string;
  keys: string;
  inflight: string | null;
  inflight_key: string | null;
  served: number;
};

/**
 * Background task runs handed to task workers (/task_runs/subscriptions/scheduled), and the
 * registry of connected task workers (POST /task_workers/filter). One object for all task keys,
 * with a scheduled and a retry queue per key, kept in the object's SQLite storage (so, unlike
 * Prefect's in-memory queues, they survive restarts), and hibernatable WebSockets.
 *
 * Protocol, as Prefect's server: the auth handshake, then `{"type": "subscribe", "keys": [...],
 * "client_id": "..."}` (a missing type, keys or client id closes with 4001). The server then sends
 * one TaskRun at a time from the subscribed keys (in the order the keys were given, the retry
 * queue of a key before its scheduled queue) and waits for `{"type": "ack"}` before sending the
 * next. A run sent but not acknowledged when the socket goes away goes back to its key's retry
 * queue, as does one the worker answers with `{"type": "quit"}` (which closes the socket) or with
 * anything but an ack (closed with 4001).
 */
export class TaskRunQueue extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS queued (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      task_key TEXT NOT NULL,
      retry INTEGER NOT NULL,
      task_run_id TEXT NOT NULL,
      body TEXT NOT NULL
    )`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS queued_by_key ON queued (task_key, retry DESC, seq)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS subscribers (
      id TEXT PRIMARY KEY,
      client_id TEXT NOT NULL,
      keys TEXT NOT NULL,
      inflight TEXT,
      inflight_key TEXT,
      served INTEGER NOT NULL DEFAULT 0
    )`);
  }

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response(null, { status: 426 });
    const handshake = await handshakeOf(request);
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({
      id: crypto.randomUUID(),
      stage: handshake.awaitingAuth ? "auth" : "subscribe",
      authDigest: handshake.authDigest,
    } satisfies Attachment);
    return upgraded(client, handshake.awaitingAuth);
  }

  /** Queues a task run under its key (the retry queue is served first). */
  async enqueue(taskRun: TaskRun, retry = false): Promise<void> {
    this.sql.exec(
      `INSERT INTO queued (task_key, retry, task_run_id, body) VALUES (?, ?, ?, ?)`,
      taskRun.task_key,
      retry ? 1 : 0,
      taskRun.id,
      JSON.stringify(taskRun),
    );
    this.dispatch();
  }

  /** Connected task workers, optionally only those serving one of `taskKeys`. */
  async workers(taskKeys: string[] | null = null): Promise<TaskWorkerResponse[]> {
    const byClient = new Map<string, Set<string>>();
    for (const row of this.sql.exec<Pick<SubscriberRow, "client_id" | "keys">>(`SELECT client_id, keys FROM subscribers ORDER BY rowid`)) {
      const keys = byClient.get(row.client_id) ?? new Set<string>();
      for (const k of JSON.parse(row.keys) as string[]) keys.add(k);
      byClient.set(row.client_id, keys);
    }
    // Prefect re-observes connected workers every second: their timestamp is, in effect, now.
    const now = isoNow();
    const out: TaskWorkerResponse[] = [];
    for (const [identifier, keys] of byClient) {
      if (taskKeys?.length && !taskKeys.some((k) => keys.has(k))) continue;
      out.push({ identifier, task_keys: [...keys], timestamp: now });
    }
    return out;
  }

  /** Queued runs per key (for tests and diagnostics). */
  async queued(taskKey: string): Promise<{ scheduled: string[]; retry: string[] }> {
    const rows = this.sql.exec<{ task_run_id: string; retry: number }>(
      `SELECT task_run_id, retry FROM queued WHERE task_key = ? ORDER BY retry DESC, seq`,
      taskKey,
    );
    const out = { scheduled: [] as string[], retry: [] as string[] };
    for (const r of rows) (r.retry ? out.retry : out.scheduled).push(r.task_run_id);
    return out;
  }

  /** Each socket's messages are handled one after another (see SocketInbox). */
  private readonly inbox = new SocketInbox();

  async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.inbox.handle(ws, () => this.handleMessage(ws, data));
  }

  private async handleMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att) return;
    const message = parseMessage(data);
    if (att.stage === "auth") {
      if (!message.ok) return this.drop(ws, INTERNAL_ERROR, "Invalid JSON");
      const refused = await checkAuth(message.value, att.authDigest);
      if (refused) return this.drop(ws, POLICY_VIOLATION, refused);
      ws.serializeAttachment({ ...att, stage: "subscribe" } satisfies Attachment);
      ws.send(JSON.stringify({ type: "auth_success" }));
      return;
    }
    if (att.stage === "subscribe") {
      if (!message.ok) return this.drop(ws, INTERNAL_ERROR, "Invalid JSON");
      return this.subscribe(ws, att, message.value);
    }
    const row = this.subscriber(att.id);
    // Between deliveries Prefect's server is not reading: anything said then is ignored.
    if (!row?.inflight) return;
    const type = message.ok ? message.value?.type : undefined;
    if (type === "ack") {
      this.sql.exec(`UPDATE subscribers SET inflight = NULL, inflight_key = NULL WHERE id = ?`, att.id);
      this.dispatch();
      return;
    }
    if (type === "quit") return this.drop(ws, 1000, "");
    return this.drop(ws, PROTOCOL_VIOLATION, "Protocol violation: expected 'ack' message");
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.forget(ws);
    safeClose(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    this.forget(ws);
  }

  private subscribe(ws: WebSocket, att: Attachment, message: any): void {
    if (!message || typeof message !== "object" || message.type !== "subscribe")
      return this.drop(ws, PROTOCOL_VIOLATION, "Protocol violation: expected 'subscribe' message");
    const keys = message.keys;
    if (!Array.isArray(keys) || !keys.length || !keys.every((k) => typeof k === "string"))
      return this.drop(ws, PROTOCOL_VIOLATION, "Protocol violation: expected 'keys' in subscribe message");
    const clientId = message.client_id;
    if (!clientId || typeof clientId !== "string")
      return this.drop(ws, PROTOCOL_VIOLATION, "Protocol violation: expected 'client_id' in subscribe message");
    this.sql.exec(
      `INSERT OR REPLACE INTO subscribers (id, client_id, keys, inflight, inflight_key, served) VALUES (?, ?, ?, NULL, NULL, 0)`,
      att.id,
      clientId,
      JSON.stringify([...new Set(keys)]),
    );
    ws.serializeAttachment({ ...att, stage: "ready" } satisfies Attachment);
    this.dispatch();
  }

  private subscriber(id: string): SubscriberRow | null {
    return this.sql.exec<SubscriberRow>(`SELECT * FROM subscribers WHERE id = ?`, id).toArray()[0] ?? null;
  }

  private socketsById(): Map<string, WebSocket> {
    const out = new Map<string, WebSocket>();
    for (const ws of this.ctx.getWebSockets()) {
      const att = ws.deserializeAttachment() as Attachment | null;
      if (att) out.set(att.id, ws);
    }
    return out;
  }

  /** The next run for these keys: key by key, retries first. */
  private take(keys: string[]): { seq: number; task_key: string; body: string } | null {
    for (const key of keys) {
      const row = this.sql
        .exec<{ seq: number; task_key: string; body: string }>(
          `SELECT seq, task_key, body FROM queued WHERE task_key = ? ORDER BY retry DESC, seq LIMIT 1`,
          key,
        )
        .toArray()[0];
      if (row) return row;
    }
    return null;
  }

  /** Hands queued runs to idle subscribers, least recently served first, until none can take one. */
  private dispatch(): void {
    const sockets = this.socketsById();
    for (;;) {
      let delivered = false;
      const idle = this.sql.exec<SubscriberRow>(`SELECT * FROM subscribers WHERE inflight IS NULL ORDER BY served, rowid`).toArray();
      for (const sub of idle) {
        const ws = sockets.get(sub.id);
        if (!ws) {
          this.sql.exec(`DELETE FROM subscribers WHERE id = ?`, sub.id);
          continue;
        }
        const next = this.take(JSON.parse(sub.keys));
        if (!next) continue;
        this.sql.exec(`DELETE FROM queued WHERE seq = ?`, next.seq);
        try {
          ws.send(next.body);
        } catch {
          // The socket went away: the run goes back for another worker.
          this.requeue(next.task_key, next.body);
          this.sql.exec(`DELETE FROM subscribers WHERE id = ?`, sub.id);
          continue;
        }
        this.sql.exec(
          `UPDATE subscribers SET inflight = ?, inflight_key = ?, served = ? WHERE id = ?`,
          next.body,
          next.task_key,
          Date.now() * 1000 + (this.counter++ % 1000),
          sub.id,
        );
        delivered = true;
      }
      if (!delivered) return;
    }
  }

  private counter = 0;

  private requeue(taskKey: string, body: string): void {
    const id = (JSON.parse(body) as { id: string }).id;
    this.sql.exec(`INSERT INTO queued (task_key, retry, task_run_id, body) VALUES (?, 1, ?, ?)`, taskKey, id, body);
  }

  /** A socket that is gone: its unacknowledged run goes to the retry queue, for another worker. */
  private forget(ws: WebSocket): void {
    const att = ws.deserializeAttachment() as Attachment | null;
    if (!att) return;
    const row = this.subscriber(att.id);
    if (!row) return;
    this.sql.exec(`DELETE FROM subscribers WHERE id = ?`, att.id);
    if (row.inflight && row.inflight_key) {
      this.requeue(row.inflight_key, row.inflight);
      this.dispatch();
    }
  }

  private drop(ws: WebSocket, code: number, reason: string): void {
    this.forget(ws);
    safeClose(ws, code, reason);
  }
}
