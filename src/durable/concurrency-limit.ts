import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** One global concurrency limit's slots and leases (v2; v1 tag limits are v2 limits named tag:<tag>). */
export class ConcurrencyLimit extends DurableObject<Bindings> {}
