import { DAY_MS } from "./calendar";
import type { Micros } from "./instant";
import { setWalls } from "./rrule-expand";
import { DEFAULT_DTSTART_WALL, MINUTELY, parseRRule, SECONDLY } from "./rrule-parser";
import { toWall } from "./time-zone";
import type { RRuleSchedule, Window } from "./types";
import { collectInWindow } from "./collect";

/**
 * RRULE occurrences. The rule's wall-clock digits are read in the schedule's timezone (default
 * UTC), so a 09:00 daily rule stays at 09:00 local across DST. Like dateutil, a local time that
 * DST skips is read with the offset after the jump (02:30 → 01:30 standard time), and a repeated
 * local time fires once, at its first occurrence.
 */
export function rruleOccurrences(schedule: RRuleSchedule, window: Window): Micros[] {
  const tz = schedule.timezone || "UTC";
  const parsed = parseRRule(schedule.rrule);
  const startMs = Math.floor(window.start / 1000);
  // Two days of slack: no DST shift moves an occurrence's instant that far from its wall value.
  const skipTo = toWall(startMs, tz) - 2 * DAY_MS;
  return collectInWindow(setWalls(parsed, skipTo), tz, window, true);
}

/**
 * Prefect stores every RRULE with an explicit DTSTART (PrefectHQ/prefect#21362): rules without
 * one get `DTSTART:20200101T000000`, except MINUTELY/SECONDLY single rules without COUNT, which get
 * the latest phase-equivalent start at or before `now` (in the schedule's timezone). Text that
 * already has a DTSTART, or does not parse, is returned unchanged.
 */
export function normalizeRRuleString(rrule: string, options: { now: Micros; timezone?: string | null }): string {
  if (rrule.toUpperCase().includes("DTSTART")) return rrule;
  let parsed;
  try {
    parsed = parseRRule(rrule);
  } catch {
    return rrule;
  }
  const rule = parsed.rules[0];
  if (parsed.isSet || rule.count !== null || (rule.freq !== MINUTELY && rule.freq !== SECONDLY)) {
    return withDtstart(rrule, DEFAULT_DTSTART_WALL);
  }
  const nowWall = toWall(Math.floor(options.now / 1000), options.timezone || "UTC");
  const periodMs = rule.interval * (rule.freq === SECONDLY ? 1000 : 60_000);
  if (nowWall <= DEFAULT_DTSTART_WALL) return withDtstart(rrule, DEFAULT_DTSTART_WALL);
  const periods = Math.floor(Math.floor((nowWall - DEFAULT_DTSTART_WALL) / 1000) / (periodMs / 1000));
  return withDtstart(rrule, DEFAULT_DTSTART_WALL + periods * periodMs);
}

function withDtstart(rrule: string, wall: number): string {
  const digits = new Date(wall).toISOString().slice(0, 19).replace(/[-:]/g, "");
  return `DTSTART:${digits}\n${rrule}`;
}

