import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { scheduleDeployment } from "../services/scheduler";
import { afterResponse } from "../lib/router";
import { UUID_RE } from "../schemas/primitives";

/** Sub-resources whose change affects which runs a deployment should have. */
const CHANGES_SCHEDULING = new Set(["schedules", "resume_deployment", "set_schedule_active"]);


/**
 * The scheduler's on-demand pass (Prefect's "recent deployments" loop): after a deployment or its
 * schedules change successfully, its runs are scheduled right away instead of at the next Cron
 * Trigger. Runs after the response is sent; repeated passes create nothing twice.
 */
export const scheduleAfterChange: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.method === "GET" || c.req.method === "DELETE" || c.res.status >= 300) return;
  const segments = new URL(c.req.url).pathname.split("/").filter(Boolean);
  const i = segments.indexOf("deployments");
  let id = segments[i + 1];
  if (!id || !UUID_RE.test(id)) {
    // Creation: the new deployment's id is in the answer.
    if (segments.length !== i + 1) return;
    id = ((await c.res.clone().json().catch(() => null)) as { id?: string } | null)?.id ?? "";
  }
  if (!UUID_RE.test(id)) return;
  const tail = segments[i + 2];
  if (tail !== undefined && !CHANGES_SCHEDULING.has(tail)) return;
  afterResponse(c, "on-demand scheduling", scheduleDeployment(c.var.db, id));
};
