import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** Scheduled background task runs handed to subscribed task workers (/task_runs/subscriptions/scheduled). */
export class TaskRunQueue extends DurableObject<Bindings> {}
