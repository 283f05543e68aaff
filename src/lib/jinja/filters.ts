/** jinja2's builtin filters (jinja2.filters, 3.1), with Python's answers for Python's values. */
import { pyFloatRepr, pyJsonString } from "../python";
import { PyException, typeError, valueError } from "./errors";
import { fixed, formatSpec, pyFormatPercent, roundExact } from "./format";
import { pyCapitalize, pySplitlines, pyStrip } from "./methods";
import type { Filter, Renderer } from "./runtime";
import { urlize } from "./urlize";
import {
  chars,
  dictEntries,
  escapeHtml,
  isFloat,
  isInt,
  isMapping,
  isNumber,
  isStr,
  iterate,
  Markup,
  mkFloat,
  mkInt,
  num,
  pyCompare,
  pyEq,
  pyLen,
  pyRepr,
  pyStr,
  PyTuple,
  strLen,
  toJsonValue,
  tuple,
  typeName,
  Undefined,
} from "./values";

type Params = [string, unknown?][];
const REQUIRED = Symbol("required");

/** Python's argument binding for a filter's parameters (after the value). */
export function bind(name: string, params: Params, args: unknown[], kwargs: Record<string, unknown>): unknown[] {
  if (args.length > params.length) throw typeError(`${name}() takes ${params.length + 1} positional argument${params.length ? "s" : ""} but ${args.length + 1} were given`);
  const out = params.map(([, dflt], i) => (i < args.length ? args[i] : params[i].length > 1 ? dflt : REQUIRED));
  for (const [k, v] of Object.entries(kwargs)) {
    const i = params.findIndex(([p]) => p === k);
    if (i < 0) throw typeError(`${name}() got an unexpected keyword argument ${pyRepr(k)}`);
    if (i < args.length) throw typeError(`${name}() got multiple values for argument ${pyRepr(k)}`);
    out[i] = v;
  }
  const missing = params.filter((_, i) => out[i] === REQUIRED).map(([p]) => pyRepr(p));
  if (missing.length) throw typeError(`${name}() missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${missing.join(" and ")}`);
  return out;
}

const f = (params: Params, fn: (r: Renderer, value: any, ...args: any[]) => unknown, name = ""): Filter => (r, value, args, kwargs) =>
  fn(r, value, ...bind(name || fn.name || "filter", params, args, kwargs));

/** soft_str: str() that keeps Markup. */
const softStr = (v: unknown): string => pyStr(v);

/** Python's int() of a value, as do_int tries it. */
function toInt(v: unknown, base: number): number | null {
  if (isNumber(v)) return mkInt(Math.trunc(num(v)));
  if (isStr(v)) {
    const s = pyStr(v).trim().replace(/_/g, "");
    const re = base === 16 ? /^[+-]?(0x)?[0-9a-f]+$/i : base === 8 ? /^[+-]?(0o)?[0-7]+$/i : base === 2 ? /^[+-]?(0b)?[01]+$/i : /^[+-]?\d+$/;
    if (re.test(s)) {
      const neg = s.startsWith("-");
      const digits = s.replace(/^[+-]/, "").replace(/^0[xob]/i, "");
      const n = parseInt(digits, base);
      return neg ? -n : n;
    }
    return null;
  }
  return null;
}

/** Python's float() of a value, or null where it raises. */
export function toFloat(v: unknown): number | null {
  if (isNumber(v)) return num(v);
  if (isStr(v)) {
    const s = pyStr(v).trim().replace(/(\d)_(?=\d)/g, "$1").toLowerCase();
    if (/^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)$/.test(s)) return Number(s);
    if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(s)) return NaN;
  }
  return null;
}

/** make_attrgetter: an item/attribute path (`a.b`, `0`) read with the sandbox's getitem. */
function attrGetter(r: Renderer, attribute: unknown, postprocess?: (v: unknown) => unknown, dflt?: unknown): (item: unknown) => unknown {
  const parts = attribute === null || attribute === undefined ? [] : typeof attribute === "string" ? attribute.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [attribute];
  return (item) => {
    let v = item;
    for (const p of parts) {
      v = r.getitem(v, p);
      if (dflt !== undefined && v instanceof Undefined) v = dflt;
    }
    return postprocess ? postprocess(v) : v;
  };
}

const ignoreCase = (v: unknown) => (isStr(v) ? pyStr(v).toLowerCase() : v);

