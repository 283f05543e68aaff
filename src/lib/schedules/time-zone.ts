/**
 * Time-zone arithmetic on the runtime's Intl data. A "wall" value is a local date-time encoded as
 * if it were UTC (Date.UTC of the local fields), so calendar arithmetic on it is plain arithmetic.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** IANA zone names as Python's zoneinfo knows them: case-exact, no bare UTC offsets. */
export function isValidTimezone(tz: unknown): tz is string {
  if (typeof tz !== "string" || tz === "" || !/^[A-Za-z]/.test(tz)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // Intl matches names case-insensitively; zoneinfo does not.
  return resolved === tz || resolved.toLowerCase() !== tz.toLowerCase();
}

/** The zone's UTC offset (ms, local minus UTC) at an instant. */
export function offsetAt(instantMs: number, tz: string): number {
  if (tz === "UTC") return 0;
  const second = Math.floor(instantMs / 1000) * 1000;
  return toWall(second, tz) - second;
}

/** Local wall-clock value (see module comment) of an instant, at whole-second precision. */
export function toWall(instantMs: number, tz: string): number {
  if (tz === "UTC") return instantMs;
  const fields: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(new Date(instantMs))) fields[part.type] = part.value;
  let year = Number(fields.year);
  if (fields.era === "BC" || fields.era === "B") year = 1 - year;
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(fields.month) - 1, Number(fields.day));
  wall.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
  return wall.getTime() + (instantMs - Math.floor(instantMs / 1000) * 1000);
}

/**
 * How a local time that does not exist (clocks jumped forward over it) maps to an instant:
 * "forward" reads it with the offset from before the jump (02:30 becomes 03:30, as Python's
 * fold=0, whenever and Temporal do); "backward" reads it with the offset after the jump
 * (02:30 becomes 01:30, as dateutil's tz does). Repeated local times always take the earlier one.
 */
export type GapPolicy = "forward" | "backward";

/** The offset to subtract from a wall value to get its instant. */
export function offsetForWall(wallMs: number, tz: string, gap: GapPolicy): number {
  if (tz === "UTC") return 0;
  const before = offsetAt(wallMs - DAY_MS, tz);
  const after = offsetAt(wallMs + DAY_MS, tz);
  let best: number | null = null;
  for (const candidate of before === after ? [before] : [before, after]) {
    if (offsetAt(wallMs - candidate, tz) === candidate && (best === null || candidate > best)) best = candidate;
  }
  if (best !== null) return best;
  const here = offsetAt(wallMs - before, tz);
  if (offsetAt(wallMs - here, tz) === here) return here;
  return gap === "forward" ? before : after;
}

export function wallToInstant(wallMs: number, tz: string, gap: GapPolicy): number {
  return wallMs - offsetForWall(wallMs, tz, gap);
}
