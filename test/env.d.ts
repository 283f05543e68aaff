declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    SLOT_LEDGER: DurableObjectNamespace<import("../src/concurrency/slot-ledger").SlotLedger>;
    CONCURRENCY_LIMIT: DurableObjectNamespace<import("../src/concurrency/concurrency-limit").ConcurrencyLimit>;
    EVENT_STREAM: DurableObjectNamespace<import("../src/events/event-stream").EventStream>;
    TASK_RUN_QUEUE: DurableObjectNamespace<import("../src/task-queue/task-run-queue").TaskRunQueue>;
    RUN_TURNS: DurableObjectNamespace<import("../src/concurrency/run-turns").RunTurns>;
    AUTOMATION_TRIGGERS: DurableObjectNamespace<import("../src/events/automations/automation-triggers").AutomationTriggers>;
    AUTOMATION_ACTIONS: Queue<import("../src/events/automations/contract").AutomationMessage>;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    PREFECT_API_AUTH_STRING?: string;
    CHECK_D1_LIMITS?: string;
  }
}
