/**
 * RFC 5545 recurrence text as dateutil's `rrulestr` (Prefect's RRULE library) reads it: an RRULE
 * alone, or content lines DTSTART / RRULE / RDATE / EXRULE / EXDATE separated by whitespace.
 * Every date-time is kept as local wall-clock digits ("wall" values, see time-zone.ts), because
 * Prefect re-labels DTSTART, UNTIL, RDATE and EXDATE with the schedule's timezone, ignoring any
 * TZID or `Z` they carried.
 */
import { dayNumber, DAY_MS, mod } from "./calendar";

export class RRuleSyntaxError extends Error {}

export const YEARLY = 0, MONTHLY = 1, WEEKLY = 2, DAILY = 3, HOURLY = 4, MINUTELY = 5, SECONDLY = 6;
const FREQS: Record<string, number> = { YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY, SECONDLY };
/** Monday = 0, as dateutil numbers weekdays. */
const WEEKDAYS: Record<string, number> = { MO: 0, TU: 1, WE: 2, TH: 3, FR: 4, SA: 5, SU: 6 };

/** Prefect's implicit DTSTART for rules without one: 2020-01-01T00:00:00 local. */
export const DEFAULT_DTSTART_WALL = Date.UTC(2020, 0, 1);
/** Prefect refuses longer RRULE strings. */
export const MAX_RRULE_LENGTH = 6500;

export interface RulePart {
  freq: number;
  interval: number;
  count: number | null;
  until: number | null;
  wkst: number;
  byMonth: number[] | null;
  byMonthDay: number[];
  byNMonthDay: number[];
  byYearDay: number[] | null;
  byWeekNo: number[] | null;
  byWeekday: number[] | null;
  byNWeekday: Array<[weekday: number, n: number]> | null;
  byEaster: number[] | null;
  byHour: number[] | null;
  byMinute: number[] | null;
  bySecond: number[] | null;
  bySetPos: number[] | null;
}

export interface ParsedRRule {
  dtstart: number;
  /** Whether the text carried its own DTSTART line. */
  hasDtstart: boolean;
  rules: RulePart[];
  exrules: RulePart[];
  rdates: number[];
  exdates: number[];
  /** More than a single plain RRULE (dateutil builds an rruleset). */
  isSet: boolean;
}

interface DateValue {
  wall: number;
  aware: boolean;
}

export function parseRRule(text: string): ParsedRRule {
  const upper = text.toUpperCase();
  if (!upper.trim()) throw new RRuleSyntaxError("empty string");
  const lines = upper.split(/\s+/).filter(Boolean);
  let dtstart: DateValue | null = null;
  const rruleTexts: string[] = [];
  const exruleTexts: string[] = [];
  const rdates: DateValue[] = [];
  const exdates: DateValue[] = [];
  if (lines.length === 1 && (!upper.includes(":") || upper.trimStart().startsWith("RRULE:"))) {
    rruleTexts.push(lines[0]);
  } else {
    for (const line of lines) {
      const colon = line.indexOf(":");
      const [name, ...parms] = (colon === -1 ? "RRULE" : line.slice(0, colon)).split(";");
      const value = colon === -1 ? line : line.slice(colon + 1);
      if (name === "RRULE" || name === "EXRULE") {
        if (parms.length > 0) throw new RRuleSyntaxError(`unsupported ${name} parm: ${parms[0]}`);
        (name === "RRULE" ? rruleTexts : exruleTexts).push(value);
      } else if (name === "RDATE") {
        const bad = parms.find((p) => p !== "VALUE=DATE-TIME");
        if (bad !== undefined) throw new RRuleSyntaxError(`unsupported RDATE parm: ${bad}`);
        rdates.push(...value.split(",").map((v) => parseDateTime(v)));
      } else if (name === "EXDATE") {
        exdates.push(...parseDateProperty(value, parms));
      } else if (name === "DTSTART") {
        const values = parseDateProperty(value, parms);
        if (values.length !== 1) throw new RRuleSyntaxError(`Multiple DTSTART values specified:${value}`);
        dtstart = values[0];
      } else {
        throw new RRuleSyntaxError(`unsupported property: ${name}`);
      }
    }
  }
  const isSet = rruleTexts.length > 1 || rdates.length > 0 || exruleTexts.length > 0 || exdates.length > 0;
  if (!isSet && rruleTexts.length === 0) throw new RRuleSyntaxError("no RRULE given");
  const start: DateValue = dtstart ?? { wall: DEFAULT_DTSTART_WALL, aware: false };
  return {
    dtstart: start.wall,
    hasDtstart: dtstart !== null,
    rules: rruleTexts.map((t) => parseRulePart(t, start)),
    exrules: exruleTexts.map((t) => parseRulePart(t, start)),
    rdates: rdates.map((d) => d.wall),
    exdates: exdates.map((d) => d.wall),
    isSet,
  };
}

