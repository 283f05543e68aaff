import { HTTPException } from "hono/http-exception";
import { createRouter } from "./lib/router";
import { ApiError } from "./lib/errors";
import { basicAuth, jsonBodyGuard } from "./lib/middleware";
import { cors } from "./lib/cors";
import type { Context, Next } from "hono";
import type { AppEnv } from "./env";
import { databaseOf, d1Binding, getDb } from "./db/client";
import { withQueryBudget } from "./lib/d1-limits/checked-d1";
import { storageRefusal } from "./db/row-guard";
import { CircularSchemaRefError } from "./lib/schema-tools";
import { countingD1, countRoundTrips } from "./lib/d1-counter";
import { PREFECT_VERSION } from "./lib/version";
import { rootRouter } from "./routes/root";
import { adminRouter } from "./routes/admin";
import { flowsRouter } from "./routes/flows";
import { workPoolsRouter } from "./routes/work-pools";
import { workPoolQueuesRouter } from "./routes/work-pools.queues";
import { workPoolWorkersRouter } from "./routes/work-pools.workers";
import { workPoolRunsRouter } from "./routes/work-pools.runs";
import { workQueuesRouter } from "./routes/work-queues";
import { workQueueRunsRouter } from "./routes/work-queues.runs";
import { collectionsRouter } from "./routes/collections";
import { eventsRouter, eventsSocketRouter } from "./routes/events";
import { logsRouter, logsSocketRouter } from "./routes/logs";
import { flowRunsRouter } from "./routes/flow-runs";
import { flowRunSetStateRouter } from "./routes/flow-runs.set-state";
import { taskRunsRouter } from "./routes/task-runs";
import { flowRunStatesRouter } from "./routes/flow-run-states";
import { taskRunStatesRouter } from "./routes/task-run-states";
import { deploymentsRouter } from "./routes/deployments";
import { deploymentSchedulesRouter } from "./routes/deployments.schedules";
import { deploymentRunsRouter } from "./routes/deployments.runs";
import { concurrencyLimitsV2Router } from "./routes/v2-concurrency-limits";
import { variablesRouter } from "./routes/variables";
import { savedSearchesRouter } from "./routes/saved-searches";
import { notificationPoliciesRouter } from "./routes/flow-run-notification-policies";
import { artifactsRouter } from "./routes/artifacts";
import { automationsRouter } from "./routes/automations";
import { uiRouter } from "./routes/ui";
import { taskWorkersRouter } from "./routes/task-workers";
import { blockTypesRouter } from "./routes/block-types";
import { blockSchemasRouter } from "./routes/block-schemas";
import { blockCapabilitiesRouter } from "./routes/block-capabilities";
import { blockDocumentsRouter } from "./routes/block-documents";
import { concurrencyLimitsRouter } from "./routes/concurrency-limits";
import { taskRunSubscriptionsSocketRouter } from "./routes/task-runs.subscriptions";
import { uiSettingsRouter } from "./routes/ui-settings";

/**
 * The WebSocket routes: their handshakes authenticate in-band, as on Prefect's server, so they are
 * mounted before basicAuth.
 */
const socketRouters = [eventsSocketRouter, logsSocketRouter, taskRunSubscriptionsSocketRouter];

/** Every resource router, mounted under /api. Add new routers here. */
const routers = [
  rootRouter,
  adminRouter,
  flowsRouter,
  workPoolsRouter,
  workPoolQueuesRouter,
  workPoolWorkersRouter,
  workPoolRunsRouter,
  workQueuesRouter,
  workQueueRunsRouter,
  collectionsRouter,
  eventsRouter,
  logsRouter,
  flowRunsRouter,
  flowRunSetStateRouter,
  taskRunsRouter,
  flowRunStatesRouter,
  taskRunStatesRouter,
  deploymentsRouter,
  deploymentSchedulesRouter,
  deploymentRunsRouter,
  concurrencyLimitsV2Router,
  variablesRouter,
  savedSearchesRouter,
  notificationPoliciesRouter,
  artifactsRouter,
  automationsRouter,
  uiRouter,
  taskWorkersRouter,
  blockTypesRouter,
  blockSchemasRouter,
  blockCapabilitiesRouter,
  blockDocumentsRouter,
  concurrencyLimitsRouter,
];

/** The request's drizzle handle; with COUNT_D1_ROUND_TRIPS, its round trips answered in `x-d1-round-trips`. */
async function withDatabase(c: Context<AppEnv>, next: Next): Promise<void> {
  if (c.env.COUNT_D1_ROUND_TRIPS !== "1" || !c.req.header("x-count-d1-round-trips")) {
    c.set("db", databaseOf(c.env));
    return next();
  }
  c.set("db", getDb(countingD1(d1Binding(c.env))));
  const roundTrips = await countRoundTrips(next);
  c.res.headers.set("x-d1-round-trips", String(roundTrips));
}

export function createApp() {
  const api = createRouter();

  for (const router of socketRouters) api.route("/", router);
  api.use("*", basicAuth);
  api.use("*", async (c, next) => {
    if (c.env.CHECK_D1_LIMITS === "1") return withQueryBudget(() => withDatabase(c, next));
    return withDatabase(c, next);
  });
  api.use("*", jsonBodyGuard);

  for (const router of routers) api.route("/", router);

  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Prefect REST API (Cloudflare Workers)", version: PREFECT_VERSION },
    servers: [{ url: "/api" }],
  });
  api.get("/docs", (c) => c.html(SWAGGER_HTML));

  api.notFound((c) => c.json({ detail: "Not Found" }, 404));
  api.onError((err, c) => {
    if (err instanceof ApiError) return err.toResponse(c);
    // Prefect answers its schema validation's CircularSchemaRefError with this 422 wherever it can arise.
    if (err instanceof CircularSchemaRefError) return c.json({ detail: err.message }, 422);
    const refusal = storageRefusal(err);
    if (refusal) return refusal.toResponse(c);
    if (err instanceof HTTPException) {
      return c.json({ detail: err.message || "Error" }, err.status);
    }
    console.error("unhandled error", err);
    return c.json({ exception_message: "Internal Server Error" }, 500);
  });

  const app = createRouter();
  app.use("*", cors);
  app.route("/", uiSettingsRouter);
  app.route("/api", api);
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));
  return app;
}

const SWAGGER_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Prefect REST API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger" });</script>
</body></html>`;
