import { parseInstant, type Micros } from "./instant";
import { offsetAt, wallToInstant } from "./time-zone";
import { MAX_ITERATIONS, type IntervalSchedule, type Window } from "./types";

const DAY_MICROS = 86_400_000_000;

/**
 * Occurrences `anchor + k·interval`. Intervals of a day or more step in local wall-clock time of
 * the schedule's zone, so a daily 09:00 stays at 09:00 across DST changes; shorter ones step in
 * elapsed time, so an hourly schedule fires every real hour.
 */
export function intervalOccurrences(schedule: IntervalSchedule, window: Window): Micros[] {
  const tz = schedule.timezone || "UTC";
  const step = Math.round(schedule.interval * 1e6);
  if (!(step > 0)) return [];
  const anchor = schedule.anchor_date === undefined ? window.start : parseInstant(schedule.anchor_date, tz);
  const occurrence = wallClockSteps(step, tz)
    ? wallClockOccurrence(anchor, step, tz)
    : (k: number) => anchor + k * step;

  // Estimate the first index from elapsed time, then settle it exactly (DST moves wall-clock
  // occurrences by at most an hour or two, far less than one step).
  let k = Math.floor((window.start - anchor) / step) - 1;
  while (occurrence(k) >= window.start) k--;
  while (occurrence(k) < window.start) k++;

  const out: Micros[] = [];
  const seen = new Set<Micros>();
  for (let attempts = 0; out.length < window.n && attempts <= MAX_ITERATIONS; attempts++, k++) {
    const at = occurrence(k);
    if (window.end !== undefined && at > window.end) break;
    if (!seen.has(at)) {
      seen.add(at);
      out.push(at);
    }
  }
  return out;
}

function wallClockSteps(step: number, tz: string): boolean {
  return step >= DAY_MICROS && tz !== "UTC";
}

function wallClockOccurrence(anchor: Micros, step: number, tz: string): (k: number) => Micros {
  const anchorMs = Math.floor(anchor / 1000);
  const anchorWall = anchor + offsetAt(anchorMs, tz) * 1000;
  return (k) => {
    const wall = anchorWall + k * step;
    const wallMs = Math.floor(wall / 1000);
    return wallToInstant(wallMs, tz, "forward") * 1000 + (wall - wallMs * 1000);
  };
}
