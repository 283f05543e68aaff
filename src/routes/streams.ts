import type { Context, Next } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { forwardUpgrade } from "../events/stream-protocol";
import { eventStreamOf } from "../events/publish";
import { taskRunQueueOf } from "../task-queue/client";

/**
 * The streaming WebSockets: /events/out and /logs/out (served by the EventStream Durable Object)
 * and /task_runs/subscriptions/scheduled (the TaskRunQueue Durable Object). Mounted ahead of the
 * HTTP auth middleware: like Prefect's server, they authenticate in-band with the `prefect`
 * subprotocol's auth message. A plain GET (no upgrade) falls through to the ordinary pipeline.
 */
export const streamsSocketRouter = createRouter();

const isUpgrade = (c: Context<AppEnv>) => c.req.header("upgrade")?.toLowerCase() === "websocket";

function toObject(target: (env: AppEnv["Bindings"]) => { fetch(request: Request): Promise<Response> }) {
  return async (c: Context<AppEnv>, next: Next) => {
    if (!isUpgrade(c)) return next();
    const forwarded = forwardUpgrade(c.req.raw, c.env.PREFECT_API_AUTH_STRING);
    if (forwarded instanceof Response) return forwarded;
    return target(c.env).fetch(forwarded);
  };
}

streamsSocketRouter.get("/events/out", toObject(eventStreamOf));
streamsSocketRouter.get("/logs/out", toObject(eventStreamOf));
streamsSocketRouter.get("/task_runs/subscriptions/scheduled", toObject(taskRunQueueOf));
