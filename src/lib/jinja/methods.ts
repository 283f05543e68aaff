/** The attributes templates reach on builtin values: str, dict, list and tuple methods. */
import { PyException, typeError, valueError } from "./errors";
import { formatSpec, strFormat } from "./format";
import {
  DictView,
  chars,
  dictEntries,
  dictGet,
  isInt,
  isMapping,
  isSeq,
  isStr,
  iterate,
  Markup,
  MISSING,
  num,
  PyCallable,
  pyEq,
  PyObject,
  pyStr,
  PyTuple,
  tuple,
  typeName,
  UNSAFE_METHOD,
} from "./values";

export type Lookup = (obj: unknown, key: unknown, attr: boolean) => unknown;
type Method = (self: any, args: unknown[], kwargs: Record<string, unknown>, lookup?: Lookup) => unknown;

const PY_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

function strArg(v: unknown, method: string): string {
  if (!isStr(v)) throw typeError(`${method} arg must be None or str`);
  return pyStr(v);
}

export function pyStrip(s: string, charsArg: unknown, left: boolean, right: boolean): string {
  const set = charsArg === null || charsArg === undefined ? PY_WHITESPACE : strArg(charsArg, "strip");
  const cs = chars(s);
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && set.includes(cs[a])) a++;
  if (right) while (b > a && set.includes(cs[b - 1])) b--;
  return cs.slice(a, b).join("");
}

export function pySplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^[\s\x1c-\x1f\x85]+/u, "");
    while (rest) {
      if (maxsplit >= 0 && out.length >= maxsplit) {
        out.push(rest);
        break;
      }
      const m = /[\s\x1c-\x1f\x85]+/u.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (out.length && maxsplit >= 0 && out.length > maxsplit) return out;
    return out;
  }
  const sepText = strArg(sep, "split");
  if (!sepText) throw valueError("empty separator");
  const parts = s.split(sepText);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sepText)];
}

export function pySplitlines(s: string, keep = false): string[] {
  const parts = s.split(/(\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])/);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    if (i === parts.length - 1 && parts[i] === "") break;
    out.push(parts[i] + (keep && parts[i + 1] ? parts[i + 1] : ""));
  }
  return out;
}

export function pyTitle(s: string): string {
  let prevCased = false;
  let out = "";
  for (const ch of s) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (prevCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevCased = cased;
  }
  return out;
}

export const pyCapitalize = (s: string) => {
  const cs = chars(s);
  return cs.length ? cs[0].toUpperCase() + cs.slice(1).join("").toLowerCase() : "";
};

const intArg = (v: unknown, dflt: number) => (v === undefined || v === null ? dflt : isInt(v) ? num(v) : raise(typeError(`'${typeName(v)}' object cannot be interpreted as an integer`)));
const raise = (e: Error): never => {
  throw e;
};

function prefixes(v: unknown, method: string): string[] {
  if (v instanceof PyTuple) return v.map((x) => strArg(x, method));
  if (!isStr(v)) throw typeError(`${method} first arg must be str or a tuple of str, not ${typeName(v)}`);
  return [pyStr(v)];
}

function sliceOf(s: string, start: unknown, end: unknown): [string, number] {
  const cs = chars(s);
  const n = cs.length;
  let a = start === undefined || start === null ? 0 : num(start);
  let b = end === undefined || end === null ? n : num(end);
  if (a < 0) a = Math.max(0, a + n);
  if (b < 0) b = Math.max(0, b + n);
  return [cs.slice(Math.min(a, n), Math.min(b, n)).join(""), a];
}

const isCased = (ch: string) => ch.toLowerCase() !== ch.toUpperCase();

