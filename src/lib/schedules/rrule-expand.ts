/** Expands parsed recurrence rules into local wall-clock values, the way dateutil iterates them. */
import { civil, dayNumber, DAY_MS, daysInMonth, isLeap, mod } from "./calendar";
import { DAILY, HOURLY, MINUTELY, MONTHLY, SECONDLY, WEEKLY, YEARLY, type ParsedRRule, type RulePart } from "./rrule-parser";

/** Periods one rule may walk through in a single call before giving up. */
const MAX_PERIODS = 500_000;
const LAST_YEAR = 9999;
const UNITS_PER_DAY = [0, 0, 0, 1, 24, 1440, 86_400];

/** Monday = 0. */
function weekday(dayNo: number): number {
  return mod(dayNo + 3, 7);
}

/**
 * Occurrences of the whole set (rules and RDATEs, minus EXRULEs and EXDATEs) in ascending wall
 * order. Periods that end before `skipTo` are skipped without being expanded when a rule has no
 * COUNT (with a COUNT every earlier occurrence has to be counted).
 */
export function* setWalls(parsed: ParsedRRule, skipTo: number): Generator<number> {
  const sources = [
    ...parsed.rules.map((rule) => ruleWalls(rule, parsed.dtstart, skipTo)),
    [...parsed.rdates].sort((a, b) => a - b)[Symbol.iterator](),
  ].map(peekable);
  const exclusions = parsed.exrules.map((rule) => peekable(ruleWalls(rule, parsed.dtstart, skipTo)));
  const exdates = new Set(parsed.exdates);
  let last: number | null = null;
  while (true) {
    let next: Peekable | null = null;
    for (const source of sources) if (source.value !== null && (next === null || source.value < next.value!)) next = source;
    if (next === null) return;
    const wall = next.value!;
    next.advance();
    if (wall === last) continue;
    last = wall;
    if (exdates.has(wall)) continue;
    let excluded = false;
    for (const ex of exclusions) {
      while (ex.value !== null && ex.value < wall) ex.advance();
      if (ex.value === wall) excluded = true;
    }
    if (!excluded) yield wall;
  }
}

interface Peekable {
  value: number | null;
  advance(): void;
}

function peekable(iterator: Iterator<number>): Peekable {
  const p: Peekable = {
    value: null,
    advance() {
      const r = iterator.next();
      p.value = r.done ? null : r.value;
    },
  };
  p.advance();
  return p;
}

interface Period {
  days: number[];
  /** Seconds of the day, ascending; empty when the period cannot hold an occurrence. */
  times: number[];
  /** For sub-daily rules, the unit index of this period. */
  unit?: number;
  /** For sub-daily rules whose hour or minute is excluded: the first unit worth trying next. */
  resumeAt?: number;
}

export function* ruleWalls(rule: RulePart, dtstart: number, skipTo: number): Generator<number> {
  const startDay = Math.floor(dtstart / DAY_MS);
  const startSecond = (dtstart - startDay * DAY_MS) / 1000;
  const start = civil(startDay);
  const weekStart = startDay - mod(weekday(startDay) - rule.wkst, 7);
  const baseUnit = subDailyUnit(rule.freq, startDay, startSecond);
  const dayTimes = rule.freq <= DAILY ? timesOfDay(rule) : [];
  const matcher = dayMatcher(rule);
  let remaining = rule.count;

  let k = remaining === null ? Math.max(0, periodIndexAt(rule, skipTo, start, weekStart, startDay, baseUnit)) : 0;
  for (let periods = 0; periods < MAX_PERIODS; periods++) {
    const period = periodAt(rule, k, startDay, start, weekStart, baseUnit, dayTimes);
    if (period === null) return;
    const days = period.days.filter((d) => matcher(d));
    if (rule.freq > DAILY && (days.length === 0 || period.resumeAt !== undefined)) {
      // Jump to the rule's first period on the next day, or past the excluded hour or minute.
      const resumeAt = days.length === 0 ? (Math.floor(period.unit! / UNITS_PER_DAY[rule.freq]) + 1) * UNITS_PER_DAY[rule.freq] : period.resumeAt!;
      k = Math.max(k + 1, Math.ceil((resumeAt - baseUnit) / rule.interval));
      continue;
    }
    for (const wall of occurrences(rule, days, period.times)) {
      if (rule.until !== null && wall > rule.until) return;
      if (wall < dtstart) continue;
      if (remaining !== null && remaining-- <= 0) return;
      yield wall;
    }
    k++;
  }
}

