import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./db/schema";

export interface Bindings {
  DB: D1Database;
  /** Slot ledgers: one Durable Object per work queue / work pool (src/concurrency/slot-ledger.ts). */
  SLOT_LEDGER: DurableObjectNamespace<import("./concurrency/slot-ledger").SlotLedger>;
  /** One Durable Object per global concurrency limit (src/concurrency/concurrency-limit.ts). */
  CONCURRENCY_LIMIT: DurableObjectNamespace<import("./concurrency/concurrency-limit").ConcurrencyLimit>;
  /** Event and log fan-out to WebSocket subscribers (src/events/event-stream.ts). */
  EVENT_STREAM: DurableObjectNamespace<import("./events/event-stream").EventStream>;
  /** Background task runs for task workers (src/task-queue/task-run-queue.ts). */
  TASK_RUN_QUEUE: DurableObjectNamespace<import("./task-queue/task-run-queue").TaskRunQueue>;
  /** Turns at one run's state for proposals that raced (src/concurrency/run-turns.ts). */
  RUN_TURNS: DurableObjectNamespace<import("./concurrency/run-turns").RunTurns>;
  /** One automation's trigger state (src/events/automations/automation-triggers.ts). */
  AUTOMATION_TRIGGERS: DurableObjectNamespace<import("./events/automations/automation-triggers").AutomationTriggers>;
  /** Triggered actions and notification-policy messages (src/events/automations/contract.ts). */
  AUTOMATION_ACTIONS: Queue<import("./events/automations/contract").AutomationMessage>;
  /** `user:pass`; when set, every /api route but GET /health and /ready requires HTTP Basic auth. */
  PREFECT_API_AUTH_STRING?: string;
  /**
   * CORS (src/lib/cors.ts), Prefect's `server.api.cors_allowed_*` settings: comma-separated
   * origins, methods and request headers allowed cross-origin, each `*` when unset. The
   * PREFECT_SERVER_API_ name wins over its PREFECT_SERVER_ alias, as in Prefect.
   */
  PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS?: string;
  PREFECT_SERVER_CORS_ALLOWED_ORIGINS?: string;
  PREFECT_SERVER_API_CORS_ALLOWED_METHODS?: string;
  PREFECT_SERVER_CORS_ALLOWED_METHODS?: string;
  PREFECT_SERVER_API_CORS_ALLOWED_HEADERS?: string;
  PREFECT_SERVER_CORS_ALLOWED_HEADERS?: string;
  /**
   * The API URL the web UI calls (`/ui-settings`' api_url), Prefect's `server.ui.api_url`
   * (PREFECT_SERVER_UI_API_URL, alias PREFECT_UI_API_URL; else PREFECT_API_URL); unset: this
   * Worker's own origin + `/api`.
   */
  PREFECT_SERVER_UI_API_URL?: string;
  PREFECT_UI_API_URL?: string;
  PREFECT_API_URL?: string;
  /**
   * Prefect's PREFECT_UI_URL: where the UI is (this Worker's origin, e.g. https://x.workers.dev),
   * which automation templates' `ui_url` links build on; unset: inferred from PREFECT_API_URL
   * (without `/api`), else `ui_url` renders None, as on Prefect's server.
   */
  PREFECT_UI_URL?: string;
  /** The largest request body accepted, in bytes (default 16 MiB: src/lib/request-body.ts); larger ones get 413. */
  MAX_REQUEST_BODY_BYTES?: string;
  /**
   * Retention (src/services/db-vacuum/settings.ts), Prefect's settings of the same names: which
   * vacuums run ("events", "flow_runs"), how long events and terminal flow runs are kept, rows
   * per delete, per-event-type retention (JSON), and whether the event persister (and so the
   * events vacuum) is on. Unset: Prefect's defaults.
   */
  PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED?: string;
  PREFECT_SERVER_EVENTS_RETENTION_PERIOD?: string;
  PREFECT_EVENTS_RETENTION_PERIOD?: string;
  PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD?: string;
  PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE?: string;
  PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES?: string;
  PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED?: string;
  PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED?: string;
  /** Benchmarks only: "1" answers each request's D1 round-trip count in `x-d1-round-trips`. */
  COUNT_D1_ROUND_TRIPS?: string;
  /** Tests only: "1" refuses statements beyond production D1's limits (src/lib/d1-limits). */
  CHECK_D1_LIMITS?: string;
}

export interface Variables {
  db: DrizzleD1Database<typeof schema>;
  /** Set on routes that take a JSON body (src/lib/body-reading.ts), for the validation hook. */
  bodyReading?: import("./lib/validation").BodyReading;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
