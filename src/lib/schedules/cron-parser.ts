/**
 * Cron expressions as croniter (Prefect's cron library) reads them: 5 fields, or 6 with seconds
 * last, or 7 with a year (1970-2099) after the seconds; names (JAN, MON), ranges, wrapping ranges
 * (FRI-MON), steps, lists, `L` for the last day of the month, `?`, `DOW#n` and `Ln` (last given
 * weekday) and the @hourly/@daily/@weekly/@monthly/@yearly/@annually/@midnight aliases.
 */

export class CronSyntaxError extends Error {}

/** Croniter accepts random (`R`) fields; Prefect refuses them, and so do we. */
export class CronRandomError extends CronSyntaxError {}

type Value = number | "l" | "*";
type Nth = number | "l";

export interface CronSpec {
  seconds: number[];
  minutes: number[];
  hours: number[];
  /** null: any day of the month. */
  daysOfMonth: { days: Set<number>; last: boolean } | null;
  /** null: any month (1-12). */
  months: Set<number> | null;
  /** null: any weekday (0 = Sunday). */
  daysOfWeek: Set<number> | null;
  /** weekday → which occurrences in the month (1-5, or "l" for the last). */
  nthWeekdays: Map<number, Set<Nth>>;
  /** null: any year. */
  years: Set<number> | null;
}

