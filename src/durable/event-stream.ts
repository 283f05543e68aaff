import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** Fan-out of events and logs to WebSocket subscribers (/events/out, /logs/out), with hibernatable WebSockets. */
export class EventStream extends DurableObject<Bindings> {}