function occurrences(rule: RulePart, days: number[], times: number[]): number[] {
  const all: number[] = [];
  for (const day of days) for (const t of times) all.push(day * DAY_MS + t * 1000);
  if (rule.bySetPos === null || times.length === 0) return all;
  const picked = new Set<number>();
  for (const pos of rule.bySetPos) {
    const index = pos > 0 ? pos - 1 : all.length + pos;
    if (index >= 0 && index < all.length) picked.add(all[index]);
  }
  return [...picked].sort((a, b) => a - b);
}

function timesOfDay(rule: RulePart): number[] {
  const out: number[] = [];
  for (const h of rule.byHour ?? []) for (const m of rule.byMinute ?? []) for (const s of rule.bySecond ?? []) out.push(h * 3600 + m * 60 + s);
  return out.sort((a, b) => a - b);
}

function subDailyUnit(freq: number, dayNo: number, second: number): number {
  if (freq === HOURLY) return dayNo * 24 + Math.floor(second / 3600);
  if (freq === MINUTELY) return dayNo * 1440 + Math.floor(second / 60);
  if (freq === SECONDLY) return dayNo * 86_400 + second;
  return 0;
}

/** Index of the last period starting at or before `wall` (may be negative). */
function periodIndexAt(rule: RulePart, wall: number, start: ReturnType<typeof civil>, weekStart: number, startDay: number, baseUnit: number): number {
  const day = Math.floor(wall / DAY_MS);
  const date = civil(day);
  const second = Math.floor((wall - day * DAY_MS) / 1000);
  switch (rule.freq) {
    case YEARLY:
      return Math.floor((date.year - start.year) / rule.interval);
    case MONTHLY:
      return Math.floor((date.year * 12 + date.month - (start.year * 12 + start.month)) / rule.interval);
    case WEEKLY:
      return Math.floor((day - weekStart) / (7 * rule.interval));
    case DAILY:
      return Math.floor((day - startDay) / rule.interval);
    default:
      return Math.floor((subDailyUnit(rule.freq, day, second) - baseUnit) / rule.interval);
  }
}

function periodAt(
  rule: RulePart,
  k: number,
  startDay: number,
  start: ReturnType<typeof civil>,
  weekStart: number,
  baseUnit: number,
  dayTimes: number[],
): Period | null {
  switch (rule.freq) {
    case YEARLY: {
      const year = start.year + k * rule.interval;
      if (year > LAST_YEAR) return null;
      if (rule.byMonth === null) return { days: span(dayNumber(year, 1, 1), isLeap(year) ? 366 : 365), times: dayTimes };
      // Only the BYMONTH months can match; leaving the rest out keeps sparse rules cheap.
      const months = rule.byMonth.filter((month) => month >= 1 && month <= 12);
      const days = months.flatMap((month) => span(dayNumber(year, month, 1), daysInMonth(year, month)));
      return { days, times: dayTimes };
    }
    case MONTHLY: {
      const index = start.year * 12 + start.month - 1 + k * rule.interval;
      const year = Math.floor(index / 12);
      const month = (index % 12) + 1;
      if (year > LAST_YEAR) return null;
      return { days: span(dayNumber(year, month, 1), daysInMonth(year, month)), times: dayTimes };
    }
    case WEEKLY: {
      // dateutil's first weekly period runs from DTSTART to the end of its week.
      const first = k === 0 ? startDay : weekStart + k * 7 * rule.interval;
      if (civil(first).year > LAST_YEAR) return null;
      return { days: span(first, weekStart + k * 7 * rule.interval + 7 - first), times: dayTimes };
    }
    case DAILY: {
      const day = startDay + k * rule.interval;
      if (civil(day).year > LAST_YEAR) return null;
      return { days: [day], times: dayTimes };
    }
    default:
      return subDailyPeriod(rule, baseUnit + k * rule.interval);
  }
}

