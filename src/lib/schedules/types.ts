import type { CronSchedule, IntervalSchedule, RRuleSchedule } from "../../schemas/prefect.gen";
import type { Micros } from "./instant";

export type { CronSchedule, IntervalSchedule, RRuleSchedule };
export type Schedule = IntervalSchedule | CronSchedule | RRuleSchedule;

/** A search window: occurrences at or after `start`, at or before `end`, at most `n` of them. */
export interface Window {
  start: Micros;
  end?: Micros;
  n: number;
}

/** Prefect gives up after this many candidate dates past the start in one call. */
export const MAX_ITERATIONS = 1000;
