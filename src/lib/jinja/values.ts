/**
 * Python's values as a rendered template sees them: None is null, bool a boolean, int an integral
 * number, float a PyFloat (or a non-integral number), str a string, list an array, tuple a PyTuple,
 * dict a plain object (from the context) or a Map (made by the template). Context objects that are
 * Python objects in Prefect (models, datetimes, label divers) extend PyObject.
 */
import { PyBigInt, PyFloat, pyFloatRepr, pyStrRepr } from "../python";
import { PyException, typeError } from "./errors";

export { PyFloat };

/** A tuple: an array that prints as `(1, 2)`. */
export class PyTuple extends Array<unknown> {
  static get [Symbol.species]() {
    return Array;
  }
  static of2(items: unknown[]): PyTuple {
    const t = new PyTuple();
    for (const item of items) t.push(item);
    return t;
  }
}
export const tuple = (...items: unknown[]) => PyTuple.of2(items);

/** dict.items()/keys()/values(): iterable like a list, printed as `dict_items([...])`. */
export class DictView extends Array<unknown> {
  static get [Symbol.species]() {
    return Array;
  }
  viewName = "dict_items";
  static of3(name: string, items: unknown[]): DictView {
    const v = new DictView();
    v.viewName = name;
    for (const item of items) v.push(item);
    return v;
  }
}

/** markupsafe.Markup: text that is already safe; `+` escapes plain strings joined to it. */
export class Markup {
  constructor(readonly text: string) {}
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/>/g, "&gt;").replace(/</g, "&lt;").replace(/'/g, "&#39;").replace(/"/g, "&#34;");

/** jinja2's ChainableUndefined: prints as nothing, chains through attributes, fails when used. */
export class Undefined {
  constructor(
    readonly hint: string | null = null,
    readonly obj: unknown = MISSING,
    readonly name: unknown = null,
    readonly exc = "UndefinedError",
  ) {}

  message(): string {
    if (this.hint) return this.hint;
    if (this.obj === MISSING) return `${pyRepr(this.name)} is undefined`;
    if (typeof this.name !== "string") return `${objectTypeRepr(this.obj)} has no element ${pyRepr(this.name)}`;
    return `${pyStrRepr(objectTypeRepr(this.obj))} has no attribute ${pyStrRepr(this.name)}`;
  }

  fail(): never {
    throw new PyException(this.exc, this.message());
  }
}
export const MISSING = Symbol("missing");
/** An attribute that exists but the immutable sandbox refuses (list.append, dict.update, ...). */
export const UNSAFE_METHOD = Symbol("unsafe");

/** A Python callable: a builtin function, a bound method, a macro. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
    readonly owner: string | null = null,
    /** repr() when not a builtin's (`<Macro 'm'>`). */
    readonly reprText: string | null = null,
  ) {}
}

/** A Python object from the context (a Prefect model, a datetime, ...). */
export abstract class PyObject {
  /** Python's class name (`FlowRun`), shown in messages. */
  abstract readonly pyClass: string;
  /** Its module, for jinja2's `'module.Class object' has no attribute` messages. */
  readonly pyModule: string = "builtins";
  /** An attribute (a value, or a PyCallable for a method), or MISSING. */
  abstract getAttr(name: string): unknown;
  /** obj[key], or MISSING when Python raises TypeError/LookupError. */
  getItem(_key: unknown): unknown {
    return MISSING;
  }
  iterate(): unknown[] {
    throw typeError(`'${this.pyClass}' object is not iterable`);
  }
  len(): number {
    throw typeError(`object of type '${this.pyClass}' has no len()`);
  }
  truthy(): boolean {
    return true;
  }
  abstract str(): string;
  repr(): string {
    return this.str();
  }
  /** Python's == against another value (identity by default). */
  equals(other: unknown): boolean {
    return other === this;
  }
  /** Python's < (undefined: not supported). */
  lessThan(_other: unknown): boolean | undefined {
    return undefined;
  }
  /** `self <op> other` (or `other <op> self` when reflected), or MISSING when unsupported. */
  arith(_op: string, _other: unknown, _reflected: boolean): unknown {
    return MISSING;
  }
  /** The plain JSON value json.dumps gives (after Prefect's model_dump). */
  toJson(): unknown {
    return this.str();
  }
}

