import { civil, DAY_MS, dayNumber, daysInMonth, type CivilDate } from "./calendar";
import { parseCron, type CronSpec } from "./cron-parser";
import type { Micros } from "./instant";
import { toWall, wallToInstant } from "./time-zone";
import { MAX_ITERATIONS, type CronSchedule, type Window } from "./types";

/** croniter stops looking when nothing matches within this many years. */
const MAX_YEARS_BETWEEN_MATCHES = 50;

/**
 * Cron occurrences, matched against local wall-clock time in the schedule's zone. As in Prefect,
 * a local time skipped by a DST jump fires at the same offset past the jump (02:30 → 03:30), and
 * a local time that repeats fires once, at its first occurrence.
 */
export function cronOccurrences(schedule: CronSchedule, window: Window): Micros[] {
  const spec = parseCron(schedule.cron);
  const tz = schedule.timezone || "UTC";
  const dayOr = schedule.day_or ?? true;
  const startMs = Math.floor(window.start / 1000);
  const startWallMicros = toWall(startMs, tz) * 1000 + (window.start - startMs * 1000);
  const out: Micros[] = [];
  const seen = new Set<Micros>();
  let attempts = 0;
  for (const wall of wallMatches(spec, dayOr, Math.ceil(startWallMicros / 1000))) {
    const at = wallToInstant(wall, tz, "forward") * 1000;
    // In a repeated hour the wall time may already have passed at its first occurrence.
    if (at < window.start) continue;
    if (window.end !== undefined && at > window.end) break;
    if (!seen.has(at)) {
      seen.add(at);
      out.push(at);
    }
    if (out.length >= window.n || ++attempts > MAX_ITERATIONS) break;
  }
  return out.sort((a, b) => a - b);
}

/** Matching wall-clock values at or after `fromWall`, in order. */
export function* wallMatches(spec: CronSpec, dayOr: boolean, fromWall: number): Generator<number> {
  const firstDay = Math.floor(fromWall / DAY_MS);
  const lastYear = civil(firstDay).year + MAX_YEARS_BETWEEN_MATCHES;
  let dayNo = firstDay;
  while (true) {
    const date = civil(dayNo);
    if (date.year > lastYear) return;
    if (spec.years && !spec.years.has(date.year)) {
      const next = [...spec.years].filter((y) => y > date.year).sort((a, b) => a - b)[0];
      if (next === undefined) return;
      dayNo = dayNumber(next, 1, 1);
      continue;
    }
    if (spec.months && !spec.months.has(date.month)) {
      dayNo = dayNumber(date.year, date.month + 1, 1);
      continue;
    }
    if (dayMatches(spec, dayOr, date)) {
      const base = dayNo * DAY_MS;
      for (const h of spec.hours) {
        for (const m of spec.minutes) {
          for (const s of spec.seconds) {
            const wall = base + ((h * 60 + m) * 60 + s) * 1000;
            if (wall >= fromWall) yield wall;
          }
        }
      }
    }
    dayNo++;
  }
}

/**
 * croniter's day rule: when both day fields are restricted and day_or is set, a day matches
 * either; otherwise it must match both. An nth-weekday entry replaces the plain weekday test
 * (and, under OR, makes the day-of-month field irrelevant, as croniter computes it).
 */
function dayMatches(spec: CronSpec, dayOr: boolean, date: CivilDate): boolean {
  const domOk = spec.daysOfMonth === null || monthDayMatches(spec.daysOfMonth, date);
  const weekdayOk =
    spec.nthWeekdays.size > 0 ? nthMatches(spec.nthWeekdays, date) : spec.daysOfWeek === null || spec.daysOfWeek.has(date.weekday);
  if (spec.daysOfMonth !== null && spec.daysOfWeek !== null && dayOr) {
    const domSide = domOk && (spec.nthWeekdays.size === 0 || nthMatches(spec.nthWeekdays, date));
    return domSide || weekdayOk;
  }
  return domOk && weekdayOk;
}

function monthDayMatches(dom: { days: Set<number>; last: boolean }, date: CivilDate): boolean {
  return dom.days.has(date.day) || (dom.last && date.day === daysInMonth(date.year, date.month));
}

function nthMatches(nth: Map<number, Set<number | "l">>, date: CivilDate): boolean {
  const which = nth.get(date.weekday);
  if (!which) return false;
  const ordinal = Math.floor((date.day - 1) / 7) + 1;
  const isLast = date.day + 7 > daysInMonth(date.year, date.month);
  return which.has(ordinal) || (isLast && which.has("l"));
}
