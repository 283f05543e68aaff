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
  /** `user:pass`; when set, every route but /health and /ready requires HTTP Basic auth. */
  PREFECT_API_AUTH_STRING?: string;
  /** The largest request body accepted, in bytes (default 16 MiB: src/lib/request-body.ts); larger ones get 413. */
  MAX_REQUEST_BODY_BYTES?: string;
  /** Benchmarks only: "1" answers each request's D1 round-trip count in `x-d1-round-trips`. */
  COUNT_D1_ROUND_TRIPS?: string;
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
