import type { Context, Next } from "hono";
import type { AppEnv } from "../../env";
import { forwardUpgrade } from "../../events/stream-protocol";

const isUpgrade = (c: Context<AppEnv>) => c.req.header("upgrade")?.toLowerCase() === "websocket";

/**
 * A streaming WebSocket served by a Durable Object (/events/out and /logs/out by the EventStream,
 * /task_runs/subscriptions/scheduled by the TaskRunQueue). Its router is mounted ahead of the HTTP
 * auth middleware (app.ts): like Prefect's server, the socket authenticates in-band with the
 * `prefect` subprotocol's auth message. A plain GET (no upgrade) falls through to the ordinary
 * pipeline.
 */
export function socketServedBy(open: (env: AppEnv["Bindings"], upgrade: Request) => Promise<Response>) {
  return async (c: Context<AppEnv>, next: Next) => {
    if (!isUpgrade(c)) return next();
    const forwarded = forwardUpgrade(c.req.raw, c.env.PREFECT_API_AUTH_STRING);
    if (forwarded instanceof Response) return forwarded;
    return open(c.env, forwarded);
  };
}
