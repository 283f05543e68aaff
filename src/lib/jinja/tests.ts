/** jinja2's builtin tests (jinja2.tests). */
import { PyException } from "./errors";
import type { Renderer, Test } from "./runtime";
import { isFloat, isInt, isMapping, isNumber, isSeq, isStr, Markup, num, PyCallable, pyCompare, pyContains, pyEq, PyObject, pyStr, Undefined } from "./values";

const one = (fn: (v: unknown) => boolean): Test => (_r, v) => fn(v);
const two = (fn: (v: unknown, other: unknown, r: Renderer) => boolean): Test => (r, v, args, kwargs) => {
  const other = args.length ? args[0] : Object.values(kwargs)[0];
  if (other === undefined && !args.length && !Object.keys(kwargs).length) throw new PyException("TypeError", "test takes exactly one argument");
  return fn(v, other, r);
};

const caseOf = (v: unknown) => {
  const s = pyStr(v);
  const cased = [...s].some((c) => c.toLowerCase() !== c.toUpperCase());
  return { s, cased };
};

export const BUILTIN_TESTS: Record<string, Test> = {
  odd: one((v) => Math.abs(num(v) % 2) === 1),
  even: one((v) => num(v) % 2 === 0),
  divisibleby: two((v, n) => num(v) % num(n) === 0),
  defined: one((v) => !(v instanceof Undefined)),
  undefined: one((v) => v instanceof Undefined),
  filter: (r, v) => isStr(v) && Object.hasOwn(r.env.filters, pyStr(v)),
  test: (r, v) => isStr(v) && Object.hasOwn(r.env.tests, pyStr(v)),
  none: one((v) => v === null || v === undefined),
  boolean: one((v) => typeof v === "boolean"),
  false: one((v) => v === false),
  true: one((v) => v === true),
  integer: one((v) => isInt(v) && typeof v !== "boolean"),
  float: one((v) => isFloat(v)),
  lower: one((v) => {
    const { s, cased } = caseOf(v);
    return cased && s === s.toLowerCase();
  }),
  upper: one((v) => {
    const { s, cased } = caseOf(v);
    return cased && s === s.toUpperCase();
  }),
  string: one((v) => isStr(v)),
  mapping: one((v) => isMapping(v)),
  number: one((v) => isNumber(v)),
  sequence: one((v) => isStr(v) || isSeq(v) || isMapping(v)),
  iterable: one((v) => isStr(v) || isSeq(v) || isMapping(v) || v instanceof Undefined),
  callable: one((v) => v instanceof PyCallable),
  sameas: two((v, o) => v === o || (v === null && o === null) || (typeof v === "boolean" && v === o)),
  escaped: one((v) => v instanceof Markup),
  in: two((v, seq) => pyContains(seq, v)),
  "==": two((v, o) => pyEq(v, o)),
  eq: two((v, o) => pyEq(v, o)),
  equalto: two((v, o) => pyEq(v, o)),
  "!=": two((v, o) => !pyEq(v, o)),
  ne: two((v, o) => !pyEq(v, o)),
  ">": two((v, o) => pyCompare(v, o, "gt") > 0),
  gt: two((v, o) => pyCompare(v, o, "gt") > 0),
  greaterthan: two((v, o) => pyCompare(v, o, "gt") > 0),
  ">=": two((v, o) => pyCompare(v, o, "gteq") >= 0),
  ge: two((v, o) => pyCompare(v, o, "gteq") >= 0),
  "<": two((v, o) => pyCompare(v, o, "lt") < 0),
  lt: two((v, o) => pyCompare(v, o, "lt") < 0),
  lessthan: two((v, o) => pyCompare(v, o, "lt") < 0),
  "<=": two((v, o) => pyCompare(v, o, "lteq") <= 0),
  le: two((v, o) => pyCompare(v, o, "lteq") <= 0),
};
void PyObject;
