/**
 * Run-state vocabulary shared by storage, concurrency and routes: which states hold a slot of a
 * work queue's or a work pool's concurrency limit, as Prefect counts them (queues also hold
 * CANCELLING runs).
 */
export const OCCUPYING: Record<"queue" | "pool", string[]> = {
  queue: ["PENDING", "RUNNING", "CANCELLING"],
  pool: ["PENDING", "RUNNING"],
};

export const isOccupying = (kind: "queue" | "pool", stateType: string | null | undefined) =>
  !!stateType && OCCUPYING[kind].includes(stateType);

/**
 * The states in which a run still holds the global-limit slot an orchestration rule took for it
 * (task runs: their tag limits; flow runs: their deployment's limit). A limit gives back older
 * leases of runs D1 shows elsewhere (src/concurrency/concurrency-limit.ts).
 */
export const HOLDING_RULE_LEASE = { task_run: ["RUNNING", "CANCELLING"], flow_run: ["PENDING", "RUNNING", "CANCELLING"] } as const;
