/**
 * A datetime field's value as Prefect's server reads it: pydantic 2's lax `datetime` (its
 * speedate parser, as pydantic-core 2.46 calls it), with a naive result taken as UTC as Prefect's
 * `DateTime` type does. Accepted: `YYYY-MM-DD`, optionally followed by `T`/`t`/space/`_` and
 * `HH:MM[:SS[.fraction]]` with `Z`/`z`/`±HH:MM`/`±HHMM` (fraction digits past six are dropped);
 * Unix timestamps as JSON numbers or numeric strings (seconds; beyond ±2e10, milliseconds).
 * Pinned to pydantic by test/goldens/datetime.json. Work is linear in the input's length.
 */

/** pydantic's error for a value it refuses: `type` and, for parsing errors, the `error` detail. */
export interface DatetimeError {
  type: "datetime_type" | "datetime_parsing" | "datetime_from_date_parsing" | "string_unicode";
  msg: string;
  error?: string;
}

export type DatetimeResult = { ok: true; json: string; fields: Fields } | { ok: false; error: DatetimeError };

/** A parsed value: wall-clock fields and the UTC offset in seconds (naive values get 0). */
export interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  offset: number;
}

/** Seconds bounds pydantic accepts as timestamps: 0000-01-01 and 9999-12-31T23:59:59. */
const UNIX_0000 = -62_167_219_200;
const UNIX_9999 = 253_402_300_799;
/** Beyond this magnitude a timestamp counts milliseconds. */
const MS_WATERSHED = 20_000_000_000;

const TOO_SMALL = "dates before 0000 are not supported as unix timestamps";
const TOO_LARGE = "dates after 9999 are not supported as unix timestamps";

/** Reads a JSON value sent for a datetime field. */
export function parseDatetime(value: unknown): DatetimeResult {
  if (typeof value === "string") return fromText(value);
  if (typeof value === "number") return fromNumber(value);
  return { ok: false, error: { type: "datetime_type", msg: "Input should be a valid datetime" } };
}

/** pydantic's JSON form of a parsed value: `.ffffff` only when non-zero, `Z` for UTC. */
export function datetimeJson(f: Fields): string {
  const fraction = f.micro ? `.${pad(f.micro, 6)}` : "";
  return `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${fraction}${offsetText(f.offset)}`;
}

/** The instant as this server stores timestamps: `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC. */
export function datetimeUtc(f: Fields): string {
  const seconds = daysFromCivil(f.year, f.month, f.day) * 86_400 + f.hour * 3600 + f.minute * 60 + f.second - f.offset;
  const days = Math.floor(seconds / 86_400);
  const inDay = seconds - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  const time = `${pad(Math.floor(inDay / 3600), 2)}:${pad(Math.floor((inDay % 3600) / 60), 2)}:${pad(inDay % 60, 2)}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}.${pad(f.micro, 6)}Z`;
}

