import { env, exports } from "cloudflare:workers";
import { createApp } from "../../src/app";

/** A WebSocket opened on the worker under test, with every message it received (parsed). */
export interface Socket {
  status: number;
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * Opens `path` (under /api) as the SDK does, with the `prefect` subprotocol unless told not to;
 * with `authString`, through an app whose PREFECT_API_AUTH_STRING is set.
 */
export async function openSocket(path: string, opts: { subprotocol?: boolean; authString?: string } = {}): Promise<Socket> {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (opts.subprotocol !== false) headers["Sec-WebSocket-Protocol"] = "prefect";
  const request = new Request(`http://127.0.0.1:8787/api${path}`, { headers });
  const response = opts.authString
    ? await createApp().fetch(request, { ...env, PREFECT_API_AUTH_STRING: opts.authString } as any, {
        waitUntil() {},
        passThroughOnException() {},
        props: {},
      } as any)
    : await (exports as any).default.fetch(request);
  const ws = response.webSocket as WebSocket;
  if (!ws) return { status: response.status } as Socket;
  ws.accept();
  const messages: any[] = [];
  ws.addEventListener("message", (m) => {
    messages.push(JSON.parse(m.data as string));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (c) => resolve({ code: c.code, reason: c.reason })),
  );
  return { status: response.status, ws, messages, closed };
}

export const send = (s: Socket, m: unknown) => s.ws.send(JSON.stringify(m));
