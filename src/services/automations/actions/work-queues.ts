import { expectSuccess } from "./responses";
import { selectedOrInferred, target } from "./inference";
import type { ActionHandler } from "./types";

const setPaused =
  (isPaused: boolean): ActionHandler =>
  async (run) => {
    const id = selectedOrInferred(run, "work_queue_id", "work-queue", "work queue");
    run.related.push(target(`prefect.work-queue.${id}`));
    expectSuccess(run, await run.api("PATCH", `/work_queues/${id}`, { is_paused: isPaused }));
  };

/** pause-work-queue / resume-work-queue. */
export const pauseWorkQueue = setPaused(true);
export const resumeWorkQueue = setPaused(false);
