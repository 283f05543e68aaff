import { z } from "@hono/zod-openapi";
import {
  CronSchedule,
  DeploymentCreate,
  DeploymentScheduleCreate,
  DeploymentScheduleUpdate,
  DeploymentUpdate,
  IntervalSchedule,
  RRuleSchedule,
} from "./prefect.gen";
import { isValidTimezone, normalizeRRuleString, parseInstant, validateCron, validateMaxScheduledRuns, validateRRule } from "../lib/schedules";
import { isoNow } from "../lib/time";
import { parseDatetime } from "../lib/datetime";

/**
 * The deployment request bodies as this server accepts them: Prefect 3's schemas with the checks
 * its validators add (schedule strings, time zones, limits), plus the fields Prefect 2.x clients
 * still send, mapped onto their 3.x equivalents before validation so that those clients get no 422:
 *
 * - `schedule` (+ `is_schedule_active`): the one legacy schedule, becoming `schedules[0]`;
 * - `is_schedule_active` alone: 2.x kept it as the inverse of `paused`;
 * - `infra_overrides`: the old name of `job_variables`;
 * - `manifest_path`, and inside schedules `max_active_runs` / `catchup`: accepted, dropped;
 * - `worker_pool_*` / `work_pool_queue_name`: dropped, as Prefect 3 itself does.
 */

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

// ---- schedules ----

const INVALID_TZ = (tz: string) => `Invalid timezone: "${tz}" (specify in IANA tzdata format, for example, America/New_York)`;

function checkTimezone(tz: string | null | undefined, ctx: z.RefinementCtx) {
  // An empty string passes Prefect's check (it only looks at truthy values).
  if (tz && !isValidTimezone(tz)) ctx.addIssue({ code: "custom", path: ["timezone"], message: INVALID_TZ(tz) });
}

const CheckedInterval = IntervalSchedule.superRefine((s, ctx) => {
  if (!(s.interval > 0)) ctx.addIssue({ code: "custom", path: ["interval"], message: "interval must be positive" });
  checkTimezone(s.timezone, ctx);
});

const CheckedCron = CronSchedule.superRefine((s, ctx) => {
  const error = validateCron(s.cron);
  if (error) ctx.addIssue({ code: "custom", path: ["cron"], message: error });
  checkTimezone(s.timezone, ctx);
});

const CheckedRRule = RRuleSchedule.superRefine((s, ctx) => {
  const error = validateRRule(s.rrule);
  if (error) ctx.addIssue({ code: "custom", path: ["rrule"], message: error });
  checkTimezone(s.timezone, ctx);
});

/** One of Prefect's three schedule kinds, with the checks of their validators. */
export const ScheduleInput = z.union([CheckedInterval, CheckedCron, CheckedRRule]);
export type ScheduleInput = z.infer<typeof ScheduleInput>;

function checkMaxScheduledRuns(v: { max_scheduled_runs?: number | null }, ctx: z.RefinementCtx) {
  const error = validateMaxScheduledRuns(v.max_scheduled_runs);
  if (error) ctx.addIssue({ code: "custom", path: ["max_scheduled_runs"], message: error });
}

export const ScheduleCreateInput = DeploymentScheduleCreate.extend({ schedule: ScheduleInput }).superRefine(checkMaxScheduledRuns);
export type ScheduleCreateInput = z.infer<typeof ScheduleCreateInput>;

export const ScheduleUpdateInput = DeploymentScheduleUpdate.extend({ schedule: ScheduleInput.nullable().optional() }).superRefine(
  checkMaxScheduledRuns,
);
export type ScheduleUpdateInput = z.infer<typeof ScheduleUpdateInput>;

/** pydantic's JSON form of a datetime text (`…T09:00:00Z`, `.ffffff` only when non-zero, other offsets kept). */
export function pydanticDatetime(value: string): string {
  const parsed = parseDatetime(value);
  // Any other form Date understands: written in UTC.
  return parsed.ok ? parsed.json : pydanticDatetime(new Date(parseInstant(value) / 1000).toISOString());
}

/**
 * A validated schedule in the form Prefect stores and answers it: intervals get their anchor
 * (now when absent) and a time zone (UTC: a JSON date carries an offset, not a zone name), RRULEs an
 * explicit DTSTART (PrefectHQ/prefect#21362).
 */
export function normalizeSchedule(s: ScheduleInput, now = isoNow()): Record<string, unknown> {
  if ("interval" in s) {
    return { interval: s.interval, anchor_date: pydanticDatetime(s.anchor_date ?? now), timezone: s.timezone ?? "UTC" };
  }
  if ("cron" in s) return { cron: s.cron, timezone: s.timezone ?? null, day_or: s.day_or ?? true };
  return { rrule: normalizeRRuleString(s.rrule, { now: parseInstant(now), timezone: s.timezone }), timezone: s.timezone };
}

// ---- 2.x field mapping ----

/** Fields Prefect 3 drops from deployment bodies itself (pre-2.8 work-pool names). */
const OLD_POOL_FIELDS = ["worker_pool_queue_id", "worker_pool_name", "worker_pool_queue_name", "work_pool_queue_name"];
/** 2.x fields that have no 3.x meaning. */
const DROPPED_FIELDS = ["manifest_path"];
/** 2.x schedule fields (per-schedule concurrency and catchup) 3.x removed. */
const DROPPED_SCHEDULE_FIELDS = ["max_active_runs", "catchup"];

