/**
 * The rest of jinja2-humanize-extension 0.4.0's filters (precisedelta, fractional, metric, clamp,
 * abs_timedelta, date_and_delta, the locale ones), answering as humanize 4.16.0 does in English
 * on a server whose local time zone is UTC. Only English: `humanize_activate` of another locale
 * fails instead of switching humanize's (process-wide) translations.
 */
import { PyException, typeError, valueError } from "./errors";
import { fixed, formatSpec, pyFormatPercent, strFormat } from "./format";
import { bind, toFloat } from "./filters";
import { intcomma } from "./humanize";
import { formatLookup } from "./methods";
import { PyDateTime, PyTimedelta } from "./pytime";
import type { Filter, Renderer } from "./runtime";
import { isNumber, isStr, iterate, MISSING, mkFloat, num, PyObject, pyStr, tuple, typeName } from "./values";

const UNITS = ["MICROSECONDS", "MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS", "MONTHS", "YEARS"] as const;
type Unit = number;

function notFinite(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  return x < 0 ? "-Inf" : "+Inf";
}

/** humanize's `_now()`: the server's local (UTC) time, naive. */
const naiveNow = (r: Renderer) => new PyDateTime(r.settings.now().getTime() * 1000, null);

const absDelta = (d: PyTimedelta) => (d.days < 0 ? new PyTimedelta(-d.totalMicros) : d);

/** humanize's `_date_and_delta`: [date, |delta|], or [None, value] when value is no duration. */
function dateAndDelta(r: Renderer, value: unknown, precise: boolean): [unknown, unknown] {
  const now = naiveNow(r);
  if (value instanceof PyDateTime) {
    if (value.offsetMinutes !== null) throw typeError("can't subtract offset-naive and offset-aware datetimes");
    return [value, absDelta(new PyTimedelta(now.epochMicros - value.epochMicros))];
  }
  if (value instanceof PyTimedelta) return [new PyDateTime(now.wallMicros - value.totalMicros, null), absDelta(value)];
  if (!isNumber(value) || !Number.isFinite(num(value))) return [null, value];
  const seconds = precise ? num(value) : roundHalfEven(num(value));
  const delta = PyTimedelta.fromSeconds(seconds);
  return [new PyDateTime(now.wallMicros - delta.totalMicros, null), absDelta(delta)];
}

const roundHalfEven = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function unitOf(name: unknown): Unit {
  const key = pyStr(name).toUpperCase();
  const i = UNITS.indexOf(key as (typeof UNITS)[number]);
  if (i < 0) throw new PyException("KeyError", key);
  return i;
}

/** Python's `format % value` read back as int or float (humanize's `_rounding_by_fmt`). */
function roundingByFmt(format: string, value: number): number {
  return Number(pyFormatPercent(format, mkFloat(value)));
}

/** humanize.precisedelta. */
export function precisedelta(r: Renderer, value: unknown, minimumUnit: unknown, suppress: unknown, format: unknown): string {
  const [date, delta] = dateAndDelta(r, value, true);
  if (date === null) return pyStr(value);
  const fmt = pyStr(format);
  const suppressed = new Set(iterate(suppress).map(unitOf));
  let min = unitOf(minimumUnit);
  if (suppressed.has(min)) {
    const up = UNITS.findIndex((_, u) => u > min && !suppressed.has(u));
    if (up < 0) throw valueError("Minimum unit is suppressed and no suitable replacement was found");
    min = up;
  }
  for (let u = 0; u < min; u++) suppressed.add(u);
  const d = delta as PyTimedelta;
  const divide = (value: number, divisor: number, unit: Unit): [number, number] => {
    if (unit === min) return [roundingByFmt(fmt, value / divisor), 0];
    if (suppressed.has(unit)) return [0, value];
    const q = Math.floor(value / divisor);
    return [q, Math.trunc(value - q * divisor)];
  };
  const [Y, MO, D, H, MI, S, MS] = [7, 6, 5, 4, 3, 2, 1];
  let [years, days] = divide(d.days, 365, Y);
  let months: number;
  [months, days] = divide(days, 30.5, MO);
  let secs = days * 24 * 3600 + d.seconds;
  let hours: number, minutes: number;
  [days, secs] = divide(secs, 24 * 3600, D);
  [hours, secs] = divide(secs, 3600, H);
  [minutes, secs] = divide(secs, 60, MI);
  let usecs = secs * 1e6 + d.microseconds;
  let msecs: number;
  [secs, usecs] = divide(usecs, 1e6, S);
  [msecs, usecs] = divide(usecs, 1000, MS);
  if (msecs >= 1000 && !suppressed.has(S)) (msecs -= 1000), (secs += 1);
  if (secs >= 60 && !suppressed.has(MI)) (secs -= 60), (minutes += 1);
  if (minutes >= 60 && !suppressed.has(H)) (minutes -= 60), (hours += 1);
  if (hours >= 24 && !suppressed.has(D)) (hours -= 24), (days += 1);
  if (days >= 31 && !suppressed.has(MO)) (days -= 31), (months += 1);
  if (months >= 12 && !suppressed.has(Y)) (months -= 12), (years += 1);
  const parts: [string, number][] = [
    ["year", years],
    ["month", months],
    ["day", days],
    ["hour", hours],
    ["minute", minutes],
    ["second", secs],
    ["millisecond", msecs],
    ["microsecond", usecs],
  ];
  const texts: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const unit = 7 - i;
    const [name, value] = parts[i];
    if (value > 0 || (!texts.length && unit === min)) {
      const n = value > 1 && value < 2 ? 2 : Math.trunc(value);
      const word = n === 1 ? name : `${name}s`;
      if (unit === min && value % 1 > 0) texts.push(`${pyFormatPercent(fmt, mkFloat(value))} ${word}`);
      else if (unit === Y) texts.push(`${intcomma(value % 1 === 0 ? Math.trunc(value) : mkFloat(value))} ${word}`);
      else texts.push(`${Math.trunc(value)} ${word}`);
    }
    if (unit === min) break;
  }
  return texts.length === 1 ? texts[0] : `${texts.slice(0, -1).join(", ")} and ${texts[texts.length - 1]}`;
}

