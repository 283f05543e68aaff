import { civil, DAY_MS, dayNumber, daysInMonth, type CivilDate } from "./calendar";
import { parseCron, type CronSpec } from "./cron-parser";
import type { Micros } from "./instant";
import { toWall } from "./time-zone";
import type { CronSchedule, Window } from "./types";
import { collectInWindow } from "./collect";

/**
 * croniter gives up (CroniterBadDateError) when nothing matches within this many years of where it
 * stands; Prefect lets that error out of get_dates. We end the occurrences there instead.
 */
const MAX_YEARS_BETWEEN_MATCHES = 50;

/**
 * Cron occurrences, matched against local wall-clock time in the schedule's zone, the way Prefect's
 * CronSchedule.get_dates drives croniter (on the Python versions its images run, with pendulum):
 * croniter walks naive local times after the start, and each is placed in the zone as pendulum does
 * with fold=0. A local time skipped by a DST jump moves back by the gap (02:30 → 01:30 standard
 * time), a repeated local time takes its first occurrence, and nothing is dropped for falling
 * before the start (which such placements, or a start inside a repeated hour, can produce).
 */
export function cronOccurrences(schedule: CronSchedule, window: Window): Micros[] {
  const spec = parseCron(schedule.cron);
  const tz = schedule.timezone || "UTC";
  const dayOr = schedule.day_or ?? true;
  return collectInWindow(wallMatches(spec, dayOr, firstWallAfter(window.start, tz)), tz, window, false);
}

/**
 * The first whole-second local wall value croniter may return: Prefect starts croniter one second
 * before the start (unless the start has a fraction of a second), and croniter returns times
 * strictly after that.
 */
function firstWallAfter(start: Micros, tz: string): number {
  const from = start % 1_000_000 === 0 ? start - 1_000_000 : start;
  const fromMs = Math.floor(from / 1000);
  const wallMicros = toWall(fromMs, tz) * 1000 + (from - fromMs * 1000);
  return (Math.floor(wallMicros / 1_000_000) + 1) * 1000;
}

/** Matching wall-clock values at or after `fromWall`, in order. */
export function* wallMatches(spec: CronSpec, dayOr: boolean, fromWall: number): Generator<number> {
  const firstDay = Math.floor(fromWall / DAY_MS);
  let lastYear = civil(firstDay).year + MAX_YEARS_BETWEEN_MATCHES;
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
            if (wall < fromWall) continue;
            lastYear = date.year + MAX_YEARS_BETWEEN_MATCHES;
            yield wall;
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
