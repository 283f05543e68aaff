/**
 * Python's `str.format(**kwargs)` for message templates (Prefect 2.x notification policies):
 * `{name}`, `{name[key]}` / `{name[0]}` indexing, `!s` / `!r` / `!a` conversions and `{{` / `}}`
 * escapes. Format specs (`{name:>10}`) are not applied: the value is written as str() writes it.
 */
import { pyRepr } from "./repr";

/** A Python object known by its str() and repr() (a UUID, an enum member, a datetime). */
export class PyText {
  constructor(
    readonly str: string,
    readonly repr: string,
  ) {}
  pyRepr(): string {
    return this.repr;
  }
}

export class PyFormatError extends Error {}

const pyStr = (v: unknown): string => (v instanceof PyText ? v.str : typeof v === "string" ? v : pyRepr(v));

function lookup(kwargs: Record<string, unknown>, fieldName: string): unknown {
  const first = /^[^.[]*/.exec(fieldName)![0];
  if (!Object.hasOwn(kwargs, first)) throw new PyFormatError(`KeyError(${pyRepr(first)})`);
  let value = kwargs[first];
  let rest = fieldName.slice(first.length);
  while (rest) {
    const index = /^\[([^\]]*)\]/.exec(rest);
    if (!index) throw new PyFormatError(`AttributeError(${pyRepr(rest)})`);
    const key = index[1];
    if (Array.isArray(value) && /^\d+$/.test(key) && Number(key) < value.length) value = value[Number(key)];
    else if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof PyText) && Object.hasOwn(value, key)) value = (value as Record<string, unknown>)[key];
    else throw new PyFormatError(`KeyError(${pyRepr(/^\d+$/.test(key) ? Number(key) : key)})`);
    rest = rest.slice(index[0].length);
  }
  return value;
}

export function pyFormat(template: string, kwargs: Record<string, unknown>): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === "}") {
      if (template[i + 1] !== "}") throw new PyFormatError("ValueError(\"Single '}' encountered in format string\")");
      out += "}";
      i += 2;
      continue;
    }
    if (ch !== "{") {
      out += ch;
      i += 1;
      continue;
    }
    if (template[i + 1] === "{") {
      out += "{";
      i += 2;
      continue;
    }
    let depth = 1;
    let j = i + 1;
    for (; j < template.length && depth; j++) {
      if (template[j] === "{") depth += 1;
      else if (template[j] === "}") depth -= 1;
    }
    if (depth) throw new PyFormatError("ValueError(\"expected '}' before end of string\")");
    const field = template.slice(i + 1, j - 1);
    i = j;
    const m = /^((?:[^!:[]|\[[^\]]*\])*)(?:!([^:]))?(?::.*)?$/s.exec(field);
    if (!m) throw new PyFormatError(`ValueError(${pyRepr(`invalid field ${field}`)})`);
    const value = lookup(kwargs, m[1]);
    out += m[2] === "r" || m[2] === "a" ? pyRepr(value) : pyStr(value);
  }
  return out;
}
