import type { TaskContext } from "../context";
import type { Rule } from "../engine";
import { ALL_STATES, freshCopy, states } from "../states";
import { toIsoOrNull } from "../../lib/time";

export const MAX_CACHE_KEY_LENGTH = 2000;

/** A task about to run whose cache key has an unexpired COMPLETED state gets that state instead. */
export const CacheRetrieval: Rule<TaskContext> = {
  name: "CacheRetrieval",
  from: ALL_STATES,
  to: states("RUNNING"),
  async before({ ctx, reject }) {
    const proposed = ctx.proposedState;
    if (!proposed) return;
    const key = proposed.state_details.cache_key;
    if (!key || proposed.state_details.refresh_cache) return;
    const cached = await ctx.surroundings.cachedState(key);
    if (cached) reject(freshCopy(cached, ctx.now, { name: "Cached" }), "Retrieved state from cache");
  },
};

/** COMPLETED states with a cache key are cached (the key is bounded in length). */
export const CacheInsertion: Rule<TaskContext> = {
  name: "CacheInsertion",
  from: ALL_STATES,
  to: states("COMPLETED"),
  before({ ctx, reject }) {
    const proposed = ctx.proposedState;
    if (!proposed) return;
    const key = proposed.state_details.cache_key;
    if (key && key.length > MAX_CACHE_KEY_LENGTH)
      reject(proposed, `Cache key exceeded maximum allowed length of ${MAX_CACHE_KEY_LENGTH} characters.`);
  },
  after({ ctx }) {
    const s = ctx.validatedState;
    if (!s?.state_details.cache_key) return;
    ctx.run.cache_key = s.state_details.cache_key;
    ctx.run.cache_expiration = toIsoOrNull(s.state_details.cache_expiration);
  },
};
