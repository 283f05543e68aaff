/**
 * The filters jinja2-humanize-extension 0.4.0 registers (`humanize_*`), answering as humanize
 * 4.16.0 does in English on a server whose local time zone is UTC.
 */
import { valueError } from "./errors";
import { fixed, formatSpec, pyFormatPercent } from "./format";
import { bind, toFloat } from "./filters";
import { PyDateTime, PyTimedelta } from "./pytime";
import type { Filter, Renderer } from "./runtime";
import { isFloat, isInt, isNumber, isStr, mkFloat, num, pyStr } from "./values";

const DAY_US = 86_400_000_000;
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many).replace("%d", String(Math.trunc(n)));

/** Python's round() to an int (half to even). */
const roundHalfEven = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function nowDt(r: Renderer): PyDateTime {
  return PyDateTime.fromDate(r.settings.now());
}

export function naturaldelta(value: unknown, months = true, minimumUnit = "seconds"): string {
  const unit = minimumUnit.toUpperCase();
  if (!["SECONDS", "MILLISECONDS", "MICROSECONDS", "MINUTES", "HOURS", "DAYS", "MONTHS", "YEARS"].includes(unit)) throw new Error(`KeyError: '${unit}'`);
  if (!["SECONDS", "MILLISECONDS", "MICROSECONDS"].includes(unit)) throw valueError(`Minimum unit '${minimumUnit}' not supported`);
  let delta: PyTimedelta;
  if (value instanceof PyTimedelta) delta = value;
  else {
    const f = toFloat(value);
    if (f === null || !Number.isFinite(f) || (isStr(value) && !/^\s*[+-]?\d+\s*$/.test(pyStr(value)))) return pyStr(value);
    delta = PyTimedelta.fromSeconds(f);
  }
  delta = new PyTimedelta(Math.abs(delta.totalMicros));
  let years = Math.floor(delta.days / 365);
  const days = delta.days % 365;
  const numMonths = roundHalfEven(days / 30.5);
  if (years === 0 && days < 1) {
    if (delta.seconds === 0) {
      if (unit === "MICROSECONDS" && delta.microseconds < 1000) return plural(delta.microseconds, "%d microsecond", "%d microseconds");
      if (unit === "MILLISECONDS" || (unit === "MICROSECONDS" && delta.microseconds >= 1000)) {
        const ms = delta.microseconds / 1000;
        return plural(Math.trunc(ms), "%d millisecond", "%d milliseconds");
      }
      return "a moment";
    }
    if (delta.seconds === 1) return "a second";
    if (delta.seconds < 60) return plural(delta.seconds, "%d second", "%d seconds");
    if (delta.seconds < 3600) {
      const minutes = roundHalfEven(delta.seconds / 60);
      if (minutes === 1) return "a minute";
      if (minutes === 60) return "an hour";
      return plural(minutes, "%d minute", "%d minutes");
    }
    const hours = roundHalfEven(delta.seconds / 3600);
    if (hours === 1) return "an hour";
    if (hours === 24) return "a day";
    return plural(hours, "%d hour", "%d hours");
  }
  if (years === 0) {
    if (days === 1) return "a day";
    if (!months || numMonths === 0) return plural(days, "%d day", "%d days");
    if (numMonths === 1) return "a month";
    if (numMonths === 12) return "a year";
    return plural(numMonths, "%d month", "%d months");
  }
  if (years === 1) {
    if (numMonths === 0 && days === 0) return "a year";
    if (numMonths === 0) return plural(days, "1 year, %d day", "1 year, %d days");
    if (months) {
      if (numMonths === 1) return "1 year, 1 month";
      if (numMonths === 12) {
        years += 1;
        return plural(years, "%d year", "%d years");
      }
      return plural(numMonths, "1 year, %d month", "1 year, %d months");
    }
    return plural(days, "1 year, %d day", "1 year, %d days");
  }
  return `${intcomma(years)} ${years === 1 ? "year" : "years"}`;
}

