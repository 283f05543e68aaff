import type { Micros } from "./instant";
import { wallToInstant } from "./time-zone";
import { MAX_ITERATIONS, type Window } from "./types";

/**
 * The instants of a schedule's local wall times (walked in order) that fall in the window, as
 * Prefect's get_dates loops collect them: each wall time placed in the zone as the "backward"
 * rule does, the same instant kept once, at most `window.n` of them, and no more than
 * MAX_ITERATIONS candidates looked at. Cron keeps candidates before the start (croniter's walk
 * can place them there); rrule skips them (its walk starts early, with slack), without counting.
 */
export function collectInWindow(walls: Iterable<number>, tz: string, window: Window, skipBeforeStart: boolean): Micros[] {
  const out: Micros[] = [];
  const seen = new Set<Micros>();
  let counter = 0;
  for (const wall of walls) {
    const at = wallToInstant(wall, tz, "backward") * 1000;
    if (skipBeforeStart && at < window.start) continue;
    if (window.end !== undefined && at > window.end) break;
    if (!seen.has(at)) {
      seen.add(at);
      out.push(at);
    }
    if (out.length >= window.n || counter > MAX_ITERATIONS) break;
    counter++;
  }
  return out.sort((a, b) => a - b);
}