const STR_METHODS: Record<string, Method> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s: string) => chars(s).map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
  title: (s) => pyTitle(s),
  capitalize: (s) => pyCapitalize(s),
  strip: (s, [c]) => pyStrip(s, c, true, true),
  lstrip: (s, [c]) => pyStrip(s, c, true, false),
  rstrip: (s, [c]) => pyStrip(s, c, false, true),
  split: (s, [sep, max], kw) => pySplit(s, sep ?? kw.sep, intArg(max ?? kw.maxsplit, -1)),
  rsplit: (s, [sep, max], kw) => {
    const m = intArg(max ?? kw.maxsplit, -1);
    if (m < 0) return pySplit(s, sep ?? kw.sep, -1);
    const rev = pySplit(chars(s).reverse().join(""), sep === undefined || sep === null ? sep : chars(pyStr(sep)).reverse().join(""), m);
    return rev.map((p) => chars(p).reverse().join("")).reverse();
  },
  splitlines: (s, [keep]) => pySplitlines(s, !!keep),
  replace: (s: string, [old, rep, count]) => {
    const o = strArg(old, "replace");
    const r = strArg(rep, "replace");
    let n = intArg(count, -1);
    if (n < 0) return o === "" ? chars(s).join(r).replace(/^/, r) + r : s.split(o).join(r);
    if (o === "") {
      const cs = chars(s);
      let out = "";
      for (let i = 0; i <= cs.length; i++) {
        if (n > 0) {
          out += r;
          n--;
        }
        if (i < cs.length) out += cs[i];
      }
      return out;
    }
    const parts = s.split(o);
    return parts.slice(0, n + 1).join(r) + (parts.length > n + 1 ? o + parts.slice(n + 1).join(o) : "");
  },
  startswith: (s, [p, start, end]) => {
    const [sub] = sliceOf(s, start, end);
    return prefixes(p, "startswith").some((x) => sub.startsWith(x));
  },
  endswith: (s, [p, start, end]) => {
    const [sub] = sliceOf(s, start, end);
    return prefixes(p, "endswith").some((x) => sub.endsWith(x));
  },
  find: (s, [sub, start, end]) => {
    const [part, offset] = sliceOf(s, start, end);
    const i = part.indexOf(strArg(sub, "find"));
    return i < 0 ? -1 : chars(part.slice(0, i)).length + offset;
  },
  rfind: (s, [sub, start, end]) => {
    const [part, offset] = sliceOf(s, start, end);
    const i = part.lastIndexOf(strArg(sub, "rfind"));
    return i < 0 ? -1 : chars(part.slice(0, i)).length + offset;
  },
  index: (s, args, kw) => {
    const i = STR_METHODS.find(s, args, kw) as number;
    if (i < 0) throw valueError("substring not found");
    return i;
  },
  count: (s, [sub, start, end]) => {
    const [part] = sliceOf(s, start, end);
    const t = strArg(sub, "count");
    return t === "" ? chars(part).length + 1 : part.split(t).length - 1;
  },
  join: (s, [items]) =>
    iterate(items)
      .map((x, i) => {
        if (!isStr(x)) throw typeError(`sequence item ${i}: expected str instance, ${typeName(x)} found`);
        return pyStr(x);
      })
      .join(s),
  zfill: (s: string, [w]) => {
    const width = intArg(w, 0);
    const sign = /^[+-]/.test(s) ? s[0] : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  },
  center: (s: string, [w, f]) => {
    const width = intArg(w, 0);
    const fill = f === undefined ? " " : pyStr(f);
    const n = chars(s).length;
    if (width <= n) return s;
    const total = width - n;
    const left = Math.floor(total / 2) + (total & width & 1);
    return fill.repeat(left) + s + fill.repeat(total - left);
  },
  ljust: (s: string, [w, f]) => s + (f === undefined ? " " : pyStr(f)).repeat(Math.max(0, intArg(w, 0) - chars(s).length)),
  rjust: (s: string, [w, f]) => (f === undefined ? " " : pyStr(f)).repeat(Math.max(0, intArg(w, 0) - chars(s).length)) + s,
  partition: (s: string, [sep]) => {
    const t = strArg(sep, "partition");
    const i = s.indexOf(t);
    return i < 0 ? tuple(s, "", "") : tuple(s.slice(0, i), t, s.slice(i + t.length));
  },
  rpartition: (s: string, [sep]) => {
    const t = strArg(sep, "rpartition");
    const i = s.lastIndexOf(t);
    return i < 0 ? tuple("", "", s) : tuple(s.slice(0, i), t, s.slice(i + t.length));
  },
  removeprefix: (s: string, [p]) => (s.startsWith(pyStr(p)) ? s.slice(pyStr(p).length) : s),
  removesuffix: (s: string, [p]) => (pyStr(p) && s.endsWith(pyStr(p)) ? s.slice(0, -pyStr(p).length) : s),
  isdigit: (s) => /^\p{Nd}+$/u.test(s),
  isdecimal: (s) => /^\p{Nd}+$/u.test(s),
  isnumeric: (s) => /^\p{N}+$/u.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s: string) => s.length > 0 && chars(s).every((c) => PY_WHITESPACE.includes(c)),
  isupper: (s: string) => chars(s).some(isCased) && s === s.toUpperCase(),
  islower: (s: string) => chars(s).some(isCased) && s === s.toLowerCase(),
  istitle: (s: string) => chars(s).some(isCased) && pyTitle(s) === s,
  isidentifier: (s) => /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(s),
  format: (s, args, kwargs, lookup) => strFormat(s, args, kwargs, lookup ?? formatLookup),
  format_map: (s, [mapping], _kw, lookup) => {
    if (!isMapping(mapping)) throw typeError("format_map() argument must be a mapping");
    return strFormat(s, [], Object.fromEntries(dictEntries(mapping).map(([k, v]) => [pyStr(k), v])), lookup ?? formatLookup);
  },
  expandtabs: (s: string, [t]) => s.replace(/\t/g, " ".repeat(intArg(t, 8))),
  encode: () => {
    throw new PyException("SecurityError", "bytes are not available in templates");
  },
};

