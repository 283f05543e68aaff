import { decodeSnapshot, type FlowRunSnapshot } from "../db/queries/flow-run-snapshot";

/**
 * The flow-run snapshots this isolate read or wrote last, so that a state change can be decided
 * without reading the run first: a decision taken on a remembered snapshot is stored only if the
 * database still holds exactly that snapshot (FlowRunGuard `snapshot`), checked in SQL inside
 * the write itself — never a stale decision, and when one is refused the same batch has read the
 * current snapshot for the next attempt. Only a cache of reads: forgetting costs one D1 round trip.
 */

/** Runs remembered per isolate (a snapshot is a few kilobytes). */
export const REMEMBERED_RUNS = 512;

/** Kept as text, decoded on each use: what a decision does to its rows cannot leak into the next. */
const remembered = new Map<string, string>();

export function recallSnapshot(runId: string): FlowRunSnapshot | null {
  const text = remembered.get(runId);
  return text === undefined ? null : decodeSnapshot(text);
}

export function rememberSnapshot(runId: string, snapshot: FlowRunSnapshot): void {
  remembered.delete(runId);
  remembered.set(runId, snapshot.text);
  if (remembered.size > REMEMBERED_RUNS) remembered.delete(remembered.keys().next().value!);
}

export function forgetSnapshot(runId: string): void {
  remembered.delete(runId);
}
