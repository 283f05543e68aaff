/**
 * Prefect's render_user_template: the template parsed, checked as jinja2 compiles it, and rendered
 * in Prefect's sandboxed environment (its filters, the humanize extension's, its `range`).
 */
import { PyException, TemplateRenderError, TemplateSyntaxError, typeError } from "./errors";
import { BUILTIN_FILTERS } from "./filters";
import { HUMANIZE_FILTERS } from "./humanize";
import { MORE_HUMANIZE_FILTERS } from "./humanize-extra";
import type { Expr, Stmt } from "./nodes";
import { parseTemplate } from "./parser";
import { PREFECT_FILTERS } from "./prefect";
import { type Environment, Namespace, Renderer, type RenderLimits } from "./runtime";
import { BUILTIN_TESTS } from "./tests";
import { isInt, isMapping, Markup, MISSING, num, PyCallable, pyEq, PyObject, pyRepr, pyStr, dictEntries, mapKey, typeName } from "./values";

/** Prefect's MAX_TEMPLATE_RANGE. */
const MAX_TEMPLATE_RANGE = 100;

/** Python's range object. */
class PyRange extends PyObject {
  readonly pyClass = "range";
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    super();
  }
  private items(): number[] {
    const out: number[] = [];
    if (this.step > 0) for (let i = this.start; i < this.stop; i += this.step) out.push(i);
    else for (let i = this.start; i > this.stop; i += this.step) out.push(i);
    return out;
  }
  getAttr(name: string): unknown {
    if (name === "start" || name === "stop" || name === "step") return this[name];
    return MISSING;
  }
  override getItem(key: unknown): unknown {
    if (!isInt(key)) return MISSING;
    const items = this.items();
    const i = num(key) < 0 ? num(key) + items.length : num(key);
    return i >= 0 && i < items.length ? items[i] : MISSING;
  }
  override iterate(): unknown[] {
    return this.items();
  }
  override len(): number {
    return this.items().length;
  }
  override truthy(): boolean {
    return this.len() > 0;
  }
  str(): string {
    return `range(${this.start}, ${this.stop}${this.step !== 1 ? `, ${this.step}` : ""})`;
  }
  override equals(other: unknown): boolean {
    return other instanceof PyRange && pyEq(this.items(), other.items());
  }
}

function rangeOf(args: unknown[]): PyRange {
  for (const a of args) if (!isInt(a)) throw typeError(`'${typeName(a)}' object cannot be interpreted as an integer`);
  if (args.length === 0) throw typeError("range expected at least 1 argument, got 0");
  if (args.length > 3) throw typeError(`range expected at most 3 arguments, got ${args.length}`);
  const n = args.map(num);
  const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
  if (step === 0) throw new PyException("ValueError", "range() arg 3 must not be zero");
  const len = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  if (len > MAX_TEMPLATE_RANGE)
    throw new PyException("OverflowError", `Range too big. The sandbox blocks ranges larger than MAX_TEMPLATE_RANGE=${MAX_TEMPLATE_RANGE}.`);
  return new PyRange(start, stop, step);
}

class Cycler extends PyObject {
  readonly pyClass = "Cycler";
  override readonly pyModule = "jinja2.utils";
  private pos = 0;
  constructor(readonly items: unknown[]) {
    super();
  }
  getAttr(name: string): unknown {
    if (name === "current") return this.items[this.pos];
    if (name === "next")
      return new PyCallable("next", () => {
        const v = this.items[this.pos];
        this.pos = (this.pos + 1) % this.items.length;
        return v;
      }, "Cycler");
    if (name === "reset") return new PyCallable("reset", () => ((this.pos = 0), null), "Cycler");
    return MISSING;
  }
  str(): string {
    return "<jinja2.utils.Cycler object>";
  }
}

const LOREM = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat".split(" ");