export function formatLookup(obj: unknown, key: unknown, attr: boolean): unknown {
  if (attr && typeof key === "string") {
    if (key.startsWith("_")) throw new PyException("SecurityError", `access to attribute ${JSON.stringify(key).replace(/"/g, "'")} of '${typeName(obj)}' object is unsafe.`);
    const v = attributeOf(obj, key);
    if (v === MISSING || v === UNSAFE_METHOD) throw new PyException("AttributeError", `'${typeName(obj)}' object has no attribute '${key}'`);
    return v;
  }
  if (isMapping(obj)) {
    const v = dictGet(obj, key);
    if (v === MISSING) throw new PyException("KeyError", `'${key}'`);
    return v;
  }
  if (isSeq(obj) && typeof key === "number") {
    if (key >= obj.length) throw new PyException("IndexError", "list index out of range");
    return obj[key];
  }
  throw typeError(`'${typeName(obj)}' object is not subscriptable`);
}

const DICT_METHODS: Record<string, Method> = {
  get: (d, args) => {
    if (!args.length) throw typeError("get expected at least 1 argument, got 0");
    const [key, dflt] = args;
    const v = dictGet(d, key);
    return v === MISSING ? (dflt === undefined ? null : dflt) : v;
  },
  items: (d) => DictView.of3("dict_items", dictEntries(d).map(([k, v]) => tuple(k, v))),
  keys: (d) => DictView.of3("dict_keys", dictEntries(d).map(([k]) => k)),
  values: (d) => DictView.of3("dict_values", dictEntries(d).map(([, v]) => v)),
  copy: (d) => (d instanceof Map ? new Map(d) : { ...d }),
};

const SEQ_METHODS: Record<string, Method> = {
  index: (l: unknown[], [x]) => {
    const i = l.findIndex((y) => pyEq(x, y));
    if (i < 0) throw valueError(l instanceof PyTuple ? "tuple.index(x): x not in tuple" : `${pyStr(x)} is not in list`);
    return i;
  },
  count: (l: unknown[], [x]) => l.filter((y) => pyEq(x, y)).length,
  copy: (l: unknown[]) => [...l],
};

const MUTATING: Record<string, Set<string>> = {
  list: new Set(["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"]),
  dict: new Set(["clear", "pop", "popitem", "setdefault", "update"]),
};

/** `obj.attr` for builtin values and PyObjects: a value, a bound method, MISSING, or UNSAFE_METHOD. */
export function attributeOf(obj: unknown, attr: string, lookup?: Lookup): unknown {
  if (obj instanceof PyObject) return obj.getAttr(attr);
  if (isStr(obj)) {
    if (attr === "__class__") return MISSING;
    if (!Object.hasOwn(STR_METHODS, attr)) return MISSING;
    const m = STR_METHODS[attr];
    const markup = obj instanceof Markup;
    return new PyCallable(attr, (args, kwargs) => {
      const r = m(pyStr(obj), args, kwargs, lookup);
      return markup && typeof r === "string" && attr !== "format" ? new Markup(r) : r;
    }, markup ? "Markup" : "str");
  }
  if (isMapping(obj)) {
    if (MUTATING.dict.has(attr)) return UNSAFE_METHOD;
    return Object.hasOwn(DICT_METHODS, attr) ? new PyCallable(attr, (args, kwargs) => DICT_METHODS[attr](obj, args, kwargs), "dict") : MISSING;
  }
  if (isSeq(obj)) {
    if ((obj as { isGroup?: boolean }).isGroup && (attr === "grouper" || attr === "list")) return obj[attr === "grouper" ? 0 : 1];
    if (!(obj instanceof PyTuple) && MUTATING.list.has(attr)) return UNSAFE_METHOD;
    if (obj instanceof PyTuple && attr === "copy") return MISSING;
    return Object.hasOwn(SEQ_METHODS, attr) ? new PyCallable(attr, (args, kwargs) => SEQ_METHODS[attr](obj, args, kwargs), typeName(obj)) : MISSING;
  }
  if (isInt(obj) && typeof obj !== "boolean") {
    if (attr === "real" || attr === "numerator") return obj;
    if (attr === "imag") return 0;
    if (attr === "denominator") return 1;
  }
  return MISSING;
}

export { formatSpec };