function subDailyPeriod(rule: RulePart, unit: number): Period | null {
  const perDay = UNITS_PER_DAY[rule.freq];
  const day = Math.floor(unit / perDay);
  if (civil(day).year > LAST_YEAR) return null;
  const secondOfDay = (unit - day * perDay) * (86_400 / perDay);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  const has = (set: number[] | null, v: number) => set === null || set.includes(v);
  let times: number[] = [];
  if (rule.freq === HOURLY && has(rule.byHour, hour)) {
    for (const m of rule.byMinute!) for (const s of rule.bySecond!) times.push(hour * 3600 + m * 60 + s);
  } else if (rule.freq === MINUTELY && has(rule.byHour, hour) && has(rule.byMinute, minute)) {
    times = rule.bySecond!.map((s) => hour * 3600 + minute * 60 + s);
  } else if (rule.freq === SECONDLY && has(rule.byHour, hour) && has(rule.byMinute, minute) && has(rule.bySecond, second)) {
    times = [secondOfDay];
  }
  let resumeAt: number | undefined;
  if (times.length === 0 && rule.freq !== HOURLY) {
    const unitSeconds = 86_400 / perDay;
    if (!has(rule.byHour, hour)) resumeAt = day * perDay + ((hour + 1) * 3600) / unitSeconds;
    else if (!has(rule.byMinute, minute)) resumeAt = day * perDay + ((hour * 60 + minute + 1) * 60) / unitSeconds;
  }
  return { days: [day], times: times.sort((a, b) => a - b), unit, resumeAt };
}

function span(first: number, length: number): number[] {
  return Array.from({ length }, (_, i) => first + i);
}

/** The day-level BYxxx filters, ANDed as dateutil applies them. */
function dayMatcher(rule: RulePart): (dayNo: number) => boolean {
  const weekNoDays = new Map<number, Set<number>>();
  const nthDays = new Map<string, Set<number>>();
  return (dayNo) => {
    const date = civil(dayNo);
    const yearDay = dayNo - dayNumber(date.year, 1, 1) + 1;
    const yearLength = isLeap(date.year) ? 366 : 365;
    if (rule.byMonth && !rule.byMonth.includes(date.month)) return false;
    if (rule.byWeekNo) {
      let days = weekNoDays.get(date.year);
      if (!days) weekNoDays.set(date.year, (days = weekNoYearDays(rule, date.year)));
      if (!days.has(yearDay - 1)) return false;
    }
    if (rule.byWeekday && !rule.byWeekday.includes(weekday(dayNo))) return false;
    if (rule.byNWeekday) {
      // Ordinals count within the month for monthly rules and for yearly rules with BYMONTH.
      const byMonth = rule.freq === MONTHLY || rule.byMonth !== null;
      const key = byMonth ? `${date.year}-${date.month}` : `${date.year}`;
      let days = nthDays.get(key);
      if (!days) {
        const first = byMonth ? dayNumber(date.year, date.month, 1) : dayNumber(date.year, 1, 1);
        const last = byMonth ? first + daysInMonth(date.year, date.month) - 1 : first + yearLength - 1;
        nthDays.set(key, (days = nthWeekdayDays(rule.byNWeekday, first, last)));
      }
      if (!days.has(dayNo)) return false;
    }
    if (rule.byEaster && !rule.byEaster.includes(yearDay - easterYearDay(date.year))) return false;
    if (rule.byMonthDay.length > 0 || rule.byNMonthDay.length > 0) {
      const fromEnd = date.day - daysInMonth(date.year, date.month) - 1;
      if (!rule.byMonthDay.includes(date.day) && !rule.byNMonthDay.includes(fromEnd)) return false;
    }
    if (rule.byYearDay && !rule.byYearDay.includes(yearDay) && !rule.byYearDay.includes(yearDay - yearLength - 1)) return false;
    return true;
  };
}

