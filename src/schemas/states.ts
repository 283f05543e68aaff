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
