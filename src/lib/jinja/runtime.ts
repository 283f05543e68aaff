/**
 * Renders a parsed template as Prefect's sandboxed jinja2 environment does: no autoescape,
 * ChainableUndefined, immutable sandbox (no `_` attributes, no mutating methods), Jinja's scoping.
 */
import { PyBigInt } from "../python";
import { PyException, typeError } from "./errors";
import { pyFormatPercent } from "./format";
import { attributeOf } from "./methods";
import type { CallArgs, Expr, Signature, Stmt } from "./nodes";
import {
  dictEntries,
  dictGet,
  escapeHtml,
  isFloat,
  isInt,
  isMapping,
  isNumber,
  isSeq,
  isStr,
  iterate,
  mapKey,
  Markup,
  MISSING,
  mkFloat,
  mkInt,
  num,
  PyCallable,
  pyCompare,
  pyContains,
  pyEq,
  PyObject,
  pyRepr,
  pyStr,
  PyTuple,
  truthy,
  tuple,
  typeName,
  Undefined,
  UNSAFE_METHOD,
} from "./values";

export interface RenderLimits {
  /** Longest output (and longest string a template may build), in UTF-16 units. */
  maxOutput: number;
  /** Most loop iterations (and macro calls) one render may run. */
  maxSteps: number;
}

export type Filter = (r: Renderer, value: unknown, args: unknown[], kwargs: Record<string, unknown>) => unknown;
export type Test = (r: Renderer, value: unknown, args: unknown[], kwargs: Record<string, unknown>) => boolean;

export interface Environment {
  filters: Record<string, Filter>;
  tests: Record<string, Test>;
  globals: Record<string, unknown>;
}

class Scope {
  readonly vars = new Map<string, unknown>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): unknown {
    for (let s: Scope | null = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    return MISSING;
  }
}

/** A `namespace()`: the one object templates may assign attributes to. */
export class Namespace extends PyObject {
  readonly pyClass = "Namespace";
  override readonly pyModule = "jinja2.utils";
  readonly attrs = new Map<string, unknown>();
  getAttr(name: string): unknown {
    return this.attrs.has(name) ? this.attrs.get(name) : MISSING;
  }
  override getItem(key: unknown): unknown {
    return typeof key === "string" && this.attrs.has(key) ? this.attrs.get(key) : MISSING;
  }
  str(): string {
    return `<Namespace {${[...this.attrs.entries()].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}>`;
  }
}

/** The `loop` variable of a for-loop. */
class LoopContext extends PyObject {
  readonly pyClass = "LoopContext";
  override readonly pyModule = "jinja2.runtime";
  index0 = -1;
  private lastChanged: unknown = MISSING;
  constructor(
    readonly items: unknown[],
    readonly depth0: number,
    readonly recurse: ((iterable: unknown) => string) | null,
  ) {
    super();
  }
  getAttr(name: string): unknown {
    const n = this.items.length;
    const i = this.index0;
    switch (name) {
      case "index0":
        return i;
      case "index":
        return i + 1;
      case "revindex":
        return n - i;
      case "revindex0":
        return n - i - 1;
      case "first":
        return i === 0;
      case "last":
        return i === n - 1;
      case "length":
        return n;
      case "depth0":
        return this.depth0;
      case "depth":
        return this.depth0 + 1;
      case "previtem":
        return i > 0 ? this.items[i - 1] : new Undefined("there is no previous item");
      case "nextitem":
        return i < n - 1 ? this.items[i + 1] : new Undefined("there is no next item");
      case "cycle":
        return new PyCallable("cycle", (args) => {
          if (!args.length) throw typeError("no items for cycling given");
          return args[i % args.length];
        }, "LoopContext");
      case "changed":
        return new PyCallable("changed", (args) => {
          const value = tuple(...args);
          if (this.lastChanged !== MISSING && pyEq(this.lastChanged, value)) return false;
          this.lastChanged = value;
          return true;
        }, "LoopContext");
    }
    return MISSING;
  }
  str(): string {
    return `<LoopContext ${this.index0 + 1}/${this.items.length}>`;
  }
  call(args: unknown[]): unknown {
    if (!this.recurse) throw typeError("The loop must have the 'recursive' marker to be called recursively.");
    return this.recurse(args[0]);
  }
}

class Macro extends PyCallable {}

