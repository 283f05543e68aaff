import { expectSuccess, reasonFromAnswer, RetryableAnswer } from "./responses";
import { selectedOrInferred, target } from "./inference";
import { ActionFailed, type ActionHandler } from "./types";

/** pause-work-pool / resume-work-pool: the pool is read by id, then patched by name. */
const setPaused =
  (isPaused: boolean): ActionHandler =>
  async (run) => {
    const id = selectedOrInferred(run, "work_pool_id", "work-pool", "work pool");
    const read = await run.api("POST", "/work_pools/filter", { work_pools: { id: { any_: [id] } } });
    if (read.status >= 500) throw new RetryableAnswer(reasonFromAnswer(run.action.type, read));
    const pool = read.status < 300 && Array.isArray(read.body) ? read.body[0] : undefined;
    if (!pool) throw new ActionFailed(`Work pool ${id} not found`);
    run.related.push(target(`prefect.work-pool.${pool.id}`, pool.name));
    expectSuccess(run, await run.api("PATCH", `/work_pools/${encodeURIComponent(pool.name)}`, { is_paused: isPaused }));
  };

export const pauseWorkPool = setPaused(true);
export const resumeWorkPool = setPaused(false);
