import type { Bindings } from "../env";
import type { LedgerScope, SlotLedger } from "./slot-ledger";

/** The ledger stub of a work queue or work pool (one Durable Object each). */
export function ledgerFor(env: Bindings, scope: LedgerScope): DurableObjectStub<SlotLedger> {
  return env.SLOT_LEDGER.get(env.SLOT_LEDGER.idFromName(`${scope.kind}:${scope.id}`));
}
