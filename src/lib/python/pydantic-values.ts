/**
 * How pydantic v2 (lax mode) reads a setting's value into a timedelta, an int or a bool, and what
 * Python's float() accepts — the forms Prefect's settings take from the environment. Each answers
 * null where pydantic refuses the value. Pinned by test/goldens/settings.json.
 */

/** timedelta's bound: 999 999 999 days and a day less a microsecond. */
const MAX_SECONDS = 999_999_999 * 86_400 + 86_399.999999;
const DAY = 86_400;

/** Python's float() of a string: surrounding whitespace, `_` between digits, inf/nan words. */
export function pythonFloat(text: string): number | null {
  const s = text.trim();
  const word = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (word) return /nan/i.test(word[2]) ? NaN : word[1] === "-" ? -Infinity : Infinity;
  const digits = String.raw`\d(?:_?\d)*`;
  const number = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  return number.test(s) ? Number(s.replaceAll("_", "")) : null;
}

/** pydantic's int from a string: whitespace and `_` allowed, a fraction only if it is all zeros. */
export function pydanticInt(value: unknown): number | null {
  if (typeof value === "number") return Number.isInteger(value) ? value : null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string") return null;
  const m = /^([+-]?\d(?:_?\d)*)(?:\.0+)?$/.exec(value.trim());
  return m ? Number(m[1].replaceAll("_", "")) : null;
}

const TRUE_WORDS = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE_WORDS = new Set(["0", "off", "f", "false", "n", "no"]);

/** pydantic's bool from a string: its yes/no words, any case, no surrounding whitespace. */
export function pydanticBool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== "string") return null;
  const word = value.toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : null;
}

/** A timedelta as pydantic reads it: numbers are seconds, strings one of speedate's forms. */
export function pydanticTimedelta(value: unknown): number | null {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return inRange(value);
  return typeof value === "string" ? parseDuration(value) : null;
}

/** Prefect's SecondsTimeDelta: a number, or a string float() reads, is seconds; else as pydantic. */
export function secondsTimedelta(value: unknown): number | null {
  if (typeof value === "string") {
    const seconds = pythonFloat(value);
    if (seconds !== null) return inRange(seconds);
  }
  return pydanticTimedelta(value);
}

function inRange(seconds: number): number | null {
  return Number.isFinite(seconds) && Math.abs(seconds) <= MAX_SECONDS ? seconds : null;
}

/**
 * speedate's durations: `[±]P…` (ISO 8601: Y=365 d, M=30 d, W, D, then T H M S; a fraction only on
 * the last quantity), `[±]D d[ay[s]][,][ ][H]H:MM[:SS[.f]]` (any string holding a `d`, or shorter
 * than 5 characters) and `[±]H…H:MM[:SS[.f]]`.
 */
function parseDuration(text: string): number | null {
  const negative = text.startsWith("-");
  const body = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  if (!text.length) return null;
  const seconds = body.startsWith("P")
    ? isoDuration(body.slice(1))
    : /[dD]/.test(text) || text.length < 5
      ? daysAndTime(body)
      : timeOfDuration(body, false);
  if (seconds === null || seconds / DAY > 999_999_999) return null;
  return negative && seconds !== 0 ? -seconds : seconds;
}

const DATE_UNITS: Record<string, number> = { Y: 365 * DAY, M: 30 * DAY, W: 7 * DAY, D: DAY };
const TIME_UNITS: Record<string, number> = { H: 3600, M: 60, S: 1 };

function isoDuration(s: string): number | null {
  let total = 0;
  let quantities = 0;
  let inTime = false;
  let fractionSeen = false;
  let i = 0;
  while (i < s.length) {
    if (s[i] === "T" && !inTime) {
      inTime = true;
      i += 1;
      continue;
    }
    const m = /^(\d+)(?:[.,](\d*))?/.exec(s.slice(i));
    if (!m) return null;
    if (fractionSeen) return null;
    i += m[0].length;
    const unit = (inTime ? TIME_UNITS : DATE_UNITS)[s[i] ?? ""];
    if (unit === undefined) return null;
    i += 1;
    if (m[1].length > 10 || Number(m[1]) > 0xffffffff) return null;
    if (m[2]) fractionSeen = true;
    // The fraction is rounded to microseconds on its own: whole units stay exact however large.
    total += Number(m[1]) * unit + (m[2] ? Math.round(Number(`0.${m[2]}`) * unit * 1e6) / 1e6 : 0);
    quantities += 1;
  }
  return quantities ? total : null;
}

function daysAndTime(s: string): number | null {
  const m = /^(\d+)( ?)(?:d|D)(ay|AY)?/.exec(s);
  if (!m) return null;
  if (m[1].length > 10 || Number(m[1]) > 999_999_999) return null;
  let rest = s.slice(m[0].length);
  if (/^[aA]/.test(rest) && !m[3]) return null;
  if (m[3] === "ay" && rest.startsWith("s")) rest = rest.slice(1);
  else if (m[3] === "AY" && rest.startsWith("S")) rest = rest.slice(1);
  if (rest.startsWith(",")) rest = rest.slice(1);
  if (rest.startsWith(" ")) rest = rest.slice(1);
  const days = Number(m[1]) * DAY;
  if (!rest.length) return days;
  const time = timeOfDuration(rest, true);
  return time === null ? null : days + time;
}

/** `H…H:MM[:SS[.f]]`; after a day count at least 5 characters and under 24 hours. */
function timeOfDuration(s: string, afterDays: boolean): number | null {
  if (afterDays && s.length < 5) return null;
  const m = /^(\d+):([0-5]\d)(?::([0-5]\d)(?:\.(\d+))?)?$/.exec(s);
  if (!m) return null;
  const hours = Number(m[1]);
  if (afterDays && hours >= 24) return null;
  const micros = Number((m[4] ?? "").slice(0, 6).padEnd(6, "0"));
  return hours * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) + micros / 1e6;
}
