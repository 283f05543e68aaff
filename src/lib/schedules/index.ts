/** Schedule math for the deployment scheduler: pure functions, no storage. */
export { nextRunTimes, occurrences, type NextRunOptions } from "./next-run-times";
export { validateCron, parseCron, CronSyntaxError, type CronSpec } from "./cron-parser";
export { validateRRule, parseRRule, RRuleSyntaxError, MAX_RRULE_LENGTH } from "./rrule-parser";
export { normalizeRRuleString } from "./rrule";
export { isValidTimezone } from "./time-zone";
export { formatInstant, formatPythonDatetime, parseInstant, type Micros } from "./instant";
export {
  autoScheduledIdempotencyKey,
  datesToSchedule,
  DEFAULT_SCHEDULE_LIMITS,
  DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS,
  SCHEDULER_DEPLOYMENT_BATCH_SIZE,
  SCHEDULER_INSERT_BATCH_SIZE,
  SCHEDULER_LOOP_SECONDS,
  SCHEDULER_MAX_RUNS,
  SCHEDULER_MAX_SCHEDULED_TIME_SECONDS,
  SCHEDULER_MIN_RUNS,
  SCHEDULER_MIN_SCHEDULED_TIME_SECONDS,
  SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS,
  scheduleTimezone,
  validateMaxScheduledRuns,
  type ScheduleLimits,
} from "./scheduler";
export { MAX_ITERATIONS, type Schedule, type Window } from "./types";