/** jinja2's lipsum(n=5, html=True, min=20, max=100): random lorem ipsum paragraphs. */
function lipsum(args: unknown[], kwargs: Record<string, unknown>): unknown {
  const [n, html, min, max] = [args[0] ?? kwargs.n ?? 5, args[1] ?? kwargs.html ?? true, args[2] ?? kwargs.min ?? 20, args[3] ?? kwargs.max ?? 100].map((v, i) => (i === 1 ? v : num(v)));
  const paragraphs: string[] = [];
  for (let p = 0; p < Math.min(num(n), 100); p++) {
    const count = Math.floor(num(min) + Math.random() * (num(max) - num(min) + 1));
    const words = Array.from({ length: Math.min(count, 1000) }, () => LOREM[Math.floor(Math.random() * LOREM.length)]);
    const text = words.join(" ");
    paragraphs.push(`${text[0].toUpperCase()}${text.slice(1)}.`);
  }
  if (html === true || (html !== false && html !== 0)) return new Markup(paragraphs.map((p) => `<p>${p}</p>`).join("\n"));
  return paragraphs.join("\n\n");
}

const GLOBALS: Record<string, () => unknown> = {
  range: () => new PyCallable("_check_template_range", (args) => rangeOf(args)),
  dict: () =>
    new PyCallable("dict", (args, kwargs) => {
      const d = new Map<unknown, unknown>();
      if (args.length) {
        const src = args[0];
        if (isMapping(src)) for (const [k, v] of dictEntries(src)) d.set(mapKey(k), v);
        else throw typeError(`'${typeName(src)}' object is not iterable`);
      }
      for (const [k, v] of Object.entries(kwargs)) d.set(k, v);
      return d;
    }),
  namespace: () =>
    new PyCallable("Namespace", (args, kwargs) => {
      const ns = new Namespace();
      if (args.length && isMapping(args[0])) for (const [k, v] of dictEntries(args[0])) ns.attrs.set(pyStr(k), v);
      for (const [k, v] of Object.entries(kwargs)) ns.attrs.set(k, v);
      return ns;
    }),
  cycler: () => new PyCallable("Cycler", (args) => new Cycler(args)),
  lipsum: () => new PyCallable("generate_lorem_ipsum", (args, kwargs) => lipsum(args, kwargs)),
  joiner: () =>
    new PyCallable("Joiner", (args, kwargs) => {
      const sep = args.length ? pyStr(args[0]) : kwargs.sep !== undefined ? pyStr(kwargs.sep) : ", ";
      let used = false;
      return new PyCallable("__call__", () => {
        if (!used) {
          used = true;
          return "";
        }
        return sep;
      }, "Joiner");
    }),
};

/** The template's `self` (jinja2's TemplateReference; a string template has no blocks to call). */
class TemplateReference extends PyObject {
  readonly pyClass = "TemplateReference";
  override readonly pyModule = "jinja2.runtime";
  getAttr(): unknown {
    return MISSING;
  }
  str(): string {
    return "<TemplateReference None>";
  }
}

export function prefectEnvironment(): Environment {
  const globals: Record<string, unknown> = { self: new TemplateReference() };
  for (const [k, make] of Object.entries(GLOBALS)) globals[k] = make();
  return { filters: { ...BUILTIN_FILTERS, ...HUMANIZE_FILTERS, ...MORE_HUMANIZE_FILTERS, ...PREFECT_FILTERS }, tests: { ...BUILTIN_TESTS }, globals };
}

/** Our own bounds (Prefect has none beyond its loop and range limits): a Worker's memory and CPU are small. */
export const DEFAULT_LIMITS: RenderLimits = { maxOutput: 1_000_000, maxSteps: 100_000 };

export interface RenderOptions {
  /** Prefect's PREFECT_UI_URL (what `ui_url` builds on); null: `ui_url` answers None. */
  uiUrl?: string | null;
  /** "Now" for the humanize filters. */
  now?: () => Date;
  limits?: Partial<RenderLimits>;
}