// ----------------------------------------------------------------------------------------------
// Kinds

export const isInt = (v: unknown): v is number | boolean => (typeof v === "number" && Number.isInteger(v)) || typeof v === "boolean" || v instanceof PyBigInt;
export const isFloat = (v: unknown): boolean => v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
export const isNumber = (v: unknown): boolean => typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat || v instanceof PyBigInt;
export const isStr = (v: unknown): v is string | Markup => typeof v === "string" || v instanceof Markup;
export const isList = (v: unknown): v is unknown[] => Array.isArray(v) && !(v instanceof PyTuple);
export const isSeq = (v: unknown): v is unknown[] => Array.isArray(v);
export const isPlainDict = (v: unknown): v is Record<string, unknown> => {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
export const isMapping = (v: unknown): v is Record<string, unknown> | Map<unknown, unknown> => v instanceof Map || isPlainDict(v);

/** A number's value in JavaScript (bools are 0/1 as in Python). */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyBigInt) return Number(v.digits);
  throw new Error("not a number");
}

/** A float result: integral values wrapped so they stay floats. */
export const mkFloat = (x: number): unknown => (Number.isInteger(x) ? new PyFloat(x) : x);
/** An int result. */
export const mkInt = (x: number): number => (Object.is(x, -0) ? 0 : x);

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (isInt(v)) return "int";
  if (isFloat(v)) return "float";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof DictView) return v.viewName;
  if (Array.isArray(v)) return "list";
  if (isMapping(v)) return "dict";
  if (v instanceof Markup) return "Markup";
  if (v instanceof Undefined) return "ChainableUndefined";
  if (v instanceof PyCallable) return v.reprText ? "Macro" : v.owner ? "builtin_function_or_method" : "function";
  if (v instanceof PyObject) return v.pyClass;
  return "object";
}

/** jinja2.utils.object_type_repr. */
export function objectTypeRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v instanceof PyObject && v.pyModule !== "builtins") return `${v.pyModule}.${v.pyClass} object`;
  if (v instanceof Markup) return "markupsafe.Markup object";
  if (v instanceof Undefined) return "jinja2.runtime.ChainableUndefined object";
  return `${typeName(v)} object`;
}

// ----------------------------------------------------------------------------------------------
// Dicts

export function dictEntries(d: Record<string, unknown> | Map<unknown, unknown>): [unknown, unknown][] {
  return d instanceof Map ? [...d.entries()] : Object.entries(d);
}

/** A Map key for a Python key: equal numbers/bools share one key, as they hash alike in Python. */
export function mapKey(key: unknown): unknown {
  if (isNumber(key)) return num(key);
  if (key instanceof Markup) return key.text;
  return key;
}

export function dictGet(d: Record<string, unknown> | Map<unknown, unknown>, key: unknown): unknown {
  if (d instanceof Map) {
    const k = mapKey(key);
    return d.has(k) ? d.get(k) : MISSING;
  }
  const k = key instanceof Markup ? key.text : key;
  if (typeof k === "string" && Object.hasOwn(d, k)) return d[k];
  return MISSING;
}

export function dictHas(d: Record<string, unknown> | Map<unknown, unknown>, key: unknown): boolean {
  return dictGet(d, key) !== MISSING;
}

export function dictSize(d: Record<string, unknown> | Map<unknown, unknown>): number {
  return d instanceof Map ? d.size : Object.keys(d).length;
}

// ----------------------------------------------------------------------------------------------
// str() and repr()

