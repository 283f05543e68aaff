import { ApiError } from "../lib/errors";
import { utf8Length } from "../lib/utf8";

/**
 * D1 stores at most 2 000 000 bytes in a string, a BLOB or a row (Cloudflare's D1 limits; local
 * workerd too), and answers SQLITE_TOOBIG beyond. Every statement is checked when its values are
 * bound, before anything is sent: values that together take more than MAX_STORED_BYTES are
 * refused with a 413 naming the table and columns they were meant for. The margin below D1's limit
 * leaves room for the columns a statement does not bind. A row that grows past the limit in SQL
 * (a merge of the stored value with a new one) still gets SQLITE_TOOBIG, answered as a 413 too.
 */
export const D1_MAX_ROW_BYTES = 2_000_000;
export const MAX_STORED_BYTES = 1_900_000;

export class TooLargeToStore extends ApiError {
  constructor(what: string, bytes: number) {
    super(413, `Too large to store: ${what} ${bytes} bytes; a record holds at most ${MAX_STORED_BYTES} bytes (D1's row limit).`);
  }
}

/**
 * The refusal behind a failed statement: a TooLargeToStore (possibly wrapped by drizzle), or the
 * 413 for a statement D1 refused as too big (a row that outgrew the limit in SQL).
 */
export function storageRefusal(err: unknown): ApiError | null {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof TooLargeToStore) return e;
    if (e.message.includes("SQLITE_TOOBIG")) return new ApiError(413, `Too large to store: the record would exceed D1's row limit of ${D1_MAX_ROW_BYTES} bytes.`);
  }
  return null;
}

const guarded = new WeakMap<D1Database, D1Database>();
const UNWRAP = Symbol("unwrap");

/** The D1 binding with every statement's bound values checked (see above). */
export function rowGuardedD1(d1: D1Database): D1Database {
  let db = guarded.get(d1);
  if (!db) {
    db = new Proxy(d1, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "prepare") return (sql: string) => guardStatement(value.call(target, sql), sql);
        // The batch needs the statements under our proxies.
        if (prop === "batch") return (stmts: D1PreparedStatement[]) => value.call(target, stmts.map((s) => (s as any)[UNWRAP] ?? s));
        return value.bind(target);
      },
    });
    guarded.set(d1, db);
  }
  return db;
}

function guardStatement(stmt: D1PreparedStatement, sql: string): D1PreparedStatement {
  return new Proxy(stmt, {
    get(target, prop) {
      if (prop === UNWRAP) return target;
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "bind")
        return (...values: unknown[]) => {
          checkBound(sql, values);
          return guardStatement(value.apply(target, values), sql);
        };
      return value.bind(target);
    },
  });
}

/**
 * Throws TooLargeToStore when the values bound for one row (an INSERT's tuple, an UPDATE's SET)
 * take more than MAX_STORED_BYTES, or any value does.
 */
export function checkBound(sql: string, values: readonly unknown[]): void {
  let units = 0;
  for (const v of values) units += typeof v === "string" ? v.length : sizeOfBinary(v);
  // A UTF-16 unit is at most 3 bytes of UTF-8: most statements stop here, without counting bytes.
  if (units * 3 <= MAX_STORED_BYTES) return;
  const sizes = values.map((v) => (typeof v === "string" ? utf8Length(v) : sizeOfBinary(v)));
  if (sizes.reduce((a, b) => a + b, 0) <= MAX_STORED_BYTES) return;
  const slots = boundColumns(sql);
  const table = /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|update)\s+"?(\w+)"?/i.exec(sql)?.[1];
  const rows = new Map<number, { column: string; size: number }[]>();
  sizes.forEach((size, i) => {
    const slot = slots?.[i];
    if (slot && table) {
      const row = rows.get(slot.row) ?? [];
      row.push({ column: `${table}.${slot.column}`, size });
      rows.set(slot.row, row);
    } else if (size > MAX_STORED_BYTES) throw new TooLargeToStore("a value of this request takes", size);
  });
  for (const row of rows.values()) {
    if (row.reduce((a, b) => a + b.size, 0) > MAX_STORED_BYTES) {
      const { names, bytes } = largest(row);
      throw new TooLargeToStore(`${names.join(", ")} ${names.length === 1 ? "takes" : "take"}`, bytes);
    }
  }
}

/** The largest of a row's values, enough of them to pass the limit: their columns and size. */
function largest(row: { column: string; size: number }[]): { names: string[]; bytes: number } {
  const names: string[] = [];
  let bytes = 0;
  for (const { column, size } of [...row].sort((a, b) => b.size - a.size)) {
    if (bytes > MAX_STORED_BYTES) break;
    if (!names.includes(column)) names.push(column);
    bytes += size;
  }
  return { names, bytes };
}

function sizeOfBinary(v: unknown): number {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? v.byteLength : 0;
}


/**
 * The column and row each `?` of an INSERT … VALUES (a row per tuple) or an UPDATE … SET (one row)
 * binds, as drizzle writes them; undefined for placeholders elsewhere (WHERE, RETURNING, ON
 * CONFLICT). Null for other SQL.
 */
export function boundColumns(sql: string): ({ column: string; row: number } | undefined)[] | null {
  const insert = /^\s*insert\s+(?:or\s+\w+\s+)?into\s+"?\w+"?\s*\(([^)]*)\)\s*values\s*/i.exec(sql);
  if (insert) {
    const names = insert[1]!.split(",").map(unquote);
    const out: ({ column: string; row: number } | undefined)[] = [];
    let rest = sql.slice(insert[0].length);
    for (let row = 0; ; row++) {
      const tuple = /^\s*\(/.exec(rest);
      if (!tuple) break;
      const body = balanced(rest, tuple[0].length - 1);
      if (body === null) return null;
      topLevelParts(body.inner).forEach((part, i) => out.push(...placeholders(part).map(() => (names[i] ? { column: names[i]!, row } : undefined))));
      rest = rest.slice(body.end + 1).replace(/^\s*,/, "");
    }
    return out;
  }
  const update = /^\s*update\s+"?\w+"?\s+set\s+/i.exec(sql);
  if (update) {
    const rest = sql.slice(update[0].length);
    const end = rest.search(/\s(where|returning|from)\s/i);
    const out: ({ column: string; row: number } | undefined)[] = [];
    for (const part of topLevelParts(end < 0 ? rest : rest.slice(0, end))) {
      const column = /^\s*"?(\w+)"?\s*=/.exec(part)?.[1];
      out.push(...placeholders(part).map(() => (column ? { column, row: 0 } : undefined)));
    }
    return out;
  }
  return null;
}

const unquote = (s: string) => s.trim().replace(/^"|"$/g, "");
const placeholders = (s: string) => s.match(/\?/g) ?? [];

/** The text inside the parenthesis that opens at `open`, and where it closes. */
function balanced(s: string, open: number): { inner: string; end: number } | null {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return { inner: s.slice(open + 1, i), end: i };
  }
  return null;
}

/** `s` split at its commas outside parentheses and quotes. */
function topLevelParts(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