export class Renderer {
  private steps = 0;
  /** Macro calls and recursive loops in progress (Python stops at its recursion limit). */
  private depth = 0;
  autoescape = false;
  private readonly root: Scope;

  constructor(
    readonly env: Environment,
    context: Record<string, unknown>,
    readonly limits: RenderLimits,
    /** Values filters read beyond their arguments (Prefect's UI URL, the time "now"). */
    readonly settings: { uiUrl: string | null; now: () => Date },
  ) {
    const globals = new Scope(null);
    for (const [k, v] of Object.entries(env.globals)) globals.vars.set(k, v);
    this.root = new Scope(globals);
    for (const [k, v] of Object.entries(context)) this.root.vars.set(k, v);
  }

  render(body: Stmt[]): string {
    const out: string[] = [];
    this.execBody(body, this.root, out);
    return out.join("");
  }

  step(): void {
    if (++this.steps > this.limits.maxSteps) throw new PyException("SecurityError", `The template ran more than ${this.limits.maxSteps} loop iterations.`);
  }

  checkSize(s: string): string {
    if (s.length > this.limits.maxOutput) throw new PyException("SecurityError", `The template made a string longer than ${this.limits.maxOutput} characters.`);
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // Statements

  private execBody(body: Stmt[], scope: Scope, out: string[]): void {
    for (const stmt of body) this.exec(stmt, scope, out);
  }

  /** Each output buffer's length so far. */
  private readonly lengths = new WeakMap<string[], number>();

  private write(out: string[], text: string): void {
    out.push(text);
    const total = (this.lengths.get(out) ?? 0) + text.length;
    this.lengths.set(out, total);
    if (total > this.limits.maxOutput) throw new PyException("SecurityError", `The template's output is longer than ${this.limits.maxOutput} characters.`);
  }

  /** What `{{ value }}` writes. */
  finalize(value: unknown): string {
    if (this.autoescape) return value instanceof Markup ? value.text : escapeHtml(pyStr(value));
    return pyStr(value);
  }

  private exec(stmt: Stmt, scope: Scope, out: string[]): void {
    switch (stmt.t) {
      case "output":
        for (const node of stmt.nodes) this.write(out, typeof node === "string" ? node : this.finalize(this.eval(node, scope)));
        return;
      case "if":
        this.execBody(truthy(this.eval(stmt.test, scope)) ? stmt.body : stmt.else, scope, out);
        return;
      case "for":
        this.execFor(stmt, scope, out, this.eval(stmt.iter, scope), 0);
        return;
      case "assign":
        this.assign(stmt.target, this.eval(stmt.expr, scope), scope);
        return;
      case "assignblock": {
        const inner: string[] = [];
        this.execBody(stmt.body, new Scope(scope), inner);
        let value: unknown = this.autoescape ? new Markup(inner.join("")) : inner.join("");
        if (stmt.filter) value = this.applyFilterChain(stmt.filter, value, scope);
        this.assign(stmt.target, value, scope);
        return;
      }
      case "with": {
        const inner = new Scope(scope);
        const values = stmt.values.map((v) => this.eval(v, scope));
        stmt.targets.forEach((t, i) => this.assign(t, values[i], inner));
        this.execBody(stmt.body, inner, out);
        return;
      }
      case "macro":
        scope.vars.set(stmt.name, this.makeMacro(stmt.name, stmt.sig, stmt.body, scope));
        return;
      case "callblock": {
        const caller = this.makeMacro("caller", stmt.sig, stmt.body, scope);
        const call = stmt.call as Expr & { t: "call" };
        const fn = this.eval(call.fn, scope);
        const [args, kwargs] = this.evalArgs(call, scope);
        kwargs.caller = caller;
        this.write(out, this.finalize(this.call(fn, args, kwargs)));
        return;
      }
      case "filterblock": {
        const inner: string[] = [];
        this.execBody(stmt.body, new Scope(scope), inner);
        this.write(out, this.finalize(this.applyFilterChain(stmt.filter, inner.join(""), scope)));
        return;
      }
      case "block":
        this.execBody(stmt.body, new Scope(scope), out);
        return;
      case "autoescape": {
        const saved = this.autoescape;
        this.autoescape = truthy(this.eval(stmt.value, scope));
        try {
          this.execBody(stmt.body, scope, out);
        } finally {
          this.autoescape = saved;
        }
        return;
      }
      case "unsupported":
        if (stmt.tag === "extends" || stmt.tag === "include" || stmt.tag === "import" || stmt.tag === "from")
          throw typeError("no loader for this environment specified");
        return;
    }
  }

  /** `{% filter f|g %}` and `{% set x | f %}`: the chain applied to a value. */
  private applyFilterChain(filter: Expr, value: unknown, scope: Scope): unknown {
    if (filter.t !== "filter") return value;
    const inner = filter.node ? this.applyFilterChain(filter.node, value, scope) : value;
    return this.applyFilter(filter, inner, scope);
  }

  private execFor(stmt: Stmt & { t: "for" }, scope: Scope, out: string[], iterable: unknown, depth0: number): void {
    let items = iterate(iterable);
    if (stmt.test) {
      items = items.filter((item) => {
        this.step();
        const s = new Scope(scope);
        this.assign(stmt.target, item, s);
        return truthy(this.eval(stmt.test!, s));
      });
    }
    const recurse = stmt.recursive
      ? (inner: unknown) => {
          if (depth0 + 1 > MAX_DEPTH) throw new PyException("RecursionError", "maximum recursion depth exceeded");
          const buf: string[] = [];
          this.execFor(stmt, scope, buf, inner, depth0 + 1);
          return buf.join("");
        }
      : null;
    const loop = new LoopContext(items, depth0, recurse);
    for (const item of items) {
      this.step();
      loop.index0 += 1;
      const iterScope = new Scope(scope);
      iterScope.vars.set("loop", loop);
      this.assign(stmt.target, item, iterScope);
      this.execBody(stmt.body, iterScope, out);
    }
    if (!items.length) this.execBody(stmt.else, new Scope(scope), out);
  }

  private assign(target: Expr, value: unknown, scope: Scope): void {
    if (target.t === "name") {
      scope.vars.set(target.name, value);
      return;
    }
    if (target.t === "nsref") {
      const ns = scope.lookup(target.name);
      if (!(ns instanceof Namespace)) throw new PyException("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
      ns.attrs.set(target.attr, value);
      return;
    }
    if (target.t === "tuple") {
      let items: unknown[];
      try {
        items = iterate(value);
      } catch {
        throw typeError(`cannot unpack non-iterable ${typeName(value)} object`);
      }
      if (items.length !== target.items.length) {
        if (items.length > target.items.length) throw new PyException("ValueError", `too many values to unpack (expected ${target.items.length})`);
        throw new PyException("ValueError", `not enough values to unpack (expected ${target.items.length}, got ${items.length})`);
      }
      target.items.forEach((t, i) => this.assign(t, items[i], scope));
    }
  }

  private makeMacro(name: string, sig: Signature, body: Stmt[], defScope: Scope): Macro {
    return new Macro(
      name,
      (args, kwargs) => {
      this.step();
      if (++this.depth > MAX_DEPTH) throw new PyException("RecursionError", "maximum recursion depth exceeded");
      try {
      const scope = new Scope(defScope);
      const firstDefault = sig.args.length - sig.defaults.length;
      const extra: unknown[] = [];
      sig.args.forEach((arg, i) => {
        if (i < args.length) scope.vars.set(arg, args[i]);
        else if (Object.hasOwn(kwargs, arg)) scope.vars.set(arg, kwargs[arg]);
        else if (i >= firstDefault) scope.vars.set(arg, this.eval(sig.defaults[i - firstDefault], scope));
        else scope.vars.set(arg, new Undefined(`parameter ${pyRepr(arg)} was not provided`, MISSING, arg));
      });
      for (let i = sig.args.length; i < args.length; i++) extra.push(args[i]);
      const extraKw: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(kwargs)) if (!sig.args.includes(k) && k !== "caller") extraKw[k] = v;
      if (extra.length) throw typeError(`macro ${pyRepr(name)} takes not more than ${sig.args.length} argument(s)`);
      if (Object.keys(extraKw).length) throw typeError(`macro ${pyRepr(name)} takes no keyword argument ${pyRepr(Object.keys(extraKw)[0])}`);
      scope.vars.set("varargs", tuple());
      scope.vars.set("kwargs", {});
      scope.vars.set("caller", Object.hasOwn(kwargs, "caller") ? kwargs.caller : new Undefined("No caller defined"));
      const out: string[] = [];
      this.execBody(body, scope, out);
      return out.join("");
      } finally {
        this.depth -= 1;
      }
      },
      null,
      `<Macro ${pyRepr(name)}>`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  eval(node: Expr, scope: Scope): unknown {
    switch (node.t) {
      case "const":
        return node.value;
      case "name": {
        const v = scope.lookup(node.name);
        return v === MISSING ? new Undefined(null, MISSING, node.name) : v;
      }
      case "nsref":
        return this.getattr(this.eval({ t: "name", name: node.name }, scope), node.attr);
      case "tuple":
        return tuple(...node.items.map((i) => this.eval(i, scope)));
      case "list":
        return node.items.map((i) => this.eval(i, scope));
      case "dict": {
        const d = new Map<unknown, unknown>();
        for (const [k, v] of node.pairs) {
          const key = this.eval(k, scope);
          if (Array.isArray(key) && !(key instanceof PyTuple)) throw typeError("unhashable type: 'list'");
          if (isMapping(key)) throw typeError("unhashable type: 'dict'");
          d.set(mapKey(key), this.eval(v, scope));
        }
        return d;
      }
      case "getattr":
        return this.getattr(this.eval(node.obj, scope), node.attr);
      case "getitem":
        return this.getitem(this.eval(node.obj, scope), this.eval(node.arg, scope));
      case "slice":
        return new SliceValue(
          node.start ? this.eval(node.start, scope) : null,
          node.stop ? this.eval(node.stop, scope) : null,
          node.step ? this.eval(node.step, scope) : null,
        );
      case "call": {
        const fn = this.eval(node.fn, scope);
        const [args, kwargs] = this.evalArgs(node, scope);
        return this.call(fn, args, kwargs);
      }
      case "filter":
        return this.applyFilter(node, node.node ? this.eval(node.node, scope) : null, scope);
      case "test": {
        const test = Object.hasOwn(this.env.tests, node.name) ? this.env.tests[node.name] : undefined;
        if (!test) throw new PyException("TemplateRuntimeError", `No test named ${pyRepr(node.name)} found.`);
        const value = this.eval(node.node, scope);
        const [args, kwargs] = this.evalArgs(node, scope);
        return test(this, value, args, kwargs);
      }
      case "condexpr":
        if (truthy(this.eval(node.test, scope))) return this.eval(node.then, scope);
        return node.else ? this.eval(node.else, scope) : new Undefined("the inline if-expression on line 1 evaluated to false and no else section was defined.");
      case "and": {
        const left = this.eval(node.left, scope);
        return truthy(left) ? this.eval(node.right, scope) : left;
      }
      case "or": {
        const left = this.eval(node.left, scope);
        return truthy(left) ? left : this.eval(node.right, scope);
      }
      case "not":
        return !truthy(this.eval(node.node, scope));
      case "neg":
      case "pos": {
        const v = this.eval(node.node, scope);
        if (v instanceof Undefined) v.fail();
        if (!isNumber(v)) throw typeError(`bad operand type for unary ${node.t === "neg" ? "-" : "+"}: '${typeName(v)}'`);
        const x = node.t === "neg" ? -num(v) : num(v);
        return isFloat(v) ? mkFloat(x) : mkInt(x);
      }
      case "compare": {
        let left = this.eval(node.expr, scope);
        for (const [op, expr] of node.ops) {
          const right = this.eval(expr, scope);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case "bin":
        return this.binop(node.op, this.eval(node.left, scope), this.eval(node.right, scope));
      case "concat":
        return this.checkSize(node.items.map((i) => pyStr(this.eval(i, scope))).join(""));
    }
  }

  private evalArgs(node: CallArgs, scope: Scope): [unknown[], Record<string, unknown>] {
    const args = node.args.map((a) => this.eval(a, scope));
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of node.kwargs) kwargs[k] = this.eval(v, scope);
    if (node.dynArgs) args.push(...iterate(this.eval(node.dynArgs, scope)));
    if (node.dynKwargs) {
      const extra = this.eval(node.dynKwargs, scope);
      if (!isMapping(extra)) throw typeError(`argument after ** must be a mapping, not ${typeName(extra)}`);
      for (const [k, v] of dictEntries(extra)) kwargs[pyStr(k)] = v;
    }
    return [args, kwargs];
  }

  private applyFilter(node: Expr & { t: "filter" }, value: unknown, scope: Scope): unknown {
    const filter = Object.hasOwn(this.env.filters, node.name) ? this.env.filters[node.name] : undefined;
    if (!filter) throw new PyException("TemplateRuntimeError", `No filter named ${pyRepr(node.name)} found.`);
    const [args, kwargs] = this.evalArgs(node, scope);
    return filter(this, value, args, kwargs);
  }

  callFilter(name: string, value: unknown, args: unknown[] = [], kwargs: Record<string, unknown> = {}): unknown {
    const filter = Object.hasOwn(this.env.filters, name) ? this.env.filters[name] : undefined;
    if (!filter) throw new PyException("TemplateRuntimeError", `No filter named ${pyRepr(name)}.`);
    return filter(this, value, args, kwargs);
  }

  callTest(name: string, value: unknown, args: unknown[] = []): boolean {
    const test = Object.hasOwn(this.env.tests, name) ? this.env.tests[name] : undefined;
    if (!test) throw new PyException("TemplateRuntimeError", `No test named ${pyRepr(name)}.`);
    return test(this, value, args, {});
  }

  call(fn: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown {
    if (fn instanceof Undefined) fn.fail();
    if (fn instanceof PyCallable) return fn.fn(args, kwargs);
    if (fn instanceof LoopContext) return fn.call(args);
    throw typeError(`'${typeName(fn)}' object is not callable`);
  }

  /** Python's getattr as the sandbox checks it: a value, an unsafe-undefined, or MISSING. */
  private pyGetattr(obj: unknown, attr: string): unknown {
    // Every object has dunder attributes (__class__, __init__, ...): all refused.
    if (/^__\w+__$/.test(attr)) return unsafe(obj, attr);
    const value = attributeOf(obj, attr, this.formatLookup);
    if (value === UNSAFE_METHOD || (value !== MISSING && attr.startsWith("_"))) return unsafe(obj, attr);
    return value;
  }

  /** The sandbox's getattr: the attribute, else the item, else undefined. */
  getattr(obj: unknown, attr: string): unknown {
    if (obj instanceof Undefined) return obj;
    const value = this.pyGetattr(obj, attr);
    if (value !== MISSING) return value;
    const item = this.item(obj, attr);
    return item === MISSING ? new Undefined(null, obj, attr) : item;
  }

  /** The `attr` filter: the attribute only, else undefined. */
  attribute(obj: unknown, attr: string): unknown {
    if (obj instanceof Undefined) return new Undefined(null, obj, attr);
    const value = this.pyGetattr(obj, attr);
    return value === MISSING ? new Undefined(null, obj, attr) : value;
  }

  /** The sandbox's getitem: the item, else (for a str key) the attribute, else undefined. */
  getitem(obj: unknown, key: unknown): unknown {
    if (obj instanceof Undefined) return obj;
    const item = this.item(obj, key);
    if (item !== MISSING) return item;
    if (typeof key === "string") {
      const value = this.pyGetattr(obj, key);
      if (value !== MISSING) return value;
    }
    return new Undefined(null, obj, key);
  }

  /** str.format's field lookups go through the sandbox too (jinja2's SandboxedFormatter). */
  private readonly formatLookup = (obj: unknown, key: unknown, attr: boolean): unknown => {
    const value = attr ? this.getattr(obj, key as string) : this.getitem(obj, key);
    return value;
  };

  /** obj[key] as Python does it, or MISSING where Python raises TypeError/LookupError. */
  item(obj: unknown, key: unknown): unknown {
    if (key instanceof SliceValue) {
      if (isSeq(obj)) {
        const out = key.apply(obj);
        return obj instanceof PyTuple ? PyTuple.of2(out) : out;
      }
      if (isStr(obj)) return key.apply(Array.from(pyStr(obj))).join("");
      return MISSING;
    }
    if (isSeq(obj) || isStr(obj)) {
      if (!isInt(key)) return MISSING;
      const items = isSeq(obj) ? obj : Array.from(pyStr(obj));
      let i = num(key);
      if (i < 0) i += items.length;
      if (i < 0 || i >= items.length) return MISSING;
      return items[i];
    }
    if (isMapping(obj)) return dictGet(obj, key);
    if (obj instanceof PyObject) return obj.getItem(key);
    return MISSING;
  }

  // ---------------------------------------------------------------------------------------------
  // Operators

  binop(op: string, a: unknown, b: unknown, symbol = BIN_SYMBOLS[op]): unknown {
    if (a instanceof Undefined) a.fail();
    if (b instanceof Undefined) b.fail();
    const unsupported = () => typeError(`unsupported operand type(s) for ${symbol}: '${typeName(a)}' and '${typeName(b)}'`);
    if (isNumber(a) && isNumber(b)) return arith(op, a, b);
    if (a instanceof PyObject) {
      const r = a.arith(op, b, false);
      if (r !== MISSING) return r;
    }
    if (b instanceof PyObject) {
      const r = b.arith(op, a, true);
      if (r !== MISSING) return r;
    }
    switch (op) {
      case "add":
        if (a instanceof Markup) return new Markup(a.text + (b instanceof Markup ? b.text : isStr(b) ? escapeHtml(pyStr(b)) : raise(unsupported())));
        if (b instanceof Markup && typeof a === "string") return new Markup(escapeHtml(a) + b.text);
        if (typeof a === "string") {
          if (typeof b !== "string") throw typeError(`can only concatenate str (not "${typeName(b)}") to str`);
          return this.checkSize(a + b);
        }
        if (isSeq(a)) {
          const sameKind = isSeq(b) && a instanceof PyTuple === b instanceof PyTuple;
          if (!sameKind) throw typeError(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`);
          const joined = [...a, ...b];
          this.checkLength(joined.length);
          return a instanceof PyTuple ? PyTuple.of2(joined) : joined;
        }
        throw unsupported();
      case "mul": {
        const [seq, times] = isInt(b) && (isStr(a) || isSeq(a)) ? [a, b] : isInt(a) && (isStr(b) || isSeq(b)) ? [b, a] : [null, null];
        if (seq === null) {
          if ((isStr(a) || isSeq(a)) && isNumber(b)) throw typeError(`can't multiply sequence by non-int of type '${typeName(b)}'`);
          if ((isStr(b) || isSeq(b)) && isNumber(a)) throw typeError(`can't multiply sequence by non-int of type '${typeName(a)}'`);
          throw unsupported();
        }
        const n = Math.max(0, num(times));
        if (isStr(seq)) {
          const s = pyStr(seq);
          this.checkLength(s.length * n);
          const repeated = s.repeat(n);
          return seq instanceof Markup ? new Markup(repeated) : repeated;
        }
        this.checkLength((seq as unknown[]).length * n);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(...(seq as unknown[]));
        return seq instanceof PyTuple ? PyTuple.of2(out) : out;
      }
      case "mod":
        if (isStr(a)) return this.checkSize(pyFormatPercent(pyStr(a), b));
        throw unsupported();
      default:
        throw unsupported();
    }
  }

  private checkLength(n: number): void {
    if (n > this.limits.maxOutput) throw new PyException("SecurityError", `The template made a value longer than ${this.limits.maxOutput} items.`);
  }
}

const raise = (e: Error): never => {
  throw e;
};

/** Nested macro calls allowed (Python's recursion limit stops a template at a few hundred). */
const MAX_DEPTH = 200;

const BIN_SYMBOLS: Record<string, string> = { add: "+", sub: "-", mul: "*", div: "/", floordiv: "//", mod: "%", pow: "** or pow()" };


function unsafe(obj: unknown, attr: string): Undefined {
  return new Undefined(`access to attribute ${pyRepr(attr)} of ${pyRepr(typeName(obj))} object is unsafe.`, obj, attr, "SecurityError");
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "eq":
      return pyEq(a, b);
    case "ne":
      return !pyEq(a, b);
    case "in":
      return pyContains(b, a);
    case "notin":
      return !pyContains(b, a);
    case "lt":
      return pyCompare(a, b, op) < 0;
    case "lteq":
      return pyCompare(a, b, op) <= 0;
    case "gt":
      return pyCompare(a, b, op) > 0;
    case "gteq":
      return pyCompare(a, b, op) >= 0;
  }
  return false;
}

/** Python's arithmetic on int/float/bool. */
export function arith(op: string, a: unknown, b: unknown): unknown {
  const x = num(a);
  const y = num(b);
  const float = isFloat(a) || isFloat(b);
  if (!float && op !== "div" && (a instanceof PyBigInt || b instanceof PyBigInt || !Number.isSafeInteger(intResult(op, x, y)))) return bigArith(op, a, b);
  const zero = (message: string) => new PyException("ZeroDivisionError", message);
  switch (op) {
    case "add":
      return float ? mkFloat(x + y) : mkInt(x + y);
    case "sub":
      return float ? mkFloat(x - y) : mkInt(x - y);
    case "mul":
      return float ? mkFloat(x * y) : mkInt(x * y);
    case "div":
      if (y === 0) throw zero(float ? "float division by zero" : "division by zero");
      return mkFloat(x / y);
    case "floordiv":
      if (y === 0) throw zero(float ? "float floor division by zero" : "integer division or modulo by zero");
      return float ? mkFloat(Math.floor(x / y)) : mkInt(Math.floor(x / y));
    case "mod": {
      if (y === 0) throw zero(float ? "float modulo" : "integer modulo by zero");
      let r = x % y;
      if (r !== 0 && r < 0 !== y < 0) r += y;
      return float ? mkFloat(r) : mkInt(r);
    }
    case "pow": {
      if (!float && y < 0) {
        if (x === 0) throw zero("0.0 cannot be raised to a negative power");
        return mkFloat(x ** y);
      }
      if (float && x === 0 && y < 0) throw zero("0.0 cannot be raised to a negative power");
      const r = x ** y;
      return float ? mkFloat(r) : mkInt(r);
    }
  }
  throw typeError("bad operator");
}

/** A slice `a[start:stop:step]`. */
export class SliceValue {
  constructor(
    readonly start: unknown,
    readonly stop: unknown,
    readonly step: unknown,
  ) {}
  apply<T>(items: T[]): T[] {
    const n = items.length;
    const intOrNone = (v: unknown) => {
      if (v === null || v === undefined) return null;
      if (!isInt(v)) throw typeError("slice indices must be integers or None or have an __index__ method");
      return num(v);
    };
    const step = intOrNone(this.step) ?? 1;
    if (step === 0) throw new PyException("ValueError", "slice step cannot be zero");
    const clamp = (v: number | null, dflt: number, lo: number, hi: number) => {
      if (v === null) return dflt;
      if (v < 0) v += n;
      return Math.min(Math.max(v, lo), hi);
    };
    const out: T[] = [];
    if (step > 0) {
      const start = clamp(intOrNone(this.start), 0, 0, n);
      const stop = clamp(intOrNone(this.stop), n, 0, n);
      for (let i = start; i < stop; i += step) out.push(items[i]);
    } else {
      const start = clamp(intOrNone(this.start), n - 1, -1, n - 1);
      const stop = clamp(intOrNone(this.stop), -1, -1, n - 1);
      for (let i = start; i > stop; i += step) out.push(items[i]);
    }
    return out;
  }
}

function intResult(op: string, x: number, y: number): number {
  if (op === "add") return x + y;
  if (op === "sub") return x - y;
  if (op === "mul") return x * y;
  if (op === "pow") return y < 0 ? 0 : x ** y;
  return 0;
}

const toBig = (v: unknown): bigint => (v instanceof PyBigInt ? BigInt(v.digits) : BigInt(num(v)));

/** Python's exact integers where a double would round. */
function bigArith(op: string, a: unknown, b: unknown): unknown {
  const x = toBig(a);
  const y = toBig(b);
  let r: bigint;
  switch (op) {
    case "add":
      r = x + y;
      break;
    case "sub":
      r = x - y;
      break;
    case "mul":
      r = x * y;
      break;
    case "floordiv":
    case "mod": {
      if (y === 0n) throw new PyException("ZeroDivisionError", op === "mod" ? "integer modulo by zero" : "integer division or modulo by zero");
      let q = x / y;
      if ((x % y !== 0n) && (x < 0n) !== (y < 0n)) q -= 1n;
      r = op === "floordiv" ? q : x - q * y;
      break;
    }
    case "pow":
      if (y < 0n) return mkFloat(num(a) ** num(b));
      if (Number(y) * Math.log10(Math.max(2, Math.abs(num(a)))) > 100_000) throw new PyException("SecurityError", "The template made an integer longer than 100000 digits.");
      r = x ** y;
      break;
    default:
      throw typeError("bad operator");
  }
  return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : new PyBigInt(r.toString());
}
