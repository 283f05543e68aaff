import { createRouter } from "../lib/router";
import { openTaskRunSubscription } from "../task-queue/client";
import { socketServedBy } from "./support/sockets";

/** The WebSocket task workers subscribe on for scheduled task runs (mounted before the API's auth, see app.ts). */
export const taskRunSubscriptionsSocketRouter = createRouter();
taskRunSubscriptionsSocketRouter.get("/task_runs/subscriptions/scheduled", socketServedBy(openTaskRunSubscription));
