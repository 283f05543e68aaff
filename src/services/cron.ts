import type { Bindings } from "../env";
import { getDb } from "../db/client";
import { markLateRuns } from "./late-runs";
import { scheduleDeployments } from "./scheduler";
import { cleanUpCancellations } from "./cancellation-cleanup";
import { failExpiredPauses } from "./pause-expirations";
import { drainEventOutbox } from "../events/outbox";
import { refreshPlannerStatistics } from "./planner-statistics";
import { vacuumEvents } from "./db-vacuum/events";
import { vacuumFlowRuns } from "./db-vacuum/flow-runs";

/**
 * Prefect's background services, run from the Worker's Cron Trigger (wrangler.toml, every
 * minute) instead of a server loop. Each service is also callable on its own (and tested so).
 * A failing service does not keep the others from running.
 */
export const SERVICES: Record<string, (env: Bindings) => Promise<unknown>> = {
  "late-runs": (env) => markLateRuns(env, getDb(env.DB)),
  scheduler: (env) => scheduleDeployments(getDb(env.DB)),
  "cancellation-cleanup": (env) => cleanUpCancellations(env, getDb(env.DB)),
  "pause-expirations": (env) => failExpiredPauses(env, getDb(env.DB)),
  "event-persister": (env) => drainEventOutbox(getDb(env.DB)),
  "planner-statistics": (env) => refreshPlannerStatistics(getDb(env.DB)),
  "db-vacuum-events": (env) => vacuumEvents(env, getDb(env.DB)),
  "db-vacuum-flow-runs": (env) => vacuumFlowRuns(env, getDb(env.DB)),
};

export async function runServices(env: Bindings): Promise<void> {
  const results = await Promise.allSettled(Object.values(SERVICES).map((service) => service(env)));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error(`service ${Object.keys(SERVICES)[i]} failed`, r.reason);
  });
}
