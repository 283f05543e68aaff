/**
 * JSON as Python's `json` module reads and writes it, for block schema checksums.
 *
 * Prefect hashes a schema's fields as `json.dumps(..., sort_keys=True)` prints them, and Python
 * tells `60.0` (a float, printed `60.0`) from `60` (an int), which JavaScript's JSON.parse does
 * not. So request bodies whose checksum matters are parsed here, keeping each number's kind, and
 * printed back the way Python prints them.
 */

/** A JSON number written as a float (`1.0`, `1e5`): Python keeps it a float. */
export class PyFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

/** A JSON integer too large for a double: Python keeps every digit. */
export class PyBigInt {
  constructor(readonly digits: string) {}
  toJSON(): number {
    return Number(this.digits);
  }
}

export type PyValue = null | boolean | number | string | PyFloat | PyBigInt | PyValue[] | { [key: string]: PyValue };

/** Parses (already validated) JSON text, keeping floats and big integers as Python would. */
export function pyParse(text: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`Invalid JSON at ${i}`);
  };
  const value = (): PyValue => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const out: Record<string, PyValue> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        out[key] = value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return out;
        }
        fail();
      }
    }
    if (ch === "[") {
      i++;
      const out: PyValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return out;
        }
        fail();
      }
    }
    if (ch === '"') return string();
    if (text.startsWith("true", i)) return (i += 4), true;
    if (text.startsWith("false", i)) return (i += 5), false;
    if (text.startsWith("null", i)) return (i += 4), null;
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail();
    i += m[0].length;
    if (m[1] !== undefined || m[2] !== undefined) return new PyFloat(Number(m[0]));
    const n = Number(m[0]);
    return Number.isSafeInteger(n) ? (n === 0 ? 0 : n) : new PyBigInt(m[0]);
  };
  const string = (): string => {
    // The string token ends at the first unescaped quote; JSON.parse decodes its escapes.
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, expText] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}.${frac || "0"}`;
}

/** A string as `json.dumps` (ensure_ascii) writes it. */
function pyString(s: string): string {
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
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (value instanceof PyBigInt) return value.digits.replace(/^-0$/, "0");
  if (typeof value === "number") return Number.isInteger(value) ? (Object.is(value, -0) ? "0" : String(value)) : pyFloatRepr(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(", ")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(byCodePoint);
  return `{${keys.map((k) => `${pyString(k)}: ${pyDumps(obj[k])}`).join(", ")}}`;
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

export const isDict = (v: unknown): v is Record<string, any> =>
  !!v && typeof v === "object" && !Array.isArray(v) && !(v instanceof PyFloat) && !(v instanceof PyBigInt);