const MINUTE = 0, HOUR = 1, DOM = 2, MONTH = 3, DOW = 4, SECOND = 5, YEAR = 6;
const RANGES: ReadonlyArray<readonly [number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6], [0, 59], [1970, 2099]];
const SIZE_OF_ALL = [60, 24, 31, 12, 7, 60, 130];
const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOW_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const ALIASES: Record<string, string> = {
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

const WEEKDAYS = Object.keys(DOW_NAMES).join("|");
const MONTHS = Object.keys(MONTH_NAMES).join("|");
const NTH_WEEKDAY_RE = new RegExp(`^(?:((?:${WEEKDAYS})(?:-(?:${WEEKDAYS}))?|(?:${MONTHS})(?:-(?:${MONTHS}))?|\\w+)#|(l))(\\d+)$`);
const RANGE_RE = /^([^-]+)-([^-/]+)(?:\/(\d+))?$/;
const HASH_RE = /^(h|r)(?:\((\d+)-(\d+)\))?(?:\/(\d+))?$/;
const INT_RE = /^\d+$/;

export function parseCron(expression: string): CronSpec {
  let lowered = expression.toLowerCase();
  lowered = ALIASES[lowered] ?? lowered;
  const fields = lowered.split(/\s+/).filter(Boolean);
  if (fields.length < 5 || fields.length > 7) throw new CronSyntaxError("a cron expression has 5, 6 or 7 fields");
  const expanded = fields.map((field, index) => expandField(field, index, fields));
  const nth = new Map<number, Set<Nth>>();
  for (const [value, which] of expanded[DOW].nth) nth.set(value, which);
  if (nth.size > 0) {
    const plain = [...new Set(expanded[DOW].values)].filter((v) => v !== "*" && !nth.has(v as number));
    if (plain.length > 0 && new Set(expanded[DOW].values).size !== SIZE_OF_ALL[DOW]) {
      throw new CronSyntaxError("the day-of-week field cannot mix plain weekdays with nth-weekday entries");
    }
  }
  const values = expanded.map((e) => e.values);
  const isAll = (index: number) => values[index].includes("*");
  const numbers = (index: number): number[] => {
    if (isAll(index)) return range(RANGES[index][0], RANGES[index][1], 1);
    return (values[index].filter((v) => typeof v === "number") as number[]).sort((a, b) => a - b);
  };
  return {
    seconds: fields.length > SECOND ? numbers(SECOND) : [0],
    minutes: numbers(MINUTE),
    hours: numbers(HOUR),
    daysOfMonth: isAll(DOM) ? null : { days: new Set(numbers(DOM)), last: values[DOM].includes("l") },
    months: isAll(MONTH) ? null : new Set(numbers(MONTH)),
    daysOfWeek: isAll(DOW) ? null : new Set(numbers(DOW)),
    nthWeekdays: nth,
    years: fields.length > YEAR && !isAll(YEAR) ? new Set(numbers(YEAR)) : null,
  };
}

interface Expanded {
  values: Value[];
  nth: Map<number, Set<Nth>>;
}

function expandField(raw: string, index: number, fields: string[]): Expanded {
  const hashed = HASH_RE.exec(raw);
  if (hashed) {
    if (hashed[1] === "h") throw new CronSyntaxError("hashed (H) fields need a hash id");
    throw new CronRandomError("random (R) fields are not supported");
  }
  let expr = raw;
  if (expr.includes("?")) {
    if (expr !== "?") throw new CronSyntaxError("`?` must stand alone in its field");
    if (index !== DOM && index !== DOW) throw new CronSyntaxError("`?` is only allowed for the day of month or week");
    expr = "*";
  }
  const [low, high] = RANGES[index];
  const pending: Array<string | number> = expr.split(",");
  const values: Value[] = [];
  const nthByDay = new Map<number, Set<Nth>>();
  while (pending.length > 0) {
    let element = String(pending.pop());
    let nth: Nth | null = null;
    if (index === DOW) {
      const special = NTH_WEEKDAY_RE.exec(element);
      if (special) {
        if (special[1] !== undefined) {
          element = special[1];
          nth = Number(special[3]);
          if (!(nth >= 1 && nth <= 5)) throw new CronSyntaxError(`invalid nth weekday ${special[3]}`);
        } else {
          element = special[3];
          nth = "l";
        }
      }
    }
    let text = element.replace(/^\*(\/.+)$/, `${low}-${high}$1`);
    let match = RANGE_RE.exec(text);
    if (!match) {
      text = element.replace(/^(.+)\/(.+)$/, `$1-${high}/$2`);
      match = RANGE_RE.exec(text);
    }
    if (match) {
      const items = expandRange(match, index, fields.length);
      const added = nth !== null && nth !== "l" ? items.map((v) => `${v}#${nth}`) : items;
      for (const item of added) if (!pending.includes(item)) pending.push(item);
      continue;
    }
    if (text.startsWith("-")) throw new CronSyntaxError("negative numbers are not allowed");
    let value: Value | string = /^(\d+|\*)$/.test(text) ? text : nameValue(index, text);
    if (typeof value === "string" && INT_RE.test(value)) value = Number(value);
    if (value !== "*" && value !== "l") {
      value = alias(Number(value), index, fields.length);
      if (!(value >= low && value <= high)) throw new CronSyntaxError(`${raw} is out of range`);
    }
    values.push(value as Value);
    if (nth !== null && typeof value === "number") {
      const set = nthByDay.get(value) ?? new Set<Nth>();
      set.add(nth);
      nthByDay.set(value, set);
    }
  }
  let unique = [...new Set(values)];
  if (unique.length === SIZE_OF_ALL[index]) {
    // A full day-of-month list only means "any day" when the weekday field is a wildcard, and
    // vice versa: it decides whether the two day fields combine with OR.
    const keepList = (index === DOM && !fields[DOW].includes("*")) || (index === DOW && !fields[DOM].includes("*"));
    if (!keepList) unique = ["*"];
  }
  return { values: unique, nth: nthByDay };
}

function expandRange(match: RegExpExecArray, index: number, fieldCount: number): number[] {
  const [min, max] = RANGES[index];
  let lowText = match[1];
  let highText = match[2];
  const step = match[3] === undefined ? 1 : Number(match[3]);
  if (index === DOM && highText === "l") highText = "31";
  if (!INT_RE.test(lowText)) lowText = String(nameValue(index, lowText));
  if (!INT_RE.test(highText)) highText = String(nameValue(index, highText));
  if (!INT_RE.test(lowText) || !INT_RE.test(highText)) throw new CronSyntaxError(`bad range ${lowText}-${highText}`);
  if (step === 0) throw new CronSyntaxError("a step of 0 is not allowed");
  const lo = alias(Number(lowText), index, fieldCount);
  const hi = alias(Number(highText), index, fieldCount);
  if (Math.max(lo, hi) > max) throw new CronSyntaxError(`range ${lo}-${hi} is out of bounds`);
  if (lo === hi) return range(min, max, step); // croniter: "MON-MON" means the whole week
  if (lo < hi) return range(lo, hi, step);
  // A wrapping range such as FRI-MON; croniter carries the step over the wrap this way.
  const head = range(lo, max, step);
  let skip = 0;
  if (head.length > 0) {
    const last = head[head.length - 1];
    const alreadySkipped = max - last;
    if (last - min + step > max - min + 1 && alreadySkipped < step) skip = step - alreadySkipped;
  }
  return head.concat(range(min + skip, hi, step));
}

function nameValue(index: number, text: string): number | "l" {
  if (index === MONTH && text in MONTH_NAMES) return MONTH_NAMES[text];
  if (index === DOW && text in DOW_NAMES) return DOW_NAMES[text];
  if (index === DOM && text === "l") return "l";
  throw new CronSyntaxError(`${text} is not a valid value for this field`);
}

/** croniter's low-value aliases: weekday 7 is Sunday (5 fields), day/month 0 is 1 (6 fields). */
function alias(value: number, index: number, fieldCount: number): number {
  if (index === DOW && value === 7 && fieldCount === 5) return 0;
  if (index === DOM && value === 0 && fieldCount === 6) return 1;
  return value;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/**
 * Prefect's cron validation: null when valid, else the message its validator gives.
 */
export function validateCron(expression: string): string | null {
  try {
    parseCron(expression);
  } catch (error) {
    if (error instanceof CronRandomError) return `Random and Hashed expressions are unsupported, received: "${expression}"`;
    return `Invalid cron string: "${expression}"`;
  }
  return null;
}