function offsetText(offset: number): string {
  if (offset === 0) return "Z";
  const abs = Math.abs(offset);
  return `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 3600), 2)}:${pad(Math.floor((abs % 3600) / 60), 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function accepted(f: Fields): DatetimeResult {
  if (f.year === 0) return parsingError("year 0 is out of range");
  return { ok: true, json: datetimeJson(f), fields: f };
}

function parsingError(error: string): DatetimeResult {
  return { ok: false, error: { type: "datetime_parsing", msg: `Input should be a valid datetime, ${error}`, error } };
}

// ---- numbers ----

/** A JSON number (pydantic reads Python ints and floats alike here; JSON cannot tell them apart). */
function fromNumber(ts: number): DatetimeResult {
  if (Number.isNaN(ts)) return parsingError("NaN values not permitted");
  const seconds = Math.floor(ts);
  const fraction = Math.abs(ts - Math.trunc(ts));
  // Only the whole part moves to milliseconds; the fraction is scaled by the magnitude of `ts`.
  const micro = Number.isFinite(fraction) ? Math.round(fraction * (Math.abs(ts) <= MS_WATERSHED ? 1e6 : 1e3)) : 0;
  const r = fromTimestamp(seconds, micro);
  return typeof r === "string" ? parsingError(r) : accepted(r);
}

/** speedate's timestamp reading (the value saturates to a 64-bit integer first); an error text or the fields. */
function fromTimestamp(ts: number, micro: number): Fields | string {
  if (ts <= -(2 ** 63)) return TOO_SMALL; // i64::MIN has no absolute value
  if (ts >= 2 ** 63) return TOO_LARGE;
  let second = ts;
  let extra = 0;
  if (Math.abs(ts) > MS_WATERSHED) {
    second = Math.trunc(ts / 1000);
    extra = (ts % 1000) * 1000;
    if (extra < 0) {
      second -= 1;
      extra += 1_000_000;
    }
  }
  let total = micro + extra;
  if (total >= 1_000_000) {
    second += Math.floor(total / 1_000_000);
    total %= 1_000_000;
  }
  if (second < UNIX_0000) return TOO_SMALL;
  if (second > UNIX_9999) return TOO_LARGE;
  const days = Math.floor(second / 86_400);
  const inDay = second - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(inDay / 3600),
    minute: Math.floor((inDay % 3600) / 60),
    second: inDay % 60,
    micro: total,
    offset: 0,
  };
}

// ---- strings ----

const DIGIT_0 = 48;

const LONE_SURROGATE = "Input should be a valid string, unable to parse raw data as a unicode string";

/**
 * speedate reads UTF-8 bytes. Reading UTF-16 units instead answers the same: a non-ASCII
 * character fails every check it meets, and up to the first one, units and bytes line up. The
 * two exceptions are handled where they arise: the minus sign U+2212 that a zone may start with
 * (one unit, three bytes: nothing but the zone's digits may follow it), and the byte length in
 * the "too short" check.
 */
function fromText(b: string): DatetimeResult {
  // pydantic reads the text as UTF-8 first, which a lone surrogate (JSON's "\ud800") cannot be.
  if (/[\ud800-\udfff]/.test(b) && !wellFormed(b)) return { ok: false, error: { type: "string_unicode", msg: LONE_SURROGATE } };
  const full = rfc3339(b);
  if (full) return accepted(full);
  const asNumber = numericText(b);
  if (asNumber) return typeof asNumber === "string" ? fromDateText(b) : accepted(asNumber);
  return fromDateText(b);
}

/** The date-only reading pydantic falls back to; its errors are the ones reported for strings. */
function fromDateText(b: string): DatetimeResult {
  let error: string;
  const date = datePart(b);
  if (typeof date !== "string") {
    if (b.length === 10) return accepted({ year: date.year, month: date.month, day: date.day, hour: 0, minute: 0, second: 0, micro: 0, offset: 0 });
    error = "unexpected extra characters at the end of the input";
  } else {
    error = date;
    const int = parseInt64(b);
    if (int !== null) {
      const r = fromTimestamp(int, 0);
      if (typeof r === "string") error = r;
      else if (r.hour || r.minute || r.second || r.micro) error = "Timestamp is not an exact date";
      else return accepted(r);
    }
  }
  return { ok: false, error: { type: "datetime_from_date_parsing", msg: `Input should be a valid datetime or date, ${error}`, error } };
}

/** False for NaN, which charCodeAt answers past the end. */
const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_0 + 9;

/** `YYYY-MM-DD` at the start of the text, or speedate's error text. */
function datePart(b: string): { year: number; month: number; day: number } | string {
  if (b.length < 10 && utf8Length(b) < 10) return "input is too short";
  for (let i = 0; i < 4; i++) if (!isDigit(b.charCodeAt(i))) return "invalid character in year";
  if (b.charCodeAt(4) !== 0x2d) return "invalid date separator, expected `-`";
  if (!isDigit(b.charCodeAt(5)) || !isDigit(b.charCodeAt(6))) return "invalid character in month";
  if (b.charCodeAt(7) !== 0x2d) return "invalid date separator, expected `-`";
  if (!isDigit(b.charCodeAt(8)) || !isDigit(b.charCodeAt(9))) return "invalid character in day";
  const year = num(b, 0, 4);
  const month = num(b, 5, 2);
  const day = num(b, 8, 2);
  if (month < 1 || month > 12) return "month value is outside expected range of 1-12";
  if (day < 1 || day > daysInMonth(year, month)) return "day value is outside expected range";
  return { year, month, day };
}

function num(b: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + b.charCodeAt(i) - DIGIT_0;
  return n;
}

const isSeparator = (c: number) => c === 0x54 || c === 0x74 || c === 0x20 || c === 0x5f; // T t space _

/** A full date-time, or null (why it failed does not matter: the date reading's error is reported). */
function rfc3339(b: string): Fields | null {
  const date = datePart(b);
  if (typeof date === "string" || !isSeparator(b.charCodeAt(10))) return null;
  const p = 11;
  if (b.length - p < 5) return null;
  if (!isDigit(b.charCodeAt(p)) || !isDigit(b.charCodeAt(p + 1)) || b.charCodeAt(p + 2) !== 0x3a) return null;
  if (!isDigit(b.charCodeAt(p + 3)) || !isDigit(b.charCodeAt(p + 4))) return null;
  const hour = num(b, p, 2);
  const minute = num(b, p + 3, 2);
  if (hour > 23 || minute > 59) return null;
  let second = 0;
  let micro = 0;
  let pos = p + 5;
  if (b.charCodeAt(pos) === 0x3a) {
    if (!isDigit(b.charCodeAt(pos + 1)) || !isDigit(b.charCodeAt(pos + 2))) return null;
    second = num(b, pos + 1, 2);
    if (second > 59) return null;
    pos += 3;
    if (b.charCodeAt(pos) === 0x2e || b.charCodeAt(pos) === 0x2c) {
      pos += 1;
      let digits = 0;
      while (isDigit(b.charCodeAt(pos))) {
        if (digits < 6) micro = micro * 10 + b.charCodeAt(pos) - DIGIT_0;
        digits++;
        pos++;
      }
      if (digits === 0) return null;
      if (digits < 6) micro *= 10 ** (6 - digits);
    }
  }
  let offset = 0;
  if (pos < b.length) {
    const sign = b.charCodeAt(pos++);
    if (sign === 0x5a || sign === 0x7a) {
      offset = 0;
    } else {
      let negative: boolean;
      if (sign === 0x2b) negative = false;
      else if (sign === 0x2d) negative = true;
      else if (sign === 0x2212) negative = true; // MINUS SIGN, as ISO 8601 allows
      else return null;
      if (!isDigit(b.charCodeAt(pos)) || !isDigit(b.charCodeAt(pos + 1))) return null;
      const hours = num(b, pos, 2);
      pos += b.charCodeAt(pos + 2) === 0x3a ? 3 : 2;
      if (!isDigit(b.charCodeAt(pos)) || !isDigit(b.charCodeAt(pos + 1))) return null;
      const minutes = num(b, pos, 2);
      pos += 2;
      if (minutes >= 60) return null;
      offset = (negative ? -1 : 1) * (hours * 3600 + minutes * 60);
      if (Math.abs(offset) >= 86_400) return null;
    }
  }
  if (b.length > pos) return null;
  return { year: date.year, month: date.month, day: date.day, hour, minute, second, micro, offset };
}

/**
 * A numeric string as speedate reads it: an integer, or (only when the integer reading stops at a
 * `.`) a decimal with an optional exponent. Milliseconds beyond ±2e10. Returns null when the text
 * is no number, an error text when it is one out of range, else the fields.
 */
function numericText(b: string): Fields | string | null {
  const int = parseInt64(b);
  if (int !== null) return fromTimestamp(int, 0);
  if (!stopsAtDot(b)) return null;
  const value = decimal(b);
  if (value === null) return null;
  const inMillis = Math.abs(value) > MS_WATERSHED;
  const normalized = inMillis ? value / 1000 : value;
  if (!(Math.abs(normalized) < 2 ** 63)) return TOO_LARGE;
  const seconds = Math.floor(normalized);
  const micro = Math.round((normalized - seconds) * 1e6);
  return fromTimestamp(seconds, micro);
}

/**
 * speedate's integer reading: optional sign, digits, accumulated in wrapping 64-bit arithmetic
 * and failing as soon as the running value is negative. Values beyond 2^53 only ever fail later
 * as out of range, so the result may be approximate there; what matters is whether it fails.
 */
function parseInt64(b: string): number | null {
  let i = 0;
  let negative = false;
  if (b.length >= 2 && (b.charCodeAt(0) === 0x2d || b.charCodeAt(0) === 0x2b)) {
    negative = b.charCodeAt(0) === 0x2d;
    i = 1;
  }
  if (i >= b.length) return null;
  // Up to 15 digits cannot overflow; past that, track the value as two 32-bit halves.
  if (b.length - i <= 15) {
    let n = 0;
    for (; i < b.length; i++) {
      if (!isDigit(b.charCodeAt(i))) return null;
      n = n * 10 + b.charCodeAt(i) - DIGIT_0;
    }
    return negative ? -n : n;
  }
  let hi = 0;
  let lo = 0;
  for (; i < b.length; i++) {
    if (!isDigit(b.charCodeAt(i))) return null;
    const lo10 = lo * 10 + (b.charCodeAt(i) - DIGIT_0);
    const carry = Math.floor(lo10 / 2 ** 32);
    lo = lo10 - carry * 2 ** 32;
    hi = (hi * 10 + carry) % 2 ** 32;
    if (hi >= 2 ** 31) return null;
  }
  const n = hi * 2 ** 32 + lo;
  return negative ? -n : n;
}

/** Whether the integer reading of `b` stops at a `.` (speedate then tries a decimal). */
function stopsAtDot(b: string): boolean {
  let i = b.length >= 2 && (b.charCodeAt(0) === 0x2d || b.charCodeAt(0) === 0x2b) ? 1 : 0;
  if (b.length === 0) return false;
  let hi = 0;
  let lo = 0;
  for (; i < b.length; i++) {
    if (!isDigit(b.charCodeAt(i))) return b.charCodeAt(i) === 0x2e;
    const lo10 = lo * 10 + (b.charCodeAt(i) - DIGIT_0);
    const carry = Math.floor(lo10 / 2 ** 32);
    lo = lo10 - carry * 2 ** 32;
    hi = (hi * 10 + carry) % 2 ** 32;
    if (hi >= 2 ** 31) return false;
  }
  return false;
}

/** `[sign] digits [. digits] [(e|E) [sign] digits]` with at least one mantissa digit, as a double. */
function decimal(b: string): number | null {
  let i = b.charCodeAt(0) === 0x2d || b.charCodeAt(0) === 0x2b ? 1 : 0;
  let mantissa = 0;
  while (isDigit(b.charCodeAt(i))) {
    i++;
    mantissa++;
  }
  if (b.charCodeAt(i) === 0x2e) {
    i++;
    while (isDigit(b.charCodeAt(i))) {
      i++;
      mantissa++;
    }
  }
  if (mantissa === 0) return null;
  if (b.charCodeAt(i) === 0x65 || b.charCodeAt(i) === 0x45) {
    i++;
    if (b.charCodeAt(i) === 0x2b || b.charCodeAt(i) === 0x2d) i++;
    let exponent = 0;
    while (isDigit(b.charCodeAt(i))) {
      i++;
      exponent++;
    }
    if (exponent === 0) return null;
  }
  if (i !== b.length) return null;
  // Well formed ASCII here; Number() rounds it correctly, as speedate's parser does.
  return Number(b);
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3; // a surrogate pair: 2 + 2
  }
  return n;
}

function wellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    }
  }
  return true;
}

// ---- calendar ----

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (years 0..9999). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