/** Keys only a 2.x client sends in a create body. */
const LEGACY_MARKERS = ["schedule", "is_schedule_active", "manifest_path", "infra_overrides"];

/** A schedule item without its 2.x-only keys. */
export function fromLegacySchedule(item: unknown): unknown {
  if (!isObj(item)) return item;
  const out = { ...item };
  for (const k of DROPPED_SCHEDULE_FIELDS) delete out[k];
  return out;
}

/** A list of schedule items (POST /deployments/{id}/schedules) without 2.x-only keys. */
export const fromLegacySchedules = (raw: unknown) => (Array.isArray(raw) ? raw.map(fromLegacySchedule) : raw);

/** The 2.x schedule fields of a body, as sent (undefined when absent). */
export interface LegacyScheduleFields {
  schedule?: unknown;
  is_schedule_active?: boolean | null;
}

export function legacyScheduleFields(raw: unknown): LegacyScheduleFields {
  if (!isObj(raw)) return {};
  return { schedule: raw.schedule, is_schedule_active: raw.is_schedule_active };
}

function withoutLegacy(raw: Obj): Obj {
  const out = { ...raw };
  for (const k of [...OLD_POOL_FIELDS, ...DROPPED_FIELDS, "schedule", "is_schedule_active", "infra_overrides"]) delete out[k];
  if (raw.infra_overrides != null && raw.job_variables == null) out.job_variables = raw.infra_overrides;
  if (Array.isArray(out.schedules)) out.schedules = out.schedules.map(fromLegacySchedule);
  return out;
}

/**
 * A create body in 3.x terms. As the 2.x server did: a legacy `schedule` is used when no
 * `schedules` are given (active per `is_schedule_active`), `is_schedule_active` sets `paused`
 * when `paused` is not sent, and parameter schemas are not enforced unless asked.
 */
export function fromLegacyCreate(raw: unknown): unknown {
  if (!isObj(raw)) return raw;
  const out = withoutLegacy(raw);
  // A 2.x body (it always carries some of these keys) gets 2.x's default: no schema enforcement.
  if (out.enforce_parameter_schema === undefined && LEGACY_MARKERS.some((k) => k in raw)) out.enforce_parameter_schema = false;
  const { schedule, is_schedule_active } = raw;
  const hasSchedules = Array.isArray(out.schedules) && out.schedules.length > 0;
  if (!hasSchedules && schedule != null) out.schedules = [{ schedule, active: is_schedule_active ?? true }];
  if (out.paused === undefined && typeof is_schedule_active === "boolean") out.paused = !is_schedule_active;
  return out;
}

/** An update body in 3.x terms; `schedule` / `is_schedule_active` are read separately (legacyScheduleFields). */
export function fromLegacyUpdate(raw: unknown): unknown {
  return isObj(raw) ? withoutLegacy(raw) : raw;
}

// ---- bodies ----

/** DeploymentCreate with checked schedules; a concurrency limit excludes a global one. */
export const DeploymentCreateInput = DeploymentCreate.extend({ schedules: z.array(ScheduleCreateInput).default([]) }).superRefine(
  (v, ctx) => {
    if (v.concurrency_limit && v.global_concurrency_limit_id) {
      ctx.addIssue({ code: "custom", path: [], message: "A deployment cannot have both a concurrency limit and a global concurrency limit." });
    }
  },
);
export type DeploymentCreateInput = z.infer<typeof DeploymentCreateInput>;

export const DeploymentUpdateInput = DeploymentUpdate.extend({ schedules: z.array(ScheduleUpdateInput).default([]) }).superRefine(
  (v, ctx) => {
    if (v.concurrency_limit && v.global_concurrency_limit_id) {
      ctx.addIssue({ code: "custom", path: [], message: "A deployment cannot have both a concurrency limit and a global concurrency limit." });
    }
  },
);
export type DeploymentUpdateInput = z.infer<typeof DeploymentUpdateInput>;

export const DeploymentCreateBody = z.preprocess(fromLegacyCreate, DeploymentCreateInput);
export const DeploymentUpdateBody = z.preprocess(fromLegacyUpdate, DeploymentUpdateInput);
export const ScheduleCreateListBody = z.preprocess(fromLegacySchedules, z.array(ScheduleCreateInput));
export const ScheduleUpdateBody = z.preprocess(fromLegacySchedule, ScheduleUpdateInput);

/** The keys a client sent, after the 2.x mapping (Prefect's `exclude_unset`). */
export function sentKeys(mapped: unknown): Set<string> {
  return new Set(isObj(mapped) ? Object.keys(mapped).filter((k) => mapped[k] !== undefined) : []);
}

/** Prefect 2.x clients name themselves `prefect/2.x.y (API …)`; they get the legacy read fields too. */
export function isLegacyClient(userAgent: string | undefined | null): boolean {
  return !!userAgent && /^prefect\/2\./.test(userAgent);
}
