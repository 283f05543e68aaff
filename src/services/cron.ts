import type { Bindings } from "../env";
import { databaseOf } from "../db/client";
import { withQueryBudget } from "../lib/d1-limits/checked-d1";
import { markLateRuns } from "./late-runs";
import { scheduleDeployments } from "./scheduler";
import { cleanUpCancellations } from "./cancellation-cleanup";
import { failExpiredPauses } from "./pause-expirations";
import { drainEventOutbox } from "../events/outbox";
import { refreshPlannerStatistics } from "./planner-statistics";
import { vacuumEvents } from "./db-vacuum/events";
import { vacuumFlowRuns } from "./db-vacuum/flow-runs";
import { vacuumActionRuns } from "./db-vacuum/automation-action-runs";

/**
 * Prefect's background services, run from the Worker's Cron Trigger (wrangler.toml, every
 * minute) instead of a server loop. Each service is also callable on its own (and tested so).
 * A failing service does not keep the others from running.
 */
export const SERVICES: Record<string, (env: Bindings) => Promise<unknown>> = {
  "late-runs": (env) => markLateRuns(env, databaseOf(env)),
  scheduler: (env) => scheduleDeployments(databaseOf(env)),
  "cancellation-cleanup": (env) => cleanUpCancellations(env, databaseOf(env)),
  "pause-expirations": (env) => failExpiredPauses(env, databaseOf(env)),
  "event-persister": (env) => drainEventOutbox(databaseOf(env)),
  "planner-statistics": (env) => refreshPlannerStatistics(databaseOf(env)),
  "db-vacuum-events": (env) => vacuumEvents(env, databaseOf(env)),
  "db-vacuum-flow-runs": (env) => vacuumFlowRuns(env, databaseOf(env)),
  "db-vacuum-automation-action-runs": (env) => vacuumActionRuns(databaseOf(env)),
};

export async function runServices(env: Bindings): Promise<void> {
  const results = await withQueryBudget(() => Promise.allSettled(Object.values(SERVICES).map((service) => service(env))));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error(`service ${Object.keys(SERVICES)[i]} failed`, r.reason);
  });
}
