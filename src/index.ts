import { createApp } from "./app";
import type { Bindings } from "./env";

export { SlotLedger } from "./durable/slot-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, _env: Bindings, _ctx: ExecutionContext) {
    // Background services (scheduler, late runs, …) are dispatched from here as they land.
  },
} satisfies ExportedHandler<Bindings>;
