/** Server-made ids are UUIDv4, as Prefect's; state, log and event ids are time-ordered (v7). */
export function uuid4(): string {
  return crypto.randomUUID();
}

export function uuid7(now = Date.now()): string {
  if (!Number.isSafeInteger(now) || now < 0 || now >= 2 ** 48) throw new RangeError(`uuid7: not a time in ms: ${now}`);
  // A random (v4) UUID with its first 48 bits replaced by the time in ms and its version made 7.
  const time = now.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${crypto.randomUUID().slice(15)}`;
}

/** Accepts any form pydantic accepts (upper case, no hyphens) and answers the canonical one. */
export function normalizeUuid(value: string): string {
  const hex = value.replace(/-/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