function nthWeekdayDays(byNWeekday: Array<[number, number]>, first: number, last: number): Set<number> {
  const out = new Set<number>();
  for (const [wd, n] of byNWeekday) {
    let i: number;
    if (n < 0) {
      i = last + (n + 1) * 7;
      i -= mod(weekday(i) - wd, 7);
    } else {
      i = first + (n - 1) * 7;
      i += mod(wd - weekday(i), 7);
    }
    if (i >= first && i <= last) out.add(i);
  }
  return out;
}

/** Zero-based days of `year` in the BYWEEKNO weeks (weeks start on WKST; week 1 has 4+ days). */
function weekNoYearDays(rule: RulePart, year: number): Set<number> {
  const weekNos = rule.byWeekNo!;
  const wkst = rule.wkst;
  const yearLength = isLeap(year) ? 366 : 365;
  const jan1 = dayNumber(year, 1, 1);
  const yearWeekday = weekday(jan1);
  const firstWkst = mod(7 - yearWeekday + wkst, 7);
  let week1 = firstWkst;
  let weekYearLength: number;
  if (week1 >= 4) {
    week1 = 0;
    weekYearLength = yearLength + mod(yearWeekday - wkst, 7);
  } else {
    weekYearLength = yearLength - week1;
  }
  const weeks = Math.floor(weekYearLength / 7) + Math.floor((weekYearLength % 7) / 4);
  const out = new Set<number>();
  const markWeek = (from: number) => {
    let i = from;
    for (let j = 0; j < 7; j++) {
      out.add(i);
      i++;
      if (weekday(jan1 + i) === wkst) break;
    }
  };
  for (let n of weekNos) {
    if (n < 0) n += weeks + 1;
    if (!(n > 0 && n <= weeks)) continue;
    let i = week1;
    if (n > 1) {
      i = week1 + (n - 1) * 7;
      if (week1 !== firstWkst) i -= 7 - firstWkst;
    }
    markWeek(i);
  }
  if (weekNos.includes(1)) {
    // Week 1 of next year may start in the last days of this one.
    let i = week1 + weeks * 7;
    if (week1 !== firstWkst) i -= 7 - firstWkst;
    if (i < yearLength) markWeek(i);
  }
  if (week1 > 0) {
    // The first days of the year may belong to last year's final week.
    let lastYearWeeks: number;
    if (weekNos.includes(-1)) {
      lastYearWeeks = -1;
    } else {
      const prevJan1Weekday = weekday(dayNumber(year - 1, 1, 1));
      const prevWeek1 = mod(7 - prevJan1Weekday + wkst, 7);
      const prevLength = isLeap(year - 1) ? 366 : 365;
      lastYearWeeks =
        prevWeek1 >= 4
          ? 52 + Math.floor(mod(prevLength + mod(prevJan1Weekday - wkst, 7), 7) / 4)
          : 52 + Math.floor(mod(yearLength - week1, 7) / 4);
    }
    if (weekNos.includes(lastYearWeeks)) for (let i = 0; i < week1; i++) out.add(i);
  }
  return out;
}

/** Day of the year (1-based) of Western Easter Sunday. */
function easterYearDay(year: number): number {
  const a = year % 19, b = Math.floor(year / 100), c = year % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, day) - dayNumber(year, 1, 1) + 1;
}
