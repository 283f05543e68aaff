/** The UTF-8 size of a string, in bytes, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair (4 bytes) is two units of 2.
    n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return n;
}

/** Whether `s` takes more than `max` bytes as UTF-8 (counted only when its length leaves a doubt). */
export function utf8Exceeds(s: string, max: number): boolean {
  return s.length > max || (s.length * 3 > max && utf8Length(s) > max);
}
