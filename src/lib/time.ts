import { datetimeUtc, parseDatetime } from "./datetime";

/** Timestamps are stored and answered as ISO-8601 UTC with microseconds, as Prefect writes them. */
export function isoNow(): string {
  return toIso(new Date());
}

/** That form of a Date, epoch milliseconds, or a datetime text (any offset, microseconds kept). */
export function toIso(value: Date | string | number): string {
  if (typeof value === "string") {
    const parsed = parseDatetime(value);
    if (parsed.ok) return datetimeUtc(parsed.fields);
    const micro = /\.(\d{4,6})\d*(Z|[+-]\d\d:?\d\d)?$/.exec(value);
    const d = new Date(value);
    const base = d.toISOString().slice(0, 19);
    if (micro && (micro[2] === undefined || micro[2] === "Z" || /^[+-]00:?00$/.test(micro[2]))) {
      return `${base}.${micro[1].padEnd(6, "0")}Z`;
    }
    return `${base}.${d.toISOString().slice(20, 23)}000Z`;
  }
  const d = value instanceof Date ? value : new Date(value);
  return `${d.toISOString().slice(0, 23)}000Z`;
}

export function toIsoOrNull(value: Date | string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : toIso(value);
}

export function millis(iso: string): number {
  return Date.parse(iso);
}

/** Seconds between two ISO timestamps (b - a), with microsecond precision where both carry it. */
export function secondsBetween(a: string, b: string): number {
  return (micros(b) - micros(a)) / 1e6;
}

function micros(iso: string): number {
  const ms = Math.floor(Date.parse(iso) / 1000) * 1000;
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? "0";
  return ms * 1000 + Number(frac.padEnd(6, "0").slice(0, 6));
}

export function addSeconds(iso: string, seconds: number): string {
  return toIso(Date.parse(iso) + seconds * 1000);
}
