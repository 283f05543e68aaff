import type { Bindings } from "../env";
import type { DeploymentConcurrencyGate, TaskConcurrencyGate } from "../orchestration/context";
import { activeSlotsAfterDecay, TAG_PREFIX, type LimitRow } from "../db/queries/concurrency-limits";
import { acquireSlots, definitionOf, detachLease, limitStub, releaseHolder, releaseLease, renewLease } from "./slots";
import { clampedPoissonInterval, INITIAL_DEPLOYMENT_LEASE_SECONDS, TAG_SLOT_WAIT_SECONDS, V1_LEASE_SECONDS } from "./settings";

/**
 * What the orchestration rules see of concurrency limits (src/orchestration/context.ts): a task
 * run's tag limits and a flow run's deployment limit, loaded with the run, over the mechanism
 * of src/concurrency/slots.ts.
 */

const tagOf = (row: LimitRow) => row.name.slice(TAG_PREFIX.length);

/**
 * A task run's tag limits (`tag:<tag>` for each of its tags). Slots are held under a lease of the
 * task run that never expires (the run cannot renew it): given back when the run leaves RUNNING,
 * or by the limit's reconciliation when D1 shows the run elsewhere. Taking is idempotent: a run
 * that already holds its slot (a retried write) keeps it.
 */
export function taskConcurrencyGate(env: Bindings, taskRunId: string, rows: LimitRow[]): TaskConcurrencyGate | null {
  if (!rows.length) return null;
  const holder = { type: "task_run" as const, id: taskRunId };
  return {
    async secure() {
      const zero = rows.find((r) => r.active && r.limit === 0);
      if (zero) return { kind: "zero", tag: tagOf(zero) };
      const limits = rows.filter((r) => r.active && r.limit > 0);
      if (!limits.length) return { kind: "none" };
      const outcome = await acquireSlots(env, limits, {
        slots: 1,
        lease: { ttlSeconds: V1_LEASE_SECONDS, holder, kind: "task_rule", indexed: false },
        reuseHolder: true,
        recordDenied: false,
      });
      if (outcome.acquired) return { kind: "acquired" };
      // Prefect waits about the average occupancy of the most contended limit (capped at the
      // tag wait setting), jittered so that waiting runs do not all come back at once.
      const blocking = limits.reduce((a, b) => (b.active_slots / b.limit > a.active_slots / a.limit ? b : a));
      const average = Math.min(blocking.avg_slot_occupancy_seconds || TAG_SLOT_WAIT_SECONDS, TAG_SLOT_WAIT_SECONDS);
      return { kind: "full", delaySeconds: Math.round(clampedPoissonInterval(average)), tags: limits.map(tagOf) };
    },
    async release() {
      await releaseHolder(
        env,
        rows.map((r) => r.id),
        holder,
      );
    },
  };
}

interface ConcurrencyOptions {
  collision_strategy?: "ENQUEUE" | "CANCEL_NEW";
  grace_period_seconds?: number | null;
}

/**
 * A flow run's deployment limit (`deployment:<id>`, or the global limit the deployment points
 * at). The run's slot is held under a lease of the run (one per run: a retried write reuses it)
 * lasting the deployment's grace period, which the client renews.
 */
export function deploymentConcurrencyGate(env: Bindings, flowRunId: string, row: LimitRow | null, options: unknown): DeploymentConcurrencyGate {
  const opts = (options && typeof options === "object" ? options : {}) as ConcurrencyOptions;
  const grace = opts.grace_period_seconds ?? INITIAL_DEPLOYMENT_LEASE_SECONDS;
  const hint = row ? [row.id] : [];
  return {
    limit: row ? { id: row.id, limit: row.limit, active: !!row.active, activeSlots: activeSlotsAfterDecay(row) } : null,
    collisionStrategy: opts.collision_strategy ?? null,
    async acquire() {
      if (!row) return null;
      const outcome = await acquireSlots(env, [row], {
        slots: 1,
        lease: { ttlSeconds: grace, holder: { type: "flow_run", id: flowRunId }, kind: "deployment_rule", indexed: true },
        reuseHolder: true,
        recordDenied: false,
      });
      return outcome.acquired && outcome.leaseId ? { leaseId: outcome.leaseId, reused: !!outcome.reused } : null;
    },
    renew: (leaseId) => renewLease(env, leaseId, grace),
    async release(leaseId) {
      if (leaseId) await releaseLease(env, leaseId, { hint });
      else if (row) await limitStub(env, row.id).decrement(definitionOf(row), 1, null, true);
    },
    detach: (leaseId) => detachLease(env, leaseId, hint),
  };
}
