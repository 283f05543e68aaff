import { createApp } from "./app";
import type { Bindings } from "./env";
import { runServices } from "./services/cron";
import { consumeAutomationMessages, consumeDeadAutomationMessages } from "./services/automations/consumer";
import type { AutomationMessage } from "./events/automations/contract";

export { SlotLedger } from "./concurrency/slot-ledger";
export { ConcurrencyLimit } from "./concurrency/concurrency-limit";
export { EventStream } from "./events/event-stream";
export { TaskRunQueue } from "./task-queue/task-run-queue";
export { RunTurns } from "./concurrency/run-turns";
export { AutomationTriggers } from "./events/automations/automation-triggers";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext) {
    ctx.waitUntil(runServices(env));
  },
  async queue(batch: MessageBatch<AutomationMessage>, env: Bindings) {
    if (batch.queue.endsWith("-dlq")) return consumeDeadAutomationMessages(batch, env);
    return consumeAutomationMessages(batch, env, async (request) => app.fetch(request, env));
  },
} satisfies ExportedHandler<Bindings, AutomationMessage>;
