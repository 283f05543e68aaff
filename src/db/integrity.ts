/** SQLite's unique-constraint failure, however D1/drizzle wrap it. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: any = err; e; e = e.cause) if (/UNIQUE constraint failed/i.test(String(e.message ?? ""))) return true;
  return false;
}

/** The outcome of `write`; an integrity failure (by default a taken unique key) is thrown as `refusal()`. */
export async function refusingViolations<T>(write: PromiseLike<T>, refusal: () => Error, violated = isUniqueViolation): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (violated(err)) throw refusal();
    throw err;
  }
}
