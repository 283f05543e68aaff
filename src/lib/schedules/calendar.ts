/** Proleptic Gregorian calendar helpers on epoch day numbers (days since 1970-01-01). */

export const DAY_MS = 86_400_000;

export function dayNumber(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.floor(d.getTime() / DAY_MS);
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday, as cron counts. */
  weekday: number;
}

export function civil(dayNo: number): CivilDate {
  const d = new Date(dayNo * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