export function naturaltime(r: Renderer, value: unknown, future: unknown, months: boolean, minimumUnit: string, when: unknown): string {
  const now = when instanceof PyDateTime ? when : nowDt(r);
  let delta: PyTimedelta;
  let isFuture: boolean;
  if (value instanceof PyDateTime) {
    delta = new PyTimedelta(now.epochMicros - value.epochMicros);
    isFuture = value.epochMicros > now.epochMicros;
  } else if (value instanceof PyTimedelta) {
    delta = value;
    isFuture = -value.totalMicros > 0;
  } else {
    const f = isNumber(value) ? num(value) : null;
    if (f === null || !Number.isFinite(f)) return pyStr(value);
    delta = PyTimedelta.fromSeconds(roundHalfEven(f));
    isFuture = !!future;
  }
  const text = naturaldelta(delta, months, minimumUnit);
  if (text === "a moment") return "now";
  return isFuture ? `${text} from now` : `${text} ago`;
}

const MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dayNumber(dt: PyDateTime): number {
  return Math.floor(dt.wallMicros / DAY_US);
}

/** The calendar day of a datetime, and "today" in its time zone (UTC for naive values). */
function dayAndToday(r: Renderer, value: PyDateTime): [number, number] {
  const now = nowDt(r);
  const offset = value.offsetMinutes ?? 0;
  const today = Math.floor((now.epochMicros + offset * 60_000_000) / DAY_US);
  return [dayNumber(value), today];
}

export function naturalday(r: Renderer, value: unknown, format = "%b %d"): string {
  if (!(value instanceof PyDateTime)) return pyStr(value);
  const [day, today] = dayAndToday(r, value);
  const delta = day - today;
  if (delta === 0) return "today";
  if (delta === 1) return "tomorrow";
  if (delta === -1) return "yesterday";
  return new PyDateTime(day * DAY_US, null).strftime(format);
}

export function naturaldate(r: Renderer, value: unknown): string {
  if (!(value instanceof PyDateTime)) return pyStr(value);
  const [day, today] = dayAndToday(r, value);
  if (Math.abs(day - today) >= (5 * 365) / 12) return naturalday(r, value, "%b %d %Y");
  return naturalday(r, value);
}
void MONTH_ABBR;

function notFinite(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  return x < 0 ? "-Inf" : "+Inf";
}

export function intcomma(value: unknown, ndigits: unknown = null): string {
  let v: unknown = value;
  if (isStr(value)) {
    const s = pyStr(value).replace(/,/g, "");
    const f = toFloat(s);
    if (f === null) return pyStr(value);
    if (!Number.isFinite(f)) return notFinite(f);
    v = s.includes(".") ? mkFloat(f) : /^\s*[+-]?\d+\s*$/.test(s) ? Math.trunc(Number(s)) : null;
    if (v === null) return pyStr(value);
  } else {
    if (!isNumber(value)) return pyStr(value);
    if (!Number.isFinite(num(value))) return notFinite(num(value));
  }
  if (ndigits !== null && ndigits !== undefined) return formatSpec(isInt(v) ? mkFloat(num(v)) : v, `,.${num(ndigits)}f`);
  return formatSpec(v, ",");
}

function toIntLike(value: unknown): number | string {
  const f = toFloat(value);
  if (f === null) return pyStr(value);
  if (!Number.isFinite(f)) return notFinite(f);
  if (isStr(value) && !/^\s*[+-]?\d+\s*$/.test(pyStr(value))) return pyStr(value);
  return Math.trunc(f);
}

export function ordinal(value: unknown): string {
  const v = toIntLike(value);
  if (typeof v === "string") return v;
  const m100 = ((v % 100) + 100) % 100;
  const digit = [11, 12, 13].includes(m100) ? 0 : ((v % 10) + 10) % 10;
  return `${v}${["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][digit]}`;
}

const APNUMBER = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
export function apnumber(value: unknown): string {
  const v = toIntLike(value);
  if (typeof v === "string") return v;
  return v >= 0 && v < 10 ? APNUMBER[v] : String(v);
}

