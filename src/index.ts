import { createApp } from "./app";
import type { Bindings } from "./env";
import { runServices } from "./services/cron";

export { SlotLedger } from "./concurrency/slot-ledger";
export { ConcurrencyLimit } from "./concurrency/concurrency-limit";
export { EventStream } from "./events/event-stream";
export { TaskRunQueue } from "./task-queue/task-run-queue";
export { RunTurns } from "./concurrency/run-turns";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext) {
    ctx.waitUntil(runServices(env));
  },
} satisfies ExportedHandler<Bindings>;