/** jinja2's compile-time check: a filter or test unknown outside an if/conditional expression fails. */
function checkNames(body: Stmt[], env: Environment, soft: boolean): void {
  const expr = (e: Expr | null, soft: boolean): void => {
    if (!e) return;
    switch (e.t) {
      case "filter":
      case "test":
        if (!soft) {
          const table = e.t === "filter" ? env.filters : env.tests;
          if (!Object.hasOwn(table, e.name)) throw new PyException("TemplateAssertionError", `No ${e.t} named ${pyRepr(e.name)}.`);
        }
        if (e.node) expr(e.node, soft);
        e.args.forEach((a) => expr(a, soft));
        e.kwargs.forEach(([, a]) => expr(a, soft));
        expr(e.dynArgs, soft);
        expr(e.dynKwargs, soft);
        return;
      case "condexpr":
        expr(e.test, true);
        expr(e.then, true);
        expr(e.else, true);
        return;
      case "call":
        expr(e.fn, soft);
        e.args.forEach((a) => expr(a, soft));
        e.kwargs.forEach(([, a]) => expr(a, soft));
        expr(e.dynArgs, soft);
        expr(e.dynKwargs, soft);
        return;
      case "tuple":
      case "list":
        e.items.forEach((i) => expr(i, soft));
        return;
      case "concat":
        e.items.forEach((i) => expr(i, soft));
        return;
      case "dict":
        e.pairs.forEach(([k, v]) => (expr(k, soft), expr(v, soft)));
        return;
      case "getattr":
        expr(e.obj, soft);
        return;
      case "getitem":
        expr(e.obj, soft);
        expr(e.arg, soft);
        return;
      case "slice":
        expr(e.start, soft);
        expr(e.stop, soft);
        expr(e.step, soft);
        return;
      case "and":
      case "or":
      case "bin":
        expr(e.left, soft);
        expr(e.right, soft);
        return;
      case "not":
      case "neg":
      case "pos":
        expr(e.node, soft);
        return;
      case "compare":
        expr(e.expr, soft);
        e.ops.forEach(([, x]) => expr(x, soft));
        return;
    }
  };
  for (const s of body) {
    switch (s.t) {
      case "output":
        s.nodes.forEach((n) => typeof n !== "string" && expr(n, soft));
        break;
      case "if":
        expr(s.test, true);
        checkNames(s.body, env, true);
        checkNames(s.else, env, true);
        break;
      case "for":
        expr(s.iter, soft);
        expr(s.test, false);
        checkNames(s.body, env, false);
        checkNames(s.else, env, false);
        break;
      case "assign":
        expr(s.expr, soft);
        break;
      case "assignblock":
        expr(s.filter, soft);
        checkNames(s.body, env, false);
        break;
      case "with":
        s.values.forEach((v) => expr(v, soft));
        checkNames(s.body, env, false);
        break;
      case "macro":
        s.sig.defaults.forEach((d) => expr(d, false));
        checkNames(s.body, env, false);
        break;
      case "callblock":
        expr(s.call, soft);
        checkNames(s.body, env, false);
        break;
      case "filterblock":
        expr(s.filter, soft);
        checkNames(s.body, env, false);
        break;
      case "block":
      case "autoescape":
        checkNames(s.body, env, soft);
        break;
    }
  }
}

/** Does this string look like a template at all (Prefect's `maybe_template`)? */
export function maybeTemplate(value: string): boolean {
  return value.includes("{{") || value.includes("{%");
}

/**
 * Prefect's render_user_template: a string that is no template comes back as it is; otherwise the
 * rendered text, or TemplateRenderError carrying Prefect's message.
 */
export function renderUserTemplate(template: string, context: Record<string, unknown>, options: RenderOptions = {}): string {
  if (!maybeTemplate(template)) return template;
  try {
    const ast = parseTemplate(template);
    const env = prefectEnvironment();
    checkNames(ast.body, env, false);
    const renderer = new Renderer(env, context, { ...DEFAULT_LIMITS, ...options.limits }, { uiUrl: options.uiUrl ?? null, now: options.now ?? (() => new Date()) });
    return renderer.render(ast.body);
  } catch (err) {
    throw new TemplateRenderError(asPyException(err), template);
  }
}

