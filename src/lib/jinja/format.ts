/** Python's string formatting: `%` (printf-style), format specs, and str.format. */
import { pyFloatRepr } from "../python";
import { PyException, typeError, valueError } from "./errors";
import { dictGet, isFloat, isInt, isMapping, isNumber, isStr, MISSING, num, PyTuple, pyRepr, pyStr, typeName } from "./values";

const PERCENT = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

/** `fmt % args`. */
export function pyFormatPercent(fmt: string, args: unknown): string {
  const positional = args instanceof PyTuple ? [...args] : [args];
  const mapping = isMapping(args) ? args : null;
  let index = 0;
  let usedMapping = false;
  const next = () => {
    if (index >= positional.length) throw typeError("not enough arguments for format string");
    return positional[index++];
  };
  const out = fmt.replace(PERCENT, (whole, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string | undefined) => {
    if (!conv) throw valueError(`incomplete format`);
    if (conv === "%" && whole === "%%") return "%";
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw typeError("format requires a mapping");
      value = dictGet(mapping, key);
      if (value === MISSING) throw new PyException("KeyError", key);
      usedMapping = true;
    }
    const w = width === "*" ? num(next()) : width ? Number(width) : 0;
    const p = precision === "*" ? num(next()) : precision !== undefined ? Number(precision) : null;
    if (key === undefined) value = next();
    let body: string;
    switch (conv) {
      case "s":
        body = pyStr(value);
        if (p !== null) body = Array.from(body).slice(0, p).join("");
        break;
      case "r":
      case "a":
        body = pyRepr(value);
        if (p !== null) body = body.slice(0, p);
        break;
      case "c":
        body = isInt(value) ? String.fromCodePoint(num(value)) : pyStr(value);
        break;
      default: {
        if (!isNumber(value)) throw typeError(`%${conv} format: a ${conv === "d" || conv === "i" || conv === "x" || conv === "X" || conv === "o" ? "real number" : "real number"} is required, not ${typeName(value)}`);
        body = formatNumber(num(value), conv, p, flags.includes("#"), isFloat(value));
        if (num(value) >= 0 || Number.isNaN(num(value))) {
          if (flags.includes("+")) body = `+${body}`;
          else if (flags.includes(" ")) body = ` ${body}`;
        }
      }
    }
    if (body.length < w) {
      if (flags.includes("-")) body = body.padEnd(w);
      else if (flags.includes("0") && !"srac".includes(conv)) {
        const sign = /^[+\- ]/.test(body) ? body[0] : "";
        body = sign + body.slice(sign.length).padStart(w - sign.length, "0");
      } else body = body.padStart(w);
    }
    return body;
  });
  if (!mapping && index < positional.length && !(positional.length === 1 && index === 0 && false))
    throw typeError("not all arguments converted during string formatting");
  void usedMapping;
  return out;
}

function formatNumber(x: number, conv: string, precision: number | null, alt: boolean, _float: boolean): string {
  switch (conv) {
    case "d":
    case "i":
    case "u":
      return Math.trunc(x).toFixed(0);
    case "x":
      return (x < 0 ? "-" : "") + (alt ? "0x" : "") + Math.abs(Math.trunc(x)).toString(16);
    case "X":
      return (x < 0 ? "-" : "") + (alt ? "0X" : "") + Math.abs(Math.trunc(x)).toString(16).toUpperCase();
    case "o":
      return (x < 0 ? "-" : "") + (alt ? "0o" : "") + Math.abs(Math.trunc(x)).toString(8);
    case "f":
    case "F":
      return fixed(x, precision ?? 6);
    case "e":
    case "E": {
      const s = expo(x, precision ?? 6);
      return conv === "E" ? s.toUpperCase() : s;
    }
    case "g":
    case "G": {
      const s = general(x, precision ?? 6, alt);
      return conv === "G" ? s.toUpperCase() : s;
    }
  }
  throw valueError(`unsupported format character '${conv}'`);
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return null;
}

/** The exact decimal digits of a double: x = ±digits × 10^-scale. */
function exactDecimal(x: number): { neg: boolean; digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = expBits - 1075;
  }
  if (exp >= 0) return { neg, digits: mantissa << BigInt(exp), scale: 0 };
  return { neg, digits: mantissa * 5n ** BigInt(-exp), scale: -exp };
}

