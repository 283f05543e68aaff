import { createApp } from "./app";
import type { Bindings } from "./env";
import { runServices } from "./services/cron";

export { SlotLedger } from "./durable/slot-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext) {
    ctx.waitUntil(runServices(env));
  },
} satisfies ExportedHandler<Bindings>;
