declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    SLOT_LEDGER: DurableObjectNamespace<import("../src/durable/slot-ledger").SlotLedger>;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    PREFECT_API_AUTH_STRING?: string;
  }
}