function asPyException(err: unknown): PyException {
  if (err instanceof PyException) return err;
  if (err instanceof TemplateSyntaxError) return new PyException("TemplateSyntaxError", err.message);
  if (err instanceof RangeError || (err instanceof Error && /call stack/i.test(err.message))) return new PyException("RecursionError", "maximum recursion depth exceeded");
  return new PyException("Exception", err instanceof Error ? err.message : String(err));
}

/** Every variable a template reads (a name in load position), for Prefect's matching_types_in_templates. */
function namesRead(body: Stmt[], out: Set<string>): void {
  const expr = (e: Expr | null | undefined): void => {
    if (!e) return;
    switch (e.t) {
      case "name":
        out.add(e.name);
        return;
      case "nsref":
        out.add(e.name);
        return;
      case "const":
        return;
      case "tuple":
      case "list":
      case "concat":
        e.items.forEach(expr);
        return;
      case "dict":
        e.pairs.forEach(([k, v]) => (expr(k), expr(v)));
        return;
      case "getattr":
        expr(e.obj);
        return;
      case "getitem":
        expr(e.obj);
        expr(e.arg);
        return;
      case "slice":
        expr(e.start);
        expr(e.stop);
        expr(e.step);
        return;
      case "call":
        expr(e.fn);
        break;
      case "filter":
      case "test":
        expr(e.node);
        break;
      case "condexpr":
        expr(e.test);
        expr(e.then);
        expr(e.else);
        return;
      case "and":
      case "or":
      case "bin":
        expr(e.left);
        expr(e.right);
        return;
      case "not":
      case "neg":
      case "pos":
        expr(e.node);
        return;
      case "compare":
        expr(e.expr);
        e.ops.forEach(([, x]) => expr(x));
        return;
    }
    e.args.forEach(expr);
    e.kwargs.forEach(([, a]) => expr(a));
    expr(e.dynArgs);
    expr(e.dynKwargs);
  };
  for (const s of body) {
    switch (s.t) {
      case "output":
        s.nodes.forEach((n) => typeof n !== "string" && expr(n));
        break;
      case "if":
        expr(s.test);
        namesRead(s.body, out);
        namesRead(s.else, out);
        break;
      case "for":
        expr(s.iter);
        expr(s.test);
        namesRead(s.body, out);
        namesRead(s.else, out);
        break;
      case "assign":
        if (s.target.t === "nsref") out.add(s.target.name);
        expr(s.expr);
        break;
      case "assignblock":
        expr(s.filter);
        namesRead(s.body, out);
        break;
      case "with":
        s.values.forEach(expr);
        namesRead(s.body, out);
        break;
      case "macro":
        s.sig.defaults.forEach(expr);
        namesRead(s.body, out);
        break;
      case "callblock":
        expr(s.call);
        s.sig.defaults.forEach(expr);
        namesRead(s.body, out);
        break;
      case "filterblock":
        expr(s.filter);
        namesRead(s.body, out);
        break;
      case "block":
        namesRead(s.body, out);
        break;
      case "autoescape":
        expr(s.value);
        namesRead(s.body, out);
        break;
    }
  }
}

/**
 * Prefect's matching_types_in_templates: which of `names` (e.g. flow_run, deployment, variables)
 * the templates read, so that only those objects are fetched for the context. Templates that do
 * not parse read nothing.
 */
export function namesReadByTemplates(templates: string[], names: Iterable<string>): string[] {
  const read = new Set<string>();
  for (const template of templates) {
    try {
      namesRead(parseTemplate(template).body, read);
    } catch (err) {
      if (!(err instanceof TemplateSyntaxError)) throw err;
    }
  }
  return [...names].filter((n) => read.has(n));
}