/** A float's exact value as a fraction (numerator, denominator > 0). */
function exactFraction(x: number): [bigint, bigint] {
  let den = 1n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    den *= 2n;
  }
  let num = BigInt(v);
  const g = gcd(num < 0n ? -num : num, den);
  return [num / g, den / g];
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a || 1n : gcd(b, a % b));
const floorDiv = (a: bigint, b: bigint) => (a / b) * b > a ? a / b - 1n : a / b;

/** Fraction.limit_denominator: the closest fraction with a denominator at most `max`. */
function limitDenominator([n0, d0]: [bigint, bigint], max: bigint): [bigint, bigint] {
  if (d0 <= max) return [n0, d0];
  let [p0, q0, p1, q1] = [0n, 1n, 1n, 0n];
  let [n, d] = [n0, d0];
  for (;;) {
    const a = floorDiv(n, d);
    const q2 = q0 + a * q1;
    if (q2 > max) break;
    [p0, q0, p1, q1] = [p1, q1, p0 + a * p1, q2];
    [n, d] = [d, n - a * d];
  }
  const k = floorDiv(max - q0, q1);
  // The candidate p1/q1 wins ties, as Python's does.
  const [bn, bd] = [p0 + k * p1, q0 + k * q1];
  const distance = (p: bigint, q: bigint) => {
    const diff = p * d0 - n0 * q;
    return [diff < 0n ? -diff : diff, q * d0] as const;
  };
  const [a1, b1] = distance(p1, q1);
  const [a2, b2] = distance(bn, bd);
  return a1 * b2 <= a2 * b1 ? [p1, q1] : [bn, bd];
}

/** humanize.fractional. */
export function fractional(value: unknown): string {
  const number = toFloat(value);
  if (number === null) return pyStr(value);
  if (!Number.isFinite(number)) return notFinite(number);
  const whole = Math.trunc(number);
  const [numerator, denominator] = limitDenominator(exactFraction(number - whole), 1000n);
  if (whole && numerator === 0n && denominator === 1n) return String(whole);
  if (!whole) return `${numerator}/${denominator}`;
  return `${whole} ${numerator < 0n ? -numerator : numerator}/${denominator}`;
}

function realNumber(value: unknown): number {
  if (!isNumber(value)) throw typeError(`must be real number, not ${typeName(value)}`);
  return num(value);
}

/** humanize.scientific (its exponent in superscript digits). */
function scientific(value: number, precision: number): string {
  const [m, e] = formatSpec(mkFloat(value), `.${precision}e`).split("e");
  const sup: Record<string, string> = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };
  return `${m} x 10${String(Number(e)).split("").map((c) => sup[c] ?? c).join("")}`;
}

