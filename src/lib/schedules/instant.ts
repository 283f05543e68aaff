/** Instants as integer microseconds since the epoch, read from and written as ISO-8601 text. */
import { offsetAt, toWall, wallToInstant } from "./time-zone";

export type Micros = number;

const ISO_RE =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/;

/**
 * Reads an ISO-8601 date-time. One without an offset is a local time in `naiveZone`
 * (Prefect reads naive datetimes in the schedule's zone).
 */
export function parseInstant(value: string | Date, naiveZone = "UTC"): Micros {
  if (value instanceof Date) return value.getTime() * 1000;
  const m = ISO_RE.exec(value.trim());
  if (!m) {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${value}`);
    return ms * 1000;
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const wall = new Date(0);
  wall.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  wall.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const micros = Number(frac.padEnd(6, "0").slice(0, 6));
  const wallMs = wall.getTime();
  if (zone === undefined) return wallToInstant(wallMs, naiveZone, "forward") * 1000 + micros;
  return (wallMs - zoneOffsetMs(zone)) * 1000 + micros;
}

function zoneOffsetMs(zone: string): number {
  if (zone === "Z" || zone === "z") return 0;
  const digits = zone.slice(1).replace(/:/g, "");
  const seconds = Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 + Number(digits.slice(4, 6) || 0);
  return (zone[0] === "-" ? -seconds : seconds) * 1000;
}

function splitMicros(micros: Micros): { ms: number; sub: number } {
  const ms = Math.floor(micros / 1000);
  return { ms, sub: micros - ms * 1000 };
}

/** `2024-01-01T09:00:00.000000Z`, as src/lib/time.ts writes timestamps. */
export function formatInstant(micros: Micros): string {
  const { ms, sub } = splitMicros(Math.round(micros));
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(sub).padStart(3, "0")}Z`;
}

/**
 * Python's `str()` of a zone-aware datetime in `tz`: `2024-01-01 09:00:00-05:00`, with
 * `.ffffff` only when there are microseconds. Prefect builds idempotency keys from it.
 */
export function formatPythonDatetime(micros: Micros, tz: string): string {
  const { ms, sub } = splitMicros(Math.round(micros));
  const wall = toWall(ms, tz);
  const iso = new Date(wall).toISOString();
  const usec = (wall % 1000 + 1000) % 1000 * 1000 + sub;
  const fraction = usec ? `.${String(usec).padStart(6, "0")}` : "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}${formatOffset(offsetAt(ms, tz))}`;
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const total = Math.abs(Math.round(offsetMs / 1000));
  const hh = String(Math.floor(total / 3600)).padStart(2, "0");
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const ss = total % 60;
  return `${sign}${hh}:${mm}${ss ? `:${String(ss).padStart(2, "0")}` : ""}`;
}
