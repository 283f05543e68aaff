import { describe, expect, it } from "vitest";
import type { TaskContext } from "../../../src/orchestration/context";
import type { Rule } from "../../../src/orchestration/engine";
import { CacheInsertion, CacheRetrieval, MAX_CACHE_KEY_LENGTH } from "../../../src/orchestration/rules/task-cache";
import { ALL_STATES } from "../../../src/orchestration/states";
import { at, NOW, otherThan, run, stateOf, taskContext } from "./support";

const cached = () =>
  stateOf("COMPLETED", { id: "cached-state-id", timestamp: at(-3600), data: { storage_key: "/r/1", type: "reference" }, details: { cache_key: "cache-hit", cache_expiration: at(3600) } });

const Fizzler: Rule<TaskContext> = {
  name: "Fizzler",
  from: ALL_STATES,
  to: ALL_STATES,
  before({ ctx, reject }) {
    reject(stateOf("FAILED", { timestamp: ctx.now }), "for testing");
  },
};

describe("CacheRetrieval", () => {
  it("answers a fresh copy of the cached COMPLETED state, named Cached", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: stateOf("RUNNING", { details: { cache_key: "cache-hit" } }), cache: { "cache-hit": cached() } });
    const result = await run(ctx, [CacheRetrieval]);
    expect(ctx.cacheLookups).toEqual(["cache-hit"]);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Retrieved state from cache" });
    expect(result.state).toMatchObject({ type: "COMPLETED", name: "Cached", timestamp: NOW, data: { storage_key: "/r/1", type: "reference" } });
    expect(result.state!.id).not.toBe("cached-state-id");
    expect(result.state!.state_details.cache_key).toBe("cache-hit");
  });

  it("does not touch the cached state itself", async () => {
    const original = cached();
    const ctx = taskContext({ initial: "PENDING", proposed: stateOf("RUNNING", { details: { cache_key: "cache-hit" } }), cache: { "cache-hit": original } });
    const result = await run(ctx, [CacheRetrieval]);
    result.state!.state_details.cache_key = "changed";
    expect(original.name).toBe("Completed");
    expect(original.state_details.cache_key).toBe("cache-hit");
  });

  it("lets the task run when nothing is cached under its key", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: stateOf("RUNNING", { details: { cache_key: "cache-miss" } }), cache: { "cache-hit": cached() } });
    const result = await run(ctx, [CacheRetrieval]);
    expect(result.status).toBe("ACCEPT");
    expect(result.state!.name).toBe("Running");
    expect(ctx.cacheLookups).toEqual(["cache-miss"]);
  });

  it("does not look the cache up when the task refreshes it", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: stateOf("RUNNING", { details: { cache_key: "cache-hit", refresh_cache: true } }), cache: { "cache-hit": cached() } });
    expect((await run(ctx, [CacheRetrieval])).status).toBe("ACCEPT");
    expect(ctx.cacheLookups).toEqual([]);
  });

  it("does not look the cache up without a cache key", async () => {
    const ctx = taskContext({ initial: "PENDING", proposed: "RUNNING" });
    expect((await run(ctx, [CacheRetrieval])).status).toBe("ACCEPT");
    expect(ctx.cacheLookups).toEqual([]);
  });

  it("only governs RUNNING proposals", async () => {
    for (const to of otherThan("RUNNING")) {
      const ctx = taskContext({ initial: "PENDING", proposed: stateOf(to, { details: { cache_key: "cache-hit" } }), cache: { "cache-hit": cached() } });
      await run(ctx, [CacheRetrieval]);
      expect(ctx.cacheLookups, to).toEqual([]);
    }
  });
});

describe("CacheInsertion", () => {
  it("caches a validated COMPLETED state that has a cache key", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: stateOf("COMPLETED", { details: { cache_key: "cache-hit", cache_expiration: at(86400) } }) });
    const result = await run(ctx, [CacheInsertion]);
    expect(result.status).toBe("ACCEPT");
    expect(ctx.run.cache_key).toBe("cache-hit");
    expect(ctx.run.cache_expiration).toBe(at(86400));
  });

  it("caches without expiration when none is given", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: stateOf("COMPLETED", { details: { cache_key: "k" } }) });
    await run(ctx, [CacheInsertion]);
    expect(ctx.run.cache_key).toBe("k");
    expect(ctx.run.cache_expiration).toBeNull();
  });

  it("caches nothing for COMPLETED states without a cache key", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: "COMPLETED", run: { cache_key: "older", cache_expiration: null } });
    await run(ctx, [CacheInsertion]);
    expect(ctx.run.cache_key).toBe("older");
  });

  it("only caches COMPLETED states", async () => {
    for (const to of otherThan("COMPLETED")) {
      const ctx = taskContext({ initial: "RUNNING", proposed: stateOf(to, { details: { cache_key: "cache-hit" } }) });
      await run(ctx, [CacheInsertion]);
      expect(ctx.run.cache_key, to).toBeNull();
    }
  });

  it("caches nothing when a later rule changes the proposal", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: stateOf("COMPLETED", { details: { cache_key: "cache-hit" } }) });
    await run(ctx, [CacheInsertion, Fizzler]);
    expect(ctx.run.cache_key).toBeNull();
  });

  it("rejects (keeping the same state) a cache key over the maximum length", async () => {
    const key = "k".repeat(MAX_CACHE_KEY_LENGTH + 1);
    const ctx = taskContext({ initial: "RUNNING", proposed: stateOf("COMPLETED", { details: { cache_key: key } }) });
    const proposed = ctx.proposedState;
    const result = await run(ctx, [CacheInsertion]);
    expect(MAX_CACHE_KEY_LENGTH).toBe(2000);
    expect(result.status).toBe("REJECT");
    expect(result.details).toEqual({ type: "reject_details", reason: "Cache key exceeded maximum allowed length of 2000 characters." });
    expect(result.state).toBe(proposed);
  });

  it("accepts a cache key of exactly the maximum length", async () => {
    const ctx = taskContext({ initial: "RUNNING", proposed: stateOf("COMPLETED", { details: { cache_key: "k".repeat(MAX_CACHE_KEY_LENGTH) } }) });
    expect((await run(ctx, [CacheInsertion])).status).toBe("ACCEPT");
  });

  it("works with CacheRetrieval: what one run caches, the next is handed", async () => {
    const first = taskContext({ initial: "RUNNING", proposed: stateOf("COMPLETED", { data: { type: "reference", storage_key: "/r/2" }, details: { cache_key: "shared" } }) });
    await run(first, [CacheInsertion, CacheRetrieval]);
    expect(first.run.cache_key).toBe("shared");

    const second = taskContext({ initial: "PENDING", proposed: stateOf("RUNNING", { details: { cache_key: "shared" } }), cache: { shared: first.validatedState! } });
    const result = await run(second, [CacheInsertion, CacheRetrieval]);
    expect(result.status).toBe("REJECT");
    expect(result.state).toMatchObject({ type: "COMPLETED", name: "Cached", data: { type: "reference", storage_key: "/r/2" } });
  });
});
