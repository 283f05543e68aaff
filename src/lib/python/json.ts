/**
 * JSON as Python's `json` module reads and writes it.
 *
 * `json.loads` answers errors with messages clients show (`Expecting value: line 1 column 1
 * (char 0)`), and Python tells `60.0` (a float) from `60` (an int) and keeps every digit of a
 * large int, which JavaScript's JSON.parse does not: Prefect hashes block schema fields as
 * `json.dumps(..., sort_keys=True)` prints them, so those are parsed keeping each number's kind.
 */
import { pyFloatRepr } from "./repr";
import { PyBigInt, PyFloat, type PyValue } from "./values";

const LITERALS = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
] as const;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * Python's `json.loads`, its error messages included. With `keepNumberKinds`, floats come back
 * as PyFloat and integers beyond a double's precision as PyBigInt (see `pyDumps`).
 */
export function parsePythonJson(doc: string, opts: { keepNumberKinds: true }): PyValue;
export function parsePythonJson(doc: string, opts?: { keepNumberKinds?: false }): unknown;
export function parsePythonJson(doc: string, opts: { keepNumberKinds?: boolean } = {}): unknown {
  let pos = 0;
  const fail = (msg: string, at: number): never => {
    const lineno = doc.slice(0, at).split("\n").length;
    const colno = at - doc.lastIndexOf("\n", at - 1);
    throw new Error(`${msg}: line ${lineno} column ${colno} (char ${at})`);
  };
  const ws = () => {
    while (pos < doc.length && " \t\n\r".includes(doc[pos])) pos++;
  };
  const number = (text: string, isFloat: boolean): unknown => {
    const n = Number(text);
    if (!opts.keepNumberKinds) return n;
    if (isFloat) return new PyFloat(n);
    return Number.isSafeInteger(n) ? (n === 0 ? 0 : n) : new PyBigInt(text);
  };
  const value = (): unknown => {
    const ch = doc[pos];
    if (ch === '"') return string();
    if (ch === "{") return object();
    if (ch === "[") return array();
    for (const [lit, v] of LITERALS) {
      if (doc.startsWith(lit, pos)) {
        pos += lit.length;
        return v;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(doc);
    if (m) {
      pos += m[0].length;
      return number(m[0], m[1] !== undefined || m[2] !== undefined);
    }
    return fail("Expecting value", pos);
  };
  const string = (): string => {
    const start = pos;
    pos++;
    let out = "";
    for (;;) {
      if (pos >= doc.length) fail("Unterminated string starting at", start);
      const ch = doc[pos];
      if (ch === '"') {
        pos++;
        return out;
      }
      if (ch === "\\") {
        const esc = doc[pos + 1];
        if (esc === undefined) fail("Unterminated string starting at", start);
        if (esc in ESCAPES) {
          out += ESCAPES[esc];
          pos += 2;
        } else if (esc === "u") {
          const hex = doc.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("Invalid \\uXXXX escape", pos + 1);
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else fail("Invalid \\escape", pos);
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail("Invalid control character at", pos);
      out += ch;
      pos++;
    }
  };
  /** `{…}` or `[…]` from its opening bracket: `item`s separated by commas up to `close`, as Python's scanner reads them. */
  const items = (close: "}" | "]", item: () => void): void => {
    pos++;
    ws();
    if (doc[pos] === close) {
      pos++;
      return;
    }
    for (;;) {
      ws();
      item();
      ws();
      if (doc[pos] === close) {
        pos++;
        return;
      }
      if (doc[pos] !== ",") fail("Expecting ',' delimiter", pos);
      pos++;
    }
  };
  const object = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    items("}", () => {
      if (doc[pos] !== '"') fail("Expecting property name enclosed in double quotes", pos);
      const key = string();
      ws();
      if (doc[pos] !== ":") fail("Expecting ':' delimiter", pos);
      pos++;
      ws();
      out[key] = value();
    });
    return out;
  };
  const array = (): unknown[] => {
    const out: unknown[] = [];
    items("]", () => out.push(value()));
    return out;
  };
  ws();
  const result = value();
  ws();
  if (pos !== doc.length) fail("Extra data", pos);
  return result;
}

/** A string as `json.dumps` (ensure_ascii) writes it. */
export function pyJsonString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const ch = s[k];
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A float as `json.dumps` writes it: its repr, but NaN and Infinity as JavaScript spells them. */
function dumpFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return pyFloatRepr(x);
}

/** Python orders str keys by code point (JavaScript's default sort is by UTF-16 unit). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    const d = x[k].codePointAt(0)! - y[k].codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/** `json.dumps(value, sort_keys=True)` with Python's default separators. */
export function pyDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof PyFloat) return dumpFloat(value.value);
  if (value instanceof PyBigInt) return value.digits.replace(/^-0$/, "0");
  if (typeof value === "number") return Number.isInteger(value) ? (Object.is(value, -0) ? "0" : String(value)) : dumpFloat(value);
  if (typeof value === "string") return pyJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(", ")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(byCodePoint);
  return `{${keys.map((k) => `${pyJsonString(k)}: ${pyDumps(obj[k])}`).join(", ")}}`;
}

/** Plain JSON-ready values (floats and big integers as JavaScript numbers), for storage. */
export function toPlain(value: PyValue): unknown {
  if (value instanceof PyFloat || value instanceof PyBigInt) return value.toJSON();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}
