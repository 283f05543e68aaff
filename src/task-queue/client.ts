import type { Bindings } from "../env";
import { toTaskRun, type TaskRunRow } from "../db/queries/runs-serialize";

/**
 * Background task runs for task workers (Prefect's TaskQueue and its EnqueueScheduledTasks rule):
 * a task run that enters a SCHEDULED state marked `deferred` is queued under its task key for the
 * task workers subscribed to /task_runs/subscriptions/scheduled — in the retry queue when the
 * state is AwaitingRetry, which is served first. One TaskRunQueue object holds every key's queues
 * and tracks the connected task workers.
 */

export const TASK_RUN_QUEUE_NAME = "global";

export function taskRunQueueOf(env: Bindings) {
  return env.TASK_RUN_QUEUE.get(env.TASK_RUN_QUEUE.idFromName(TASK_RUN_QUEUE_NAME));
}

/** Hands a task worker's WebSocket upgrade (/task_runs/subscriptions/scheduled, as forwardUpgrade prepared it) to the queue. */
export function openTaskRunSubscription(env: Bindings, upgrade: Request): Promise<Response> {
  return taskRunQueueOf(env).fetch(upgrade);
}

/** The connected task workers, optionally only those subscribed to one of `keys`. */
export function taskWorkers(env: Bindings, keys: string[] | null) {
  return taskRunQueueOf(env).workers(keys);
}

interface StateLike {
  type?: string | null;
  name?: string | null;
  state_details?: Record<string, any> | null;
}

/** Whether a validated state hands its run to task workers, and through which queue. */
export function deferredQueueOf(state: StateLike | null | undefined): "scheduled" | "retry" | null {
  if (!state || state.type !== "SCHEDULED" || !state.state_details?.deferred) return null;
  return state.name === "AwaitingRetry" ? "retry" : "scheduled";
}

/**
 * Queues a task run whose (just stored) state is a deferred SCHEDULED one; does nothing for any
 * other state. To be called after the state is committed, with the run as stored.
 */
export async function enqueueIfDeferred(env: Bindings, run: TaskRunRow): Promise<void> {
  const queue = deferredQueueOf(run.state as StateLike | null);
  if (!queue) return;
  try {
    await taskRunQueueOf(env).enqueue(toTaskRun(run), queue === "retry");
  } catch (err) {
    console.error("task run queue: could not enqueue task run", run.id, err);
  }
}
