import { cronOccurrences } from "./cron";
import { formatInstant, parseInstant, type Micros } from "./instant";
import { intervalOccurrences } from "./interval";
import { rruleOccurrences } from "./rrule";
import type { Schedule, Window } from "./types";

export interface NextRunOptions {
  /** Occurrences at or after this instant. A naive date-time is read as UTC. */
  start: string | Date;
  /** Occurrences at or before this instant (inclusive, as Prefect). */
  end?: string | Date;
  /** At most this many occurrences. */
  n: number;
}

/** The schedule's next occurrences as ISO-8601 UTC timestamps with microseconds, ascending. */
export function nextRunTimes(schedule: Schedule, options: NextRunOptions): string[] {
  return occurrences(schedule, {
    start: parseInstant(options.start),
    end: options.end === undefined ? undefined : parseInstant(options.end),
    n: options.n,
  }).map(formatInstant);
}

export function occurrences(schedule: Schedule, window: Window): Micros[] {
  if (window.n <= 0) return [];
  if ("interval" in schedule) return intervalOccurrences(schedule, window);
  if ("cron" in schedule) return cronOccurrences(schedule, window);
  return rruleOccurrences(schedule, window);
}