/** humanize.metric: the value with an SI prefix. */
export function metric(input: unknown, unit: unknown, precisionArg: unknown): string {
  let value = realNumber(input);
  const u = pyStr(unit);
  const precision = num(precisionArg);
  if (!Number.isFinite(value)) return notFinite(value);
  let exponent = value !== 0 ? Math.floor(Math.log10(Math.abs(value))) : 0;
  if (exponent >= 33 || exponent < -30) return scientific(value, precision - 1) + u;
  const mod3 = (x: number) => ((x % 3) + 3) % 3;
  const oldBucket = Math.floor(exponent / 3) * 3;
  value /= 10 ** oldBucket;
  let digits = Math.max(0, precision - mod3(exponent) - 1);
  if (exponent < 30 && Number(fixed(Math.abs(value), digits)) >= 1000) {
    exponent += 3 - mod3(exponent);
    const newBucket = Math.floor(exponent / 3) * 3;
    value /= 10 ** (newBucket - oldBucket);
    digits = Math.max(0, precision - mod3(exponent) - 1);
  }
  const prefix = exponent >= 3 ? "kMGTPEZYRQ"[Math.floor(exponent / 3) - 1] : exponent < 0 ? "mμnpfazyrq"[Math.floor((-exponent - 1) / 3)] : "";
  const text = formatSpec(mkFloat(value), `.${digits}f`);
  const space = !(u || prefix) || ["°", "′", "″"].includes(u) ? "" : " ";
  return `${text}${space}${prefix}${u}`;
}

/** humanize.clamp: the formatted value, clamped to floor/ceil with their tokens. */
export function clamp(input: unknown, format: unknown, floor: unknown, ceil: unknown, floorToken: unknown, ceilToken: unknown): unknown {
  if (input === null || input === undefined) return null;
  let value: unknown = input;
  if (!Number.isFinite(realNumber(value))) return notFinite(num(value));
  let token = "";
  if (floor !== null && floor !== undefined && num(value) < realNumber(floor)) (value = floor), (token = pyStr(floorToken));
  else if (ceil !== null && ceil !== undefined && num(value) > realNumber(ceil)) (value = ceil), (token = pyStr(ceilToken));
  if (!isStr(format)) throw valueError("Invalid format. Must be either a valid formatting string, or a function that accepts value and returns a string.");
  return token + strFormat(pyStr(format), [value], {}, formatLookup);
}

/** gettext.NullTranslations, what activating English answers. */
class NullTranslations extends PyObject {
  readonly pyClass = "NullTranslations";
  override readonly pyModule = "gettext";
  getAttr(): unknown {
    return MISSING;
  }
  str(): string {
    return "<gettext.NullTranslations object>";
  }
}

const filter = (params: [string, unknown?][], fn: (r: Renderer, value: any, ...args: any[]) => unknown, name: string): Filter => (r, value, args, kwargs) =>
  fn(r, value, ...bind(name, params, args, kwargs));

export const MORE_HUMANIZE_FILTERS: Record<string, Filter> = {
  humanize_precisedelta: filter([["minimum_unit", "seconds"], ["suppress", tuple()], ["format", "%0.2f"]], precisedelta, "humanize_precisedelta"),
  humanize_fractional: filter([], (_r, v) => fractional(v), "humanize_fractional"),
  humanize_metric: filter([["unit", ""], ["precision", 3]], (_r, v, unit, precision) => metric(v, unit, precision), "humanize_metric"),
  humanize_clamp: filter(
    [["floor", null], ["ceil", null], ["format", "{:}"], ["floor_token", "<"], ["ceil_token", ">"]],
    (_r, v, floor, ceil, format, ft, ct) => clamp(v, format, floor, ceil, ft, ct),
    "humanize_clamp",
  ),
  humanize_abs_timedelta: filter([], (_r, v) => {
    if (!(v instanceof PyTimedelta)) throw new PyException("AttributeError", `'${typeName(v)}' object has no attribute 'days'`);
    return absDelta(v);
  }, "humanize_abs_timedelta"),
  humanize_date_and_delta: (r, v, args, kwargs) => {
    if (args.length) throw typeError(`_date_and_delta() takes 1 positional argument but ${args.length + 1} were given`);
    const extra = Object.keys(kwargs);
    if (extra.length) throw typeError(`humanize_date_and_delta() got an unexpected keyword argument '${extra[0]}'`);
    return tuple(...dateAndDelta(r, v, false));
  },
  humanize_activate: filter([["path", null]], (_r, locale) => {
    if (locale === null || pyStr(locale).startsWith("en")) return new NullTranslations();
    throw new PyException("FileNotFoundError", `humanize's translations are not available here: ${pyStr(locale)}`);
  }, "humanize_activate"),
  humanize_deactivate: filter([], () => null, "humanize_deactivate"),
  humanize_thousands_separator: filter([], () => ",", "humanize_thousands_separator"),
  humanize_decimal_separator: filter([], () => ".", "humanize_decimal_separator"),
};