function parseDateProperty(value: string, parms: string[]): DateValue[] {
  let zoned = false;
  let sawValue = false;
  for (const parm of parms) {
    if (parm.startsWith("TZID=")) {
      // An unknown zone is dropped (the value stays floating), as dateutil does.
      zoned = zoned || isKnownZone(parm.slice(5));
    } else if (parm === "VALUE=DATE-TIME" || parm === "VALUE=DATE") {
      if (sawValue) throw new RRuleSyntaxError(`Duplicate value parameter found in: ${parm}`);
      sawValue = true;
    } else {
      throw new RRuleSyntaxError(`unsupported parm: ${parm}`);
    }
  }
  return value.split(",").map((v) => {
    const parsed = parseDateTime(v);
    if (zoned && parsed.aware) throw new RRuleSyntaxError("DTSTART/EXDATE specifies multiple timezone");
    return { wall: parsed.wall, aware: parsed.aware || zoned };
  });
}

function isKnownZone(upperName: string): boolean {
  // The text was upper-cased, so match zone names regardless of case.
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: upperName });
    return !/^[+-]/.test(upperName);
  } catch {
    return false;
  }
}

const DATE_TIME_RE = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A date-time value; errors are worded as dateutil's parser words them. */
function parseDateTime(text: string): DateValue {
  const m = DATE_TIME_RE.exec(text);
  if (!m) throw new RRuleSyntaxError(`Unknown string format: ${text}`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  const dayNo = dayNumber(Number(y), month, day);
  const wall = dayNo * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
  const problem =
    month < 1 || month > 12 ? "month must be in 1..12"
    : day < 1 || new Date(dayNo * DAY_MS).getUTCDate() !== day ? "day is out of range for month"
    : hour > 23 ? "hour must be in 0..23"
    : minute > 59 ? "minute must be in 0..59"
    : second > 59 ? "second must be in 0..59"
    : null;
  if (problem) throw new RRuleSyntaxError(`${problem}: ${text}`);
  return { wall, aware: zone !== undefined };
}

const INT_LIST_PARTS = ["BYSETPOS", "BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYEASTER", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND"];

function parseRulePart(text: string, dtstart: DateValue): RulePart {
  let value = text;
  if (value.includes(":")) {
    const pieces = value.split(":");
    if (pieces.length !== 2) throw unpackError(pieces.length);
    if (pieces[0] !== "RRULE") throw new RRuleSyntaxError("unknown parameter name");
    value = pieces[1];
  }
  const raw = new Map<string, string>();
  for (const pair of value.split(";")) {
    const pieces = pair.split("=");
    if (pieces.length !== 2) throw unpackError(pieces.length);
    const [name, v] = pieces;
    if (!isPartName(name)) throw new RRuleSyntaxError(`unknown parameter '${name}'`);
    raw.set(name === "BYWEEKDAY" ? "BYDAY" : name, v);
  }
  const parts = new Map<string, number[]>();
  for (const name of INT_LIST_PARTS) {
    const v = raw.get(name);
    if (v !== undefined) parts.set(name, v.split(",").map((x) => toInt(x, name, v)));
  }
  const freqText = raw.get("FREQ");
  if (freqText === undefined) throw new RRuleSyntaxError("FREQ is required");
  const freq = FREQS[freqText];
  if (freq === undefined) throw invalidPart("FREQ", freqText);
  const interval = raw.has("INTERVAL") ? toInt(raw.get("INTERVAL")!, "INTERVAL", raw.get("INTERVAL")!) : 1;
  // dateutil accepts INTERVAL=0 or below, and its iteration then never ends: refused here.
  if (interval < 1) throw invalidPart("INTERVAL", String(interval));
  const count = raw.has("COUNT") ? toInt(raw.get("COUNT")!, "COUNT", raw.get("COUNT")!) : null;
  let until: number | null = null;
  if (raw.has("UNTIL")) {
    let parsed: DateValue;
    try {
      parsed = parseDateTime(raw.get("UNTIL")!);
    } catch {
      throw invalidPart("UNTIL", raw.get("UNTIL")!);
    }
    if (parsed.aware !== dtstart.aware) {
      throw new RRuleSyntaxError("RRULE UNTIL values must be specified in UTC when DTSTART is timezone-aware");
    }
    until = parsed.wall;
  }
  let wkst = 0;
  if (raw.has("WKST")) {
    const w = WEEKDAYS[raw.get("WKST")!];
    if (w === undefined) throw invalidPart("WKST", raw.get("WKST")!);
    wkst = w;
  }
  const byDay = raw.has("BYDAY") ? parseByDay(raw.get("BYDAY")!) : null;
  return buildRule(freq, interval, count, until, wkst, parts, byDay, dtstart.wall);
}

/** dateutil splits `NAME=VALUE` (and `RRULE:...`) by tuple unpacking; Python words the failure. */
function unpackError(pieces: number): RRuleSyntaxError {
  return new RRuleSyntaxError(
    pieces < 2 ? `not enough values to unpack (expected 2, got ${pieces})` : "too many values to unpack (expected 2)",
  );
}

function isPartName(name: string): boolean {
  return ["FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYWEEKDAY", ...INT_LIST_PARTS].includes(name);
}

function toInt(text: string, name: string, whole: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw invalidPart(name, whole);
  return Number(text);
}

function invalidPart(name: string, value: string): RRuleSyntaxError {
  return new RRuleSyntaxError(`invalid '${name}': ${value}`);
}

function parseByDay(value: string): Array<[number, number | null]> {
  return value.split(",").map((token) => {
    const match = /^([+-]?\d+)?([A-Z]{2})$/.exec(token);
    const paren = /^([A-Z]{2})\(([+-]?\d+)\)$/.exec(token);
    const day = match ? match[2] : paren ? paren[1] : undefined;
    const nText = match ? match[1] : paren ? paren[2] : undefined;
    if (day === undefined || !(day in WEEKDAYS)) throw invalidPart("BYDAY", value);
    const n = nText === undefined ? null : Number(nText);
    if (n === 0) throw invalidPart("BYDAY", value);
    return [WEEKDAYS[day], n] as [number, number | null];
  });
}

function buildRule(
  freq: number,
  interval: number,
  count: number | null,
  until: number | null,
  wkst: number,
  parts: Map<string, number[]>,
  byDay: Array<[number, number | null]> | null,
  dtstartWall: number,
): RulePart {
  const dt = new Date(dtstartWall);
  const dtWeekday = mod(dt.getUTCDay() - 1, 7);
  const unique = (v: number[] | undefined) => (v === undefined ? null : [...new Set(v)].sort((a, b) => a - b));
  const bySetPos = unique(parts.get("BYSETPOS"));
  if (bySetPos?.some((p) => p === 0 || p < -366 || p > 366)) {
    throw new RRuleSyntaxError("bysetpos must be between 1 and 366, or between -366 and -1");
  }
  let byMonth = unique(parts.get("BYMONTH"));
  let monthDays = unique(parts.get("BYMONTHDAY"));
  const byYearDay = unique(parts.get("BYYEARDAY"));
  const byWeekNo = unique(parts.get("BYWEEKNO"));
  const byEaster = unique(parts.get("BYEASTER"));
  let weekdays = byDay;
  if (byWeekNo === null && byYearDay === null && monthDays === null && weekdays === null && byEaster === null) {
    if (freq === YEARLY) {
      byMonth ??= [dt.getUTCMonth() + 1];
      monthDays = [dt.getUTCDate()];
    } else if (freq === MONTHLY) {
      monthDays = [dt.getUTCDate()];
    } else if (freq === WEEKLY) {
      weekdays = [[dtWeekday, null]];
    }
  }
  // dateutil takes out-of-range BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO values as they come;
  // they never match.
  // Ordinals only mean something for monthly and yearly rules; elsewhere dateutil drops them.
  const plain = new Set<number>();
  const nth: Array<[number, number]> = [];
  for (const [day, n] of weekdays ?? []) {
    if (n === null || freq > MONTHLY) plain.add(day);
    else nth.push([day, n]);
  }
  const time = (name: string, unit: string, max: number, dtValue: number, level: number): number[] | null => {
    const given = unique(parts.get(name));
    // Below HOURLY dateutil builds datetime.time values from these, and Python refuses a bad one.
    // From HOURLY on dateutil accepts them but fails when iterating; we refuse them up front.
    if (given?.some((v) => v < 0 || v > max)) {
      throw new RRuleSyntaxError(freq < HOURLY ? `${unit} must be in 0..${max}` : `${name} values must be between 0 and ${max}`);
    }
    if (given === null) return freq < level ? [dtValue] : null;
    if (freq !== level) return given;
    // A BYxxx at the rule's own level must be reachable from DTSTART in INTERVAL steps.
    const g = gcd(interval, max + 1);
    const reachable = given.filter((v) => g === 1 || mod(v - dtValue, g) === 0);
    if (reachable.length === 0) throw new RRuleSyntaxError("Invalid rrule byxxx generates an empty set.");
    return reachable;
  };
  return {
    freq,
    interval,
    count,
    until,
    wkst,
    byMonth,
    byMonthDay: (monthDays ?? []).filter((d) => d > 0),
    byNMonthDay: (monthDays ?? []).filter((d) => d < 0),
    byYearDay,
    byWeekNo,
    byWeekday: plain.size > 0 ? [...plain].sort((a, b) => a - b) : null,
    byNWeekday: nth.length > 0 ? nth : null,
    byEaster,
    byHour: time("BYHOUR", "hour", 23, dt.getUTCHours(), HOURLY),
    byMinute: time("BYMINUTE", "minute", 59, dt.getUTCMinutes(), MINUTELY),
    bySecond: time("BYSECOND", "second", 59, dt.getUTCSeconds(), SECONDLY),
    bySetPos,
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Prefect's RRULE validation: null when valid, else the message its validator gives. */
export function validateRRule(text: string): string | null {
  try {
    parseRRule(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `Invalid RRule string "${text}": ${reason}`;
  }
  if (text.length > MAX_RRULE_LENGTH) {
    return `Invalid RRule string "${text.slice(0, 40)}..."\nMax length is ${MAX_RRULE_LENGTH}, got ${text.length}`;
  }
  return null;
}