/** x rounded half-to-even at `digits` decimals (exactly, as Python's round() and '%.Nf' do): ±units × 10^-digits. */
export function roundExact(x: number, digits: number): { neg: boolean; units: bigint } {
  const { neg, digits: d, scale } = exactDecimal(x);
  if (scale <= digits) return { neg, units: d * 10n ** BigInt(digits - scale) };
  const div = 10n ** BigInt(scale - digits);
  let q = d / div;
  const r = d % div;
  const twice = r * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  return { neg, units: q };
}

/** Fixed-point with Python's exact round-half-even. */
export function fixed(x: number, digits: number): string {
  const s = special(x);
  if (s) return s;
  const { neg, units } = roundExact(x, digits);
  let text = units.toString().padStart(digits + 1, "0");
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return (neg ? "-" : "") + text;
}

function expo(x: number, digits: number): string {
  const s = special(x);
  if (s) return s;
  const [m, e] = x.toExponential(Math.min(digits, 100)).split("e");
  const n = Number(e);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

function general(x: number, precision: number, alt: boolean): string {
  const s = special(x);
  if (s) return s;
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return alt ? `0.${"0".repeat(p - 1)}` : Object.is(x, -0) ? "-0" : "0";
  const exp = Number(x.toExponential(p - 1).split("e")[1]);
  let out: string;
  if (exp >= -4 && exp < p) out = x.toFixed(Math.max(0, p - 1 - exp));
  else out = expo(x, p - 1);
  if (!alt) {
    out = out.replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  }
  return out;
}

const SPEC = /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

/** format(value, spec): Python's format-spec mini-language for str, int and float. */
export function formatSpec(value: unknown, spec: string): string {
  if (spec === "") return pyStr(value);
  const m = SPEC.exec(spec);
  if (!m) throw valueError(`Invalid format specifier '${spec}' for object of type '${typeName(value)}'`);
  let [, fill, align, sign, , alt, zero, width, grouping, precision, type] = m;
  const w = width ? Number(width) : 0;
  const p = precision !== undefined ? Number(precision) : null;
  let body: string;
  if (isStr(value) || !isNumber(value)) {
    if (!isStr(value) && value !== null && typeof value === "object") body = pyStr(value);
    else body = pyStr(value);
    if (type && type !== "s") throw valueError(`Unknown format code '${type}' for object of type '${typeName(value)}'`);
    if (sign) throw valueError("Sign not allowed in string format specifier");
    if (p !== null) body = Array.from(body).slice(0, p).join("");
    align = align ?? "<";
  } else {
    const x = num(value);
    const float = isFloat(value);
    let t = type ?? (float ? "" : "d");
    if (!float && "eEfFgG%".includes(t)) t = t;
    if (float && "dbcoxX".includes(t) && t !== "") throw valueError(`Unknown format code '${t}' for object of type 'float'`);
    let digits: string;
    const ax = Math.abs(x);
    switch (t) {
      case "d":
      case "n":
        digits = ax.toFixed(0);
        break;
      case "b":
        digits = (alt ? "0b" : "") + ax.toString(2);
        break;
      case "o":
        digits = (alt ? "0o" : "") + ax.toString(8);
        break;
      case "x":
        digits = (alt ? "0x" : "") + ax.toString(16);
        break;
      case "X":
        digits = (alt ? "0X" : "") + ax.toString(16).toUpperCase();
        break;
      case "c":
        digits = String.fromCodePoint(ax);
        break;
      case "%":
        digits = `${fixed(ax * 100, p ?? 6)}%`;
        break;
      case "f":
      case "F":
        digits = fixed(ax, p ?? 6);
        break;
      case "e":
      case "E":
        digits = expo(ax, p ?? 6);
        if (t === "E") digits = digits.toUpperCase();
        break;
      case "g":
      case "G":
        digits = general(ax, p ?? 6, !!alt);
        if (t === "G") digits = digits.toUpperCase();
        break;
      default:
        digits = p === null ? (float ? pyFloatRepr(ax) : ax.toFixed(0)) : general(ax, p, false).replace(/^(\d+)$/, float ? "$1" : "$1");
        if (p !== null && float && !/[.e]/.test(digits) && false) digits += ".0";
    }
    if (grouping) {
      const [intPart, ...rest] = digits.split(".");
      if (/^\d+$/.test(intPart)) digits = [intPart.replace(/\B(?=(\d{3})+(?!\d))/g, grouping), ...rest].join(".");
    }
    const neg = x < 0 || Object.is(x, -0);
    const signText = neg ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
    if (zero && !align) {
      fill = "0";
      align = "=";
    }
    align = align ?? ">";
    if (align === "=") {
      const pad = Math.max(0, w - signText.length - digits.length);
      return signText + (fill ?? " ").repeat(pad) + digits;
    }
    body = signText + digits;
  }
  const len = Array.from(body).length;
  if (len >= w) return body;
  const pad = w - len;
  const f = fill ?? " ";
  if (align === "<") return body + f.repeat(pad);
  if (align === ">" || align === "=") return f.repeat(pad) + body;
  const left = Math.floor(pad / 2);
  return f.repeat(left) + body + f.repeat(pad - left);
}

/** str.format as the sandbox allows it: fields by position or name, `.attr`/`[key]` through `lookup`. */
export function strFormat(fmt: string, args: unknown[], kwargs: Record<string, unknown>, lookup: (obj: unknown, key: unknown, attr: boolean) => unknown): string {
  let auto = 0;
  let numbering: "auto" | "manual" | null = null;
  const number = (kind: "auto" | "manual") => {
    if (numbering && numbering !== kind)
      throw valueError(kind === "auto" ? "cannot switch from manual field specification to automatic field numbering" : "cannot switch from automatic field numbering to manual field specification");
    numbering = kind;
  };
  let out = "";
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    if (ch === "{") {
      if (fmt[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      let end = i + 1;
      for (let depth = 1; end < fmt.length; end++) {
        if (fmt[end] === "{") depth++;
        else if (fmt[end] === "}" && --depth === 0) break;
      }
      if (end >= fmt.length) throw valueError("expected '}' before end of string");
      const field = fmt.slice(i + 1, end);
      i = end + 1;
      const specAt = field.search(/:(?![^[]*\])/);
      let head = specAt >= 0 ? field.slice(0, specAt) : field;
      let spec = specAt >= 0 ? field.slice(specAt + 1) : "";
      // A spec may hold replacement fields of its own (`{:>{width}}`).
      if (spec.includes("{")) {
        const inner = strFormatFields(spec, args, kwargs, lookup, () => auto++, number);
        spec = inner;
      }
      let conversion = "";
      const bang = head.indexOf("!");
      if (bang >= 0) {
        conversion = head.slice(bang + 1);
        head = head.slice(0, bang);
      }
      const nameMatch = /^[^.[]*/.exec(head)![0];
      let value: unknown;
      if (head === "") {
        number("auto");
        if (auto >= args.length) throw new PyException("IndexError", "tuple index out of range");
        value = args[auto++];
      } else if (/^\d+$/.test(nameMatch)) {
        number("manual");
        const n = Number(nameMatch);
        if (n >= args.length) throw new PyException("IndexError", "tuple index out of range");
        value = args[n];
      } else {
        if (!Object.hasOwn(kwargs, nameMatch)) throw new PyException("KeyError", nameMatch);
        value = kwargs[nameMatch];
      }
      const rest = head.slice(nameMatch.length);
      const re = /\.([^.[]+)|\[([^\]]+)\]/gy;
      let m: RegExpExecArray | null;
      while ((m = re.exec(rest))) value = m[1] !== undefined ? lookup(value, m[1], true) : lookup(value, /^\d+$/.test(m[2]) ? Number(m[2]) : m[2], false);
      if (conversion === "r" || conversion === "a") value = pyRepr(value);
      else if (conversion === "s") value = pyStr(value);
      out += formatSpec(value, spec);
    } else if (ch === "}") {
      if (fmt[i + 1] === "}") {
        out += "}";
        i += 2;
        continue;
      }
      throw valueError("Single '}' encountered in format string");
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** The replacement fields inside a format spec, resolved (one level, as Python allows). */
function strFormatFields(
  spec: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  lookup: (obj: unknown, key: unknown, attr: boolean) => unknown,
  nextAuto: () => number,
  number: (kind: "auto" | "manual") => void,
): string {
  return spec.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    if (name === "") {
      number("auto");
      const n = nextAuto();
      if (n >= args.length) throw new PyException("IndexError", "tuple index out of range");
      return pyStr(args[n]);
    }
    if (/^\d+$/.test(name)) {
      number("manual");
      if (Number(name) >= args.length) throw new PyException("IndexError", "tuple index out of range");
      return pyStr(args[Number(name)]);
    }
    if (!Object.hasOwn(kwargs, name)) throw new PyException("KeyError", name);
    void lookup;
    return pyStr(kwargs[name]);
  });
}