const POWERS = [3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 100];
const POWER_NAMES = ["thousand", "million", "billion", "trillion", "quadrillion", "quintillion", "sextillion", "septillion", "octillion", "nonillion", "decillion", "googol"];
export function intword(value: unknown, format = "%.1f"): string {
  let v = toIntLike(value);
  if (typeof v === "string") return v;
  const neg = v < 0 ? "-" : "";
  v = Math.abs(v);
  if (v < 1000) return `${neg}${v}`;
  let ordinalIndex = POWERS.findIndex((p) => v < 10 ** p) - 1;
  if (ordinalIndex < -1) ordinalIndex = POWERS.length - 1;
  const largest = ordinalIndex === POWERS.length - 1;
  const power = 10 ** POWERS[ordinalIndex];
  let rounded = Number(pyFormatPercent(format, mkFloat(v / power)));
  if (!largest && rounded * power === 10 ** POWERS[ordinalIndex + 1]) {
    ordinalIndex += 1;
    rounded = 1.0;
  }
  return `${neg}${pyFormatPercent(format, mkFloat(rounded))} ${POWER_NAMES[ordinalIndex]}`;
}

const SIZE_SUFFIXES: Record<string, string[]> = {
  decimal: ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB", "RB", "QB"],
  binary: ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB", "RiB", "QiB"],
  gnu: "KMGTPEZYRQ".split(""),
};
export function naturalsize(value: unknown, binary: boolean, gnu: boolean, format: string): string {
  const suffix = gnu ? SIZE_SUFFIXES.gnu : binary ? SIZE_SUFFIXES.binary : SIZE_SUFFIXES.decimal;
  const base = gnu || binary ? 1024 : 1000;
  const bytes = toFloat(value);
  if (bytes === null) throw valueError(`could not convert string to float: '${pyStr(value)}'`);
  const abs = Math.abs(bytes);
  if (abs === 1 && !gnu) return `${Math.trunc(bytes)} Byte`;
  if (abs < base) return gnu ? `${Math.trunc(bytes)}B` : `${Math.trunc(bytes)} Bytes`;
  let exp = Math.trunc(Math.min(Math.log(abs) / Math.log(base), suffix.length));
  if (exp < suffix.length && Math.abs(Number(pyFormatPercent(format, mkFloat(abs / base ** exp)))) >= base) exp += 1;
  return pyFormatPercent(format, mkFloat(bytes / base ** exp)) + (gnu ? "" : " ") + suffix[exp - 1];
}

const filter = (params: [string, unknown?][], fn: (r: Renderer, value: any, ...args: any[]) => unknown, name: string): Filter => (r, value, args, kwargs) =>
  fn(r, value, ...bind(name, params, args, kwargs));

export const HUMANIZE_FILTERS: Record<string, Filter> = {
  humanize_naturaldelta: filter([["months", true], ["minimum_unit", "seconds"]], (_r, v, months, unit) => naturaldelta(v, !!months, pyStr(unit)), "humanize_naturaldelta"),
  humanize_naturaltime: filter([["future", false], ["months", true], ["minimum_unit", "seconds"], ["when", null]], (r, v, future, months, unit, when) => naturaltime(r, v, future, !!months, pyStr(unit), when), "humanize_naturaltime"),
  humanize_naturalday: filter([], (r, v) => naturalday(r, v), "humanize_naturalday"),
  humanize_naturaldate: filter([], (r, v) => naturaldate(r, v), "humanize_naturaldate"),
  humanize_intcomma: filter([["ndigits", null]], (_r, v, nd) => intcomma(v, nd), "humanize_intcomma"),
  humanize_ordinal: filter([["gender", "male"]], (_r, v) => ordinal(v), "humanize_ordinal"),
  humanize_apnumber: filter([], (_r, v) => apnumber(v), "humanize_apnumber"),
  humanize_intword: filter([["format", "%.1f"]], (_r, v, format) => intword(v, pyStr(format)), "humanize_intword"),
  humanize_naturalsize: filter([["binary", false], ["gnu", false], ["format", "%.1f"]], (_r, v, binary, gnu, format) => naturalsize(v, !!binary, !!gnu, pyStr(format)), "humanize_naturalsize"),
  humanize_scientific: filter([["precision", 2]], (_r, v, precision) => {
    const f = toFloat(v);
    if (f === null) return pyStr(v);
    if (!Number.isFinite(f)) return notFinite(f);
    const [m, e] = formatSpec(mkFloat(f), `.${num(precision)}e`).split("e");
    const sup: Record<string, string> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };
    return `${m} x 10${String(Number(e)).split("").map((c) => sup[c] ?? c).join("")}`;
  }, "humanize_scientific"),
};
void fixed;
void isFloat;
