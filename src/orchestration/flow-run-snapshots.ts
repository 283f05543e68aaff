import { decodeSnapshot, type FlowRunSnapshot } from "../db/queries/flow-run-snapshot";

/**
 * The flow-run snapshots this isolate read or wrote last, so that a state change can be decided
 * without reading the run first: a decision taken on a remembered snapshot is stored only if the
 * database still holds exactly that snapshot (FlowRunGuard `snapshot`), checked in SQL inside
 * the write itself — never a stale decision, and when one is refused the same batch has read the
 * current snapshot for the next attempt. Only a cache of reads: forgetting costs one D1 round trip.
 */

/** What the snapshots remembered per isolate may add up to, in characters (a run's is 1–3 k). */
export const REMEMBERED_CHARS = 8 << 20;
/** A larger snapshot (huge parameters …) is not remembered. */
export const LARGEST_REMEMBERED = REMEMBERED_CHARS >> 6;

/** Kept as text, decoded on each use: what a decision does to its rows cannot leak into the next. */
const remembered = new Map<string, string>();
let chars = 0;

export function recallSnapshot(runId: string): FlowRunSnapshot | null {
  const text = remembered.get(runId);
  return text === undefined ? null : decodeSnapshot(text);
}

/** The remembered snapshot's text, as read or written last. */
export function rememberedSnapshotText(runId: string): string | null {
  return remembered.get(runId) ?? null;
}

/** Remembers run `runId`'s snapshot (its text, as read) as the newest; the oldest go past the budget. */
export function rememberSnapshot(runId: string, text: string): void {
  forgetSnapshot(runId);
  if (text.length > LARGEST_REMEMBERED) return;
  remembered.set(runId, text);
  chars += text.length;
  for (const [oldest, old] of remembered) {
    if (chars <= REMEMBERED_CHARS) break;
    remembered.delete(oldest);
    chars -= old.length;
  }
}

export function forgetSnapshot(runId: string): void {
  const text = remembered.get(runId);
  if (text === undefined) return;
  remembered.delete(runId);
  chars -= text.length;
}
