import { timingSafeEqual } from "../lib/constant-time";
import { parseJsonWithin } from "../lib/request-body";

/**
 * The server side of Prefect's WebSocket protocol (`prefect.server.utilities.subscriptions`),
 * shared by the streaming sockets served from Durable Objects with hibernatable WebSockets.
 *
 * A client that asks for the `prefect` subprotocol must first send `{"type": "auth", "token": …}`;
 * the token is checked against the API auth string when one is configured and the socket answers
 * `{"type": "auth_success"}`. Without the subprotocol, a client is accepted only when no auth string
 * is configured ("legacy" mode, no auth message), and refused before the handshake otherwise.
 *
 * The Worker forwards the upgrade to the Durable Object with the configured auth string in an
 * internal header; the object keeps only its SHA-256 digest with each socket.
 */

export const POLICY_VIOLATION = 1008;
export const PROTOCOL_ERROR = 1002;
export const INTERNAL_ERROR = 1011;

/** Internal headers from the Worker to the Durable Object (never taken from the client). */
export const AUTH_HEADER = "x-prefect-stream-auth";
export const HANDSHAKE_HEADER = "x-prefect-stream-handshake";

export function wantsPrefectSubprotocol(request: Request): boolean {
  return (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .includes("prefect");
}

/**
 * The request to hand to a Durable Object for a WebSocket upgrade, or a refusal: 403 when the
 * client did not ask for the `prefect` subprotocol while an auth string is configured.
 */
export function forwardUpgrade(request: Request, authString: string | undefined): Request | Response {
  const handshake = wantsPrefectSubprotocol(request);
  if (!handshake && authString) return new Response(null, { status: 403 });
  const headers = new Headers();
  headers.set("upgrade", "websocket");
  headers.set(HANDSHAKE_HEADER, handshake ? "1" : "0");
  if (authString) headers.set(AUTH_HEADER, authString);
  return new Request(request.url, { method: "GET", headers });
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the Durable Object keeps of the handshake: whether auth is pending, and the digest to check. */
export interface HandshakeState {
  /** The socket still owes its auth message. */
  awaitingAuth: boolean;
  /** SHA-256 of the configured auth string, or null when none is configured. */
  authDigest: string | null;
}

export async function handshakeOf(request: Request): Promise<HandshakeState> {
  const auth = request.headers.get(AUTH_HEADER);
  return {
    awaitingAuth: request.headers.get(HANDSHAKE_HEADER) === "1",
    authDigest: auth ? await sha256Hex(auth) : null,
  };
}

/** Checks an auth message: null when accepted, else the close reason (code 1008). */
export async function checkAuth(message: any, authDigest: string | null): Promise<string | null> {
  if (!message || typeof message !== "object" || message.type !== "auth") return "Expected 'auth' message";
  if (!authDigest) return null;
  const token = message.token;
  if (!token) return "Auth required but no token provided";
  if (typeof token !== "string" || !timingSafeEqual(await sha256Hex(token), authDigest)) return "Invalid token";
  return null;
}

/** A 101 answer carrying the server end's peer, with the subprotocol when the client asked for it. */
export function upgraded(client: WebSocket, handshake: boolean): Response {
  return new Response(null, {
    status: 101,
    webSocket: client,
    headers: handshake ? { "Sec-WebSocket-Protocol": "prefect" } : {},
  });
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function closeReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  let cut = 123;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.slice(0, cut));
}

export function safeClose(ws: WebSocket, code: number, reason = ""): void {
  try {
    ws.close(code, closeReason(reason));
  } catch {
    // already closed
  }
}

/** Sends JSON; false when the socket is gone. */
export function safeSend(ws: WebSocket, message: unknown): boolean {
  try {
    ws.send(JSON.stringify(message));
    return true;
  } catch {
    return false;
  }
}

export function parseMessage(data: string | ArrayBuffer): { ok: true; value: any } | { ok: false } {
  try {
    return { ok: true, value: parseJsonWithin(typeof data === "string" ? data : new TextDecoder().decode(data)) };
  } catch {
    return { ok: false };
  }
}

/** A short, pydantic-like description of a zod error, for "Invalid filter: …" close reasons. */
export function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const n = error.issues.length;
  const first = error.issues[0];
  const where = first?.path.map(String).join(".") || "filter";
  return `${n} validation error${n === 1 ? "" : "s"}: ${where}: ${first?.message ?? "invalid"}`;
}