function sortItems(items: unknown[], key: (v: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = items.map((item) => [key(item), item] as const);
  keyed.sort((a, b) => pyCompare(a[0], b[0]));
  if (reverse) {
    // Python's sort(reverse=True) keeps equal items in their original order.
    const rev = items.map((item) => [key(item), item] as const);
    rev.sort((a, b) => pyCompare(b[0], a[0]));
    return rev.map(([, v]) => v);
  }
  return keyed.map(([, v]) => v);
}

function selectOrReject(r: Renderer, value: unknown, args: unknown[], kwargs: Record<string, unknown>, lookupAttr: boolean, modfunc: (b: boolean) => boolean): unknown[] {
  let transform = (x: unknown) => x;
  let rest = args;
  if (lookupAttr) {
    if (!args.length) throw typeError("Missing parameter for attribute name");
    transform = attrGetter(r, args[0]);
    rest = args.slice(1);
  }
  let test: (x: unknown) => boolean;
  if (rest.length) {
    const name = pyStr(rest[0]);
    const targs = rest.slice(1);
    test = (x) => r.callTest(name, x, targs);
  } else test = (x) => truthyValue(x);
  void kwargs;
  return iterate(value).filter((item) => modfunc(test(transform(item))));
}

import { truthy as truthyValue } from "./values";

function jsonDumps(value: unknown, indent: number | null, level = 0): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (isNumber(value)) {
    const x = num(value);
    if (isFloat(value)) return Number.isNaN(x) ? "NaN" : !Number.isFinite(x) ? (x > 0 ? "Infinity" : "-Infinity") : pyFloatRepr(x);
    return pyRepr(value);
  }
  if (typeof value === "string") return pyJsonString(value);
  const pad = indent === null ? "" : "\n" + " ".repeat(indent * (level + 1));
  const close = indent === null ? "" : "\n" + " ".repeat(indent * level);
  const sep = indent === null ? ", " : ",";
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    return `[${pad}${value.map((v) => jsonDumps(v, indent, level + 1)).join(sep + pad)}${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return "{}";
  return `{${pad}${entries.map(([k, v]) => `${pyJsonString(k)}: ${jsonDumps(v, indent, level + 1)}`).join(sep + pad)}${close}}`;
}

/** Prefect's tojson: models dumped to JSON values, json.dumps(sort_keys=True), then made HTML-safe. */
export function toJson(value: unknown, indent: unknown = null): Markup {
  const n = indent === null || indent === undefined ? null : num(indent);
  const text = jsonDumps(toJsonValue(value), n);
  return new Markup(text.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/'/g, "\\u0027"));
}

const URL_SAFE = /[A-Za-z0-9_.\-~]/;
function urlQuote(v: unknown, forQs: boolean): string {
  const bytes = new TextEncoder().encode(pyStr(v));
  let out = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (b < 128 && (URL_SAFE.test(ch) || (!forQs && ch === "/"))) out += ch;
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return forQs ? out.replace(/%20/g, "+") : out;
}

function pyRoundFloat(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits >= 0) {
    const { neg, units } = roundExact(x, Math.min(digits, 320));
    const s = units.toString().padStart(digits + 1, "0");
    return Number(`${neg ? "-" : ""}${digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s}`);
  }
  const p = 10 ** -digits;
  const { neg, units } = roundExact(x / p, 0);
  return Number(units) * p * (neg ? -1 : 1);
}

const FILESIZE_PREFIXES = ["K", "M", "G", "T", "P", "E", "Z", "Y"];

export const BUILTIN_FILTERS: Record<string, Filter> = {
  abs: f([], (_r, v) => {
    if (!isNumber(v)) throw typeError(`bad operand type for abs(): '${typeName(v)}'`);
    return isFloat(v) ? mkFloat(Math.abs(num(v))) : mkInt(Math.abs(num(v)));
  }, "abs"),
  attr: f([["name"]], (r, obj, name) => r.attribute(obj, pyStr(name)), "do_attr"),
  batch: f([["linecount"], ["fill_with", null]], (_r, v, linecount, fill) => {
    const n = num(linecount);
    const out: unknown[][] = [];
    let tmp: unknown[] = [];
    for (const item of iterate(v)) {
      if (tmp.length === n) {
        out.push(tmp);
        tmp = [];
      }
      tmp.push(item);
    }
    if (tmp.length) {
      if (fill !== null && tmp.length < n) while (tmp.length < n) tmp.push(fill);
      out.push(tmp);
    }
    return out;
  }, "do_batch"),
  capitalize: f([], (_r, v) => pyCapitalize(softStr(v)), "do_capitalize"),
  center: f([["width", 80]], (_r, v, width) => {
    const s = softStr(v);
    const w = num(width);
    const n = strLen(s);
    if (w <= n) return s;
    const total = w - n;
    const left = Math.floor(total / 2) + (total & w & 1);
    return " ".repeat(left) + s + " ".repeat(total - left);
  }, "do_center"),
  default: f([["default_value", ""], ["boolean", false]], (_r, v, dflt, boolean) => (v instanceof Undefined || (truthyValue(boolean) && !truthyValue(v)) ? dflt : v), "do_default"),
  dictsort: f([["case_sensitive", false], ["by", "key"], ["reverse", false]], (_r, v, cs, by, reverse) => {
    if (!isMapping(v)) throw typeError(`'${typeName(v)}' object has no attribute 'items'`);
    const pos = by === "key" ? 0 : by === "value" ? 1 : raise(new PyException("FilterArgumentError", "You can only sort by either \"key\" or \"value\""));
    const items = dictEntries(v).map(([k, x]) => tuple(k, x));
    return sortItems(items, (item) => (truthyValue(cs) ? (item as unknown[])[pos] : ignoreCase((item as unknown[])[pos])), truthyValue(reverse));
  }, "do_dictsort"),
  escape: f([], (_r, v) => (v instanceof Markup ? v : new Markup(escapeHtml(pyStr(v)))), "escape"),
  filesizeformat: f([["binary", false]], (_r, v, binary) => {
    const bytes = toFloat(v);
    if (bytes === null) throw typeError(`float() argument must be a string or a real number, not '${typeName(v)}'`);
    const base = truthyValue(binary) ? 1024 : 1000;
    if (bytes === 1) return "1 Byte";
    if (bytes < base) return `${fixed(Math.trunc(bytes), 0)} Bytes`.replace(/^(-?\d+) Bytes$/, (_, d) => `${Number(d)} Bytes`);
    for (let i = 0; i < FILESIZE_PREFIXES.length; i++) {
      const unit = base ** (i + 2);
      if (bytes < unit || i === FILESIZE_PREFIXES.length - 1) return `${fixed((base * bytes) / unit, 1)} ${truthyValue(binary) ? `${FILESIZE_PREFIXES[i]}iB` : `${i === 0 ? "k" : FILESIZE_PREFIXES[i]}B`}`;
    }
    return "";
  }, "do_filesizeformat"),
  first: f([], (_r, v) => {
    const items = iterate(v);
    return items.length ? items[0] : new Undefined("No first item, sequence was empty.");
  }, "do_first"),
  float: f([["default", new Number(0)]], (_r, v, dflt) => {
    if (v instanceof Undefined) v.fail();
    const x = toFloat(v);
    if (x === null) return dflt instanceof Number ? mkFloat(0) : dflt;
    return mkFloat(x);
  }, "do_float"),
  forceescape: f([], (_r, v) => new Markup(escapeHtml(pyStr(v))), "do_forceescape"),
  format: (_r, v, args, kwargs) => {
    if (args.length && Object.keys(kwargs).length) throw new PyException("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
    return pyFormatPercent(softStr(v), Object.keys(kwargs).length ? kwargs : PyTuple.of2(args));
  },
  groupby: f([["attribute"], ["default", undefined], ["case_sensitive", false]], (r, v, attribute, dflt, cs) => {
    const key = attrGetter(r, attribute, truthyValue(cs) ? undefined : ignoreCase, dflt);
    const sorted = sortItems(iterate(v), key, false);
    const groups: PyTuple[] = [];
    for (const item of sorted) {
      const k = key(item);
      const last = groups[groups.length - 1];
      if (last && pyEq(last[0], k)) (last[1] as unknown[]).push(item);
      else groups.push(tuple(k, [item]));
    }
    if (!truthyValue(cs)) {
      const output = attrGetter(r, attribute, undefined, dflt);
      for (const g of groups) g[0] = output((g[1] as unknown[])[0]);
    }
    return groups.map((g) => new GroupTuple(g[0], g[1] as unknown[]));
  }, "sync_do_groupby"),
  indent: f([["width", 4], ["first", false], ["blank", false]], (_r, v, width, first, blank) => {
    const indention = isStr(width) ? pyStr(width) : " ".repeat(num(width));
    const lines = pySplitlines(softStr(v) + "\n");
    let s: string;
    if (truthyValue(blank)) s = lines.join("\n" + indention);
    else {
      s = lines.shift()!;
      if (lines.length) s += "\n" + lines.map((line) => (line ? indention + line : line)).join("\n");
    }
    if (truthyValue(first)) s = indention + s;
    return s;
  }, "do_indent"),
  int: f([["default", 0], ["base", 10]], (_r, v, dflt, base) => {
    if (v instanceof Undefined) v.fail();
    const b = num(base);
    if (isStr(v)) {
      const n = toInt(v, b);
      if (n !== null) return n;
    } else if (isNumber(v)) {
      const x = num(v);
      if (Number.isFinite(x)) return mkInt(Math.trunc(x));
      return dflt;
    }
    const x = toFloat(v);
    if (x === null || !Number.isFinite(x)) return dflt;
    return mkInt(Math.trunc(x));
  }, "do_int"),
  items: f([], (_r, v) => {
    if (v instanceof Undefined) return [];
    if (!isMapping(v)) throw typeError("Can only get item pairs from a mapping.");
    return dictEntries(v).map(([k, x]) => tuple(k, x));
  }, "do_items"),
  join: f([["d", ""], ["attribute", null]], (r, v, d, attribute) => {
    let items = iterate(v);
    if (attribute !== null) items = items.map(attrGetter(r, attribute));
    const markup = r.autoescape && (d instanceof Markup || items.some((i) => i instanceof Markup));
    if (markup) return new Markup(items.map((i) => (i instanceof Markup ? i.text : escapeHtml(pyStr(i)))).join(d instanceof Markup ? d.text : escapeHtml(pyStr(d))));
    return r.checkSize(items.map((i) => pyStr(i)).join(pyStr(d)));
  }, "sync_do_join"),
  last: f([], (_r, v) => {
    const items = iterate(v);
    return items.length ? items[items.length - 1] : new Undefined("No last item, sequence was empty.");
  }, "do_last"),
  length: f([], (_r, v) => pyLen(v), "len"),
  list: f([], (_r, v) => iterate(v), "sync_do_list"),
  lower: f([], (_r, v) => softStr(v).toLowerCase(), "do_lower"),
  map: (r, v, args, kwargs) => {
    const items = iterate(v);
    if (!args.length && Object.hasOwn(kwargs, "attribute")) {
      const get = attrGetter(r, kwargs.attribute, undefined, kwargs.default);
      return items.map(get);
    }
    if (!args.length) throw new PyException("FilterArgumentError", "map requires a filter argument");
    const name = pyStr(args[0]);
    return items.map((item) => r.callFilter(name, item, args.slice(1), kwargs));
  },
  max: f([["case_sensitive", false], ["attribute", null]], (r, v, cs, attribute) => minMax(r, v, cs, attribute, 1), "do_max"),
  min: f([["case_sensitive", false], ["attribute", null]], (r, v, cs, attribute) => minMax(r, v, cs, attribute, -1), "do_min"),
  pprint: f([], (_r, v) => pyRepr(v), "do_pprint"),
  reject: (r, v, args, kwargs) => selectOrReject(r, v, args, kwargs, false, (x) => !x),
  rejectattr: (r, v, args, kwargs) => selectOrReject(r, v, args, kwargs, true, (x) => !x),
  replace: f([["old"], ["new"], ["count", null]], (r, v, old, rep, count) => {
    const s = softStr(v);
    const o = pyStr(old);
    const n = count === null ? -1 : num(count);
    const parts = s.split(o);
    if (o === "") return r.checkSize(n < 0 ? rep + chars(s).join(pyStr(rep)) + pyStr(rep) : s);
    const out = n < 0 ? parts.join(pyStr(rep)) : parts.slice(0, n + 1).join(pyStr(rep)) + (parts.length > n + 1 ? o + parts.slice(n + 1).join(o) : "");
    return r.checkSize(v instanceof Markup ? out : out);
  }, "do_replace"),
  reverse: f([], (_r, v) => {
    if (isStr(v)) return chars(pyStr(v)).reverse().join("");
    return iterate(v).reverse();
  }, "do_reverse"),
  round: f([["precision", 0], ["method", "common"]], (_r, v, precision, method) => {
    if (!["common", "ceil", "floor"].includes(pyStr(method))) throw new PyException("FilterArgumentError", "method must be common, ceil or floor");
    if (v instanceof Undefined) throw typeError("type ChainableUndefined doesn't define __round__ method");
    if (!isNumber(v)) throw typeError(`type ${typeName(v)} doesn't define __round__ method`);
    const p = num(precision);
    const x = num(v);
    if (method === "common") {
      if (isInt(v)) return p >= 0 ? mkInt(x) : mkInt(pyRoundFloat(x, p));
      return mkFloat(pyRoundFloat(x, p));
    }
    const m = 10 ** p;
    return mkFloat((method === "ceil" ? Math.ceil(x * m) : Math.floor(x * m)) / m);
  }, "do_round"),
  safe: f([], (_r, v) => (v instanceof Markup ? v : new Markup(pyStr(v))), "do_mark_safe"),
  select: (r, v, args, kwargs) => selectOrReject(r, v, args, kwargs, false, (x) => x),
  selectattr: (r, v, args, kwargs) => selectOrReject(r, v, args, kwargs, true, (x) => x),
  slice: f([["slices"], ["fill_with", null]], (_r, v, slices, fill) => {
    const seq = iterate(v);
    const n = num(slices);
    const perSlice = Math.floor(seq.length / n);
    const extra = seq.length % n;
    let offset = 0;
    const out: unknown[][] = [];
    for (let i = 0; i < n; i++) {
      const start = offset + i * perSlice;
      if (i < extra) offset += 1;
      const end = offset + (i + 1) * perSlice;
      const tmp = seq.slice(start, end);
      if (fill !== null && i >= extra) tmp.push(fill);
      out.push(tmp);
    }
    return out;
  }, "sync_do_slice"),
  sort: f([["reverse", false], ["case_sensitive", false], ["attribute", null]], (r, v, reverse, cs, attribute) => {
    const keys = attribute === null ? [null] : isStr(attribute) ? pyStr(attribute).split(",") : [attribute];
    const getters = keys.map((k) => attrGetter(r, k, truthyValue(cs) ? undefined : ignoreCase));
    const key = getters.length === 1 ? getters[0] : (item: unknown) => tuple(...getters.map((g) => g(item)));
    return sortItems(iterate(v), key, truthyValue(reverse));
  }, "do_sort"),
  string: f([], (_r, v) => (v instanceof Markup ? v : pyStr(v)), "soft_str"),
  striptags: f([], (_r, v) => {
    const s = pyStr(v).replace(/<!--[\s\S]*?(-->|$)|<[^>]*(>|$)/g, "");
    return unescapeHtml(s.split(/\s+/).filter(Boolean).join(" "));
  }, "do_striptags"),
  sum: f([["attribute", null], ["start", 0]], (r, v, attribute, start) => {
    let items = iterate(v);
    if (attribute !== null) items = items.map(attrGetter(r, attribute));
    return items.reduce((acc, x) => r.binop("add", acc, x, "+="), start);
  }, "sync_do_sum"),
  title: f([], (_r, v) =>
    softStr(v)
      .split(/([-\s({[<]+)/u)
      .filter(Boolean)
      .map((item) => {
        const cs = chars(item);
        return cs[0].toUpperCase() + cs.slice(1).join("").toLowerCase();
      })
      .join(""), "do_title"),
  tojson: f([["indent", null]], (_r, v, indent) => toJson(v, indent), "_tojson"),
  trim: f([["chars", null]], (_r, v, cs) => pyStrip(softStr(v), cs, true, true), "do_trim"),
  truncate: f([["length", 255], ["killwords", false], ["end", "..."], ["leeway", null]], (_r, v, length, killwords, end, leeway) => {
    const s = softStr(v);
    const cs = chars(s);
    const n = num(length);
    const e = pyStr(end);
    const lw = leeway === null ? 5 : num(leeway);
    if (n < strLen(e)) throw new PyException("AssertionError", `expected length >= ${strLen(e)}, got ${n}`);
    if (lw < 0) throw new PyException("AssertionError", `expected leeway >= 0, got ${lw}`);
    if (cs.length <= n + lw) return s;
    const head = cs.slice(0, Math.max(0, n - strLen(e))).join("");
    if (truthyValue(killwords)) return head + e;
    const cut = head.lastIndexOf(" ");
    return (cut >= 0 ? head.slice(0, cut) : head) + e;
  }, "do_truncate"),
  unique: f([["case_sensitive", false], ["attribute", null]], (r, v, cs, attribute) => {
    const key = attrGetter(r, attribute, truthyValue(cs) ? undefined : ignoreCase);
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const item of iterate(v)) {
      const k = key(item);
      if (!seen.some((s) => pyEq(s, k))) {
        seen.push(k);
        out.push(item);
      }
    }
    return out;
  }, "do_unique"),
  upper: f([], (_r, v) => softStr(v).toUpperCase(), "do_upper"),
  urlencode: f([], (_r, v) => {
    if (isStr(v) || v === null || typeof v === "boolean" || isNumber(v)) return urlQuote(v, false);
    const pairs = isMapping(v) ? dictEntries(v) : iterate(v).map((p) => iterate(p) as [unknown, unknown]);
    return pairs.map(([k, x]) => `${urlQuote(k, true)}=${urlQuote(x, true)}`).join("&");
  }, "do_urlencode"),
  wordcount: f([], (_r, v) => (softStr(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length, "do_wordcount"),
  wordwrap: f([["width", 79], ["break_long_words", true], ["wrapstring", null], ["break_on_hyphens", true]], (_r, v, width) => wordwrap(softStr(v), num(width)), "do_wordwrap"),
  xmlattr: f([["autospace", true]], (_r, v, autospace) => {
    if (!isMapping(v)) throw typeError("xmlattr needs a mapping");
    const items: string[] = [];
    for (const [k, x] of dictEntries(v)) {
      if (x === null || x === undefined || x instanceof Undefined) continue;
      const key = pyStr(k);
      if (/[\s/>=]/.test(key)) throw valueError(`Invalid character in attribute name: ${pyRepr(key)}`);
      items.push(`${escapeHtml(key)}="${escapeHtml(pyStr(x))}"`);
    }
    const rv = items.join(" ");
    return new Markup(rv && truthyValue(autospace) ? ` ${rv}` : rv);
  }, "do_xmlattr"),
};
BUILTIN_FILTERS.random = f([], (_r, v) => {
  const items = iterate(v);
  if (!items.length) return new Undefined("No random item, sequence was empty.");
  return items[Math.floor(Math.random() * items.length)];
}, "do_random");
BUILTIN_FILTERS.urlize = f(
  [["trim_url_limit", null], ["nofollow", false], ["target", null], ["rel", null], ["extra_schemes", null]],
  (_r, v, limit, nofollow, target, rel, schemes) => urlize(v, limit, truthyValue(nofollow), target, rel, schemes),
  "do_urlize",
);
BUILTIN_FILTERS.d = BUILTIN_FILTERS.default;
BUILTIN_FILTERS.e = BUILTIN_FILTERS.escape;
BUILTIN_FILTERS.count = BUILTIN_FILTERS.length;

const raise = (e: Error): never => {
  throw e;
};

/** groupby's items: tuples with `grouper` and `list` attributes. */
class GroupTuple extends PyTuple {
  readonly isGroup = true;
  constructor(grouper?: unknown, list?: unknown[]) {
    super();
    if (list !== undefined) this.push(grouper, list);
  }
}

function minMax(r: Renderer, v: unknown, cs: unknown, attribute: unknown, sign: number): unknown {
  const items = iterate(v);
  if (!items.length) return new Undefined("No aggregated item, sequence was empty.");
  const key = attrGetter(r, attribute, truthyValue(cs) ? undefined : ignoreCase);
  let best = items[0];
  for (const item of items.slice(1)) if (pyCompare(key(item), key(best)) * sign > 0) best = item;
  return best;
}

function unescapeHtml(s: string): string {
  return s.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot|apos|nbsp);/gi, (_, ent: string) => {
    const e = ent.toLowerCase();
    if (e === "amp") return "&";
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "quot") return '"';
    if (e === "apos") return "'";
    if (e === "nbsp") return "\xa0";
    return String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function wordwrap(s: string, width: number): string {
  return s
    .split(/\r\n|\n|\r/)
    .map((para) => {
      const words = para.split(/\s+/).filter(Boolean);
      const lines: string[] = [];
      let line = "";
      for (let word of words) {
        while (word.length > width) {
          if (line) {
            lines.push(line);
            line = "";
          }
          lines.push(word.slice(0, width));
          word = word.slice(width);
        }
        if (!word) continue;
        if (!line) line = word;
        else if (line.length + 1 + word.length <= width) line += ` ${word}`;
        else {
          lines.push(line);
          line = word;
        }
      }
      if (line) lines.push(line);
      return lines.join("\n");
    })
    .join("\n");
}

export { formatSpec };