export function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Markup) return v.text;
  if (v instanceof Undefined) return "";
  if (v instanceof PyObject) return v.str();
  return pyRepr(v);
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return pyStrRepr(v);
  if (typeof v === "number") return Number.isInteger(v) ? (Math.abs(v) < 1e21 ? v.toFixed(0) : BigInt(v).toString()) : pyFloatRepr(v);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (v instanceof PyBigInt) return v.digits;
  if (v instanceof DictView) return `${v.viewName}([${v.map(pyRepr).join(", ")}])`;
  if (v instanceof PyTuple) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(", ")})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (isMapping(v)) return `{${dictEntries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  if (v instanceof Markup) return `Markup(${pyStrRepr(v.text)})`;
  if (v instanceof Undefined) return "ChainableUndefined";
  if (v instanceof PyObject) return v.repr();
  if (v instanceof PyCallable && v.reprText) return v.reprText;
  if (v instanceof PyCallable) return v.owner ? `<built-in method ${v.name} of ${v.owner} object>` : `<function ${v.name}>`;
  return String(v);
}

// ----------------------------------------------------------------------------------------------
// Truth, length, iteration

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (typeof v === "number") return v !== 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (typeof v === "string") return v.length > 0;
  if (v instanceof Markup) return v.text.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return dictSize(v) > 0;
  if (v instanceof Undefined) return false;
  if (v instanceof PyObject) return v.truthy();
  return true;
}

/** A str's characters as Python counts them (code points). */
export const chars = (s: string): string[] => Array.from(s);
export const strLen = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export function pyLen(v: unknown): number {
  if (typeof v === "string") return strLen(v);
  if (v instanceof Markup) return strLen(v.text);
  if (Array.isArray(v)) return v.length;
  if (isMapping(v)) return dictSize(v);
  if (v instanceof Undefined) return 0;
  if (v instanceof PyObject) return v.len();
  throw typeError(`object of type '${typeName(v)}' has no len()`);
}

export function iterate(v: unknown): unknown[] {
  if (typeof v === "string") return chars(v);
  if (v instanceof Markup) return chars(v.text).map((c) => new Markup(c));
  if (Array.isArray(v)) return [...v];
  if (v instanceof Map) return [...v.keys()];
  if (isPlainDict(v)) return Object.keys(v);
  if (v instanceof Undefined) return [];
  if (v instanceof PyObject) return v.iterate();
  throw typeError(`'${typeName(v)}' object is not iterable`);
}

// ----------------------------------------------------------------------------------------------
// Comparison

export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (isNumber(a) && isNumber(b)) return num(a) === num(b);
  if (isStr(a) && isStr(b)) return pyStr(a) === pyStr(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a instanceof PyTuple !== b instanceof PyTuple || a.length !== b.length) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    if (dictSize(a) !== dictSize(b)) return false;
    return dictEntries(a).every(([k, x]) => {
      const y = dictGet(b, k);
      return y !== MISSING && pyEq(x, y);
    });
  }
  if (a instanceof Undefined && b instanceof Undefined) return true;
  if (a instanceof PyObject) return a.equals(b);
  if (b instanceof PyObject) return b.equals(a);
  return false;
}

const OP_SYMBOL: Record<string, string> = { lt: "<", lteq: "<=", gt: ">", gteq: ">=" };

/** Python's ordering: -1, 0, 1, or TypeError naming the operator. */
export function pyCompare(a: unknown, b: unknown, op = "lt"): number {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
  if (isNumber(a) && isNumber(b)) {
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (isStr(a) && isStr(b)) {
    const x = pyStr(a);
    const y = pyStr(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b) && a instanceof PyTuple === b instanceof PyTuple) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (pyEq(a[i], b[i])) continue;
      return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  if (a instanceof PyObject) {
    const lt = a.lessThan(b);
    if (lt !== undefined) return lt ? -1 : a.equals(b) ? 0 : 1;
  }
  throw typeError(`'${OP_SYMBOL[op] ?? "<"}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python's `in`. */
export function pyContains(container: unknown, item: unknown): boolean {
  if (isStr(container)) {
    if (!isStr(item)) throw typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return pyStr(container).includes(pyStr(item));
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isMapping(container)) return dictHas(container, item);
  if (container instanceof Undefined) return false;
  if (container instanceof PyObject) return container.iterate().some((x) => pyEq(x, item));
  throw typeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** A plain JSON value of a template value (json.dumps's view). */
export function toJsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Markup) return v.text;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [jsonKey(k), toJsonValue(x)]));
  if (isPlainDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  if (v instanceof PyObject) return v.toJson();
  if (v instanceof Undefined) throw typeError("Object of type ChainableUndefined is not JSON serializable");
  if (v instanceof PyCallable) throw typeError(`Object of type ${typeName(v)} is not JSON serializable`);
  return v;
}

function jsonKey(k: unknown): string {
  if (typeof k === "string") return k;
  if (k === null) return "null";
  if (k === true) return "true";
  if (k === false) return "false";
  if (isNumber(k)) return pyRepr(k);
  throw typeError(`keys must be str, int, float, bool or None, not ${typeName(k)}`);
}
