import { createApp } from "./app";
import type { Bindings } from "./env";
import { runServices } from "./services/cron";

export { SlotLedger } from "./durable/slot-ledger";
export { ConcurrencyLimit } from "./durable/concurrency-limit";
export { EventStream } from "./durable/event-stream";
export { TaskRunQueue } from "./durable/task-run-queue";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext) {
    ctx.waitUntil(runServices(env));
  },
} satisfies ExportedHandler<Bindings>;
