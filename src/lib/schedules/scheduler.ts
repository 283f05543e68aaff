/** Prefect's scheduler-service rules for which future runs a deployment schedule gets. */
import { formatInstant, formatPythonDatetime, parseInstant } from "./instant";
import { occurrences } from "./next-run-times";
import type { Schedule } from "./types";

/** Defaults of PREFECT_SERVER_SERVICES_SCHEDULER_* (alias PREFECT_API_SERVICES_SCHEDULER_*). */
export const SCHEDULER_LOOP_SECONDS = 60;
export const SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS = 5;
export const SCHEDULER_DEPLOYMENT_BATCH_SIZE = 100;
export const SCHEDULER_INSERT_BATCH_SIZE = 500;
export const SCHEDULER_MAX_RUNS = 100;
export const SCHEDULER_MIN_RUNS = 3;
export const SCHEDULER_MAX_SCHEDULED_TIME_SECONDS = 100 * 86_400;
export const SCHEDULER_MIN_SCHEDULED_TIME_SECONDS = 3_600;
/** PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS: the largest `max_scheduled_runs` a schedule may set. */
export const DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS = 50;

export interface ScheduleLimits {
  minRuns: number;
  maxRuns: number;
  /** Seconds past `now` that scheduled runs should reach at least. */
  minTime: number;
  /** Seconds past `now` beyond which no run is scheduled (unless `end` is given). */
  maxTime: number;
  /** Latest run time, overriding `now + maxTime` (the manual schedule endpoint's end_time). */
  end?: string | Date;
}

export const DEFAULT_SCHEDULE_LIMITS: ScheduleLimits = {
  minRuns: SCHEDULER_MIN_RUNS,
  maxRuns: SCHEDULER_MAX_RUNS,
  minTime: SCHEDULER_MIN_SCHEDULED_TIME_SECONDS,
  maxTime: SCHEDULER_MAX_SCHEDULED_TIME_SECONDS,
};

/**
 * The run times to create for one schedule: occurrences from `now` on, no later than the end and
 * no more than `maxRuns`, stopping as soon as there are at least `minRuns` of them and the latest
 * reaches `now + minTime`.
 */
export function datesToSchedule(schedule: Schedule, now: string | Date, limits: Partial<ScheduleLimits> = {}): string[] {
  const { minRuns, maxRuns, minTime, maxTime, end } = { ...DEFAULT_SCHEDULE_LIMITS, ...limits };
  const start = parseInstant(now);
  const last = end === undefined ? start + maxTime * 1e6 : parseInstant(end);
  const reach = start + minTime * 1e6;
  const dates: string[] = [];
  for (const at of occurrences(schedule, { start, end: last, n: maxRuns })) {
    dates.push(formatInstant(at));
    if (dates.length >= minRuns && at >= reach) break;
  }
  return dates;
}

/**
 * Prefect's idempotency key for an auto-scheduled run: `scheduled <deployment id> <schedule id>
 * <date>`, the date written as Python prints a datetime in the schedule's timezone
 * (`2024-03-10 09:00:00-04:00`), so repeated scheduler passes cannot create the run twice.
 */
export function autoScheduledIdempotencyKey(deploymentId: string, scheduleId: string, date: string | Date, schedule: Schedule): string {
  return `scheduled ${deploymentId} ${scheduleId} ${formatPythonDatetime(parseInstant(date), scheduleTimezone(schedule))}`;
}

/** The zone Prefect reports a schedule's dates in. */
export function scheduleTimezone(schedule: Schedule): string {
  return schedule.timezone || "UTC";
}

/** Prefect's check of a schedule's `max_scheduled_runs`: null when allowed, else the message. */
export function validateMaxScheduledRuns(value: number | null | undefined, limit = DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS): string | null {
  return value !== null && value !== undefined && value > limit ? `\`max_scheduled_runs\` must be less than or equal to ${limit}.` : null;
}
