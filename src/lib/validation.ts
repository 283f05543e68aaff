import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import type { RequestBodyKind } from "../schemas/request-bodies.gen";

/** One entry of Prefect's (pydantic's) 422 `exception_detail`; Prefect's document calls it ValidationError. */
export const ValidationErrorEntry = z
  .object({
    loc: z.array(z.union([z.string(), z.int()])),
    msg: z.string(),
    type: z.string(),
    input: z.unknown(),
    ctx: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("ValidationError");
export type PydanticError = z.infer<typeof ValidationErrorEntry>;

/**
 * The 422 every route answers when its body or query fails validation. Prefect's document names
 * it HTTPValidationError (with a `detail` list); its server, like this one, answers these keys.
 */
export const HTTPValidationError = z
  .object({
    exception_message: z.string(),
    exception_detail: z.array(ValidationErrorEntry),
    request_body: z.unknown(),
  })
  .openapi("HTTPValidationError");

/** How a route's JSON body was read (src/lib/body-reading.ts): its kind and, if it was not read as JSON, what was sent. */
export interface BodyReading {
  kind: RequestBodyKind;
  /** Present when the body was not read as JSON: null (nothing sent) or the text sent. */
  unread?: { sent: string | null };
}

type Target = "json" | "query" | "param" | "header" | "cookie" | "form";
const LOC_ROOT: Record<Target, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};

export function validationErrorResponse(
  c: Context,
  detail: PydanticError[],
  requestBody: unknown,
): Response {
  return c.json(
    { exception_message: "Invalid request received.", exception_detail: detail, request_body: requestBody },
    422,
  );
}

/** The hook every route shares: zod failures become Prefect's 422 body. */
export function prefectValidationHook(
  result: { success: boolean; error?: z.ZodError; data?: unknown; target: Target },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  // A malformed id in the path means no route matched, as with Prefect's `{id:uuid}` routes.
  if (result.target === "param") return c.json({ detail: "Not Found" }, 404);
  const root = LOC_ROOT[result.target] ?? "body";
  let detail = result.error.issues.flatMap((issue) => toPydantic(issue, root, result.data));
  if (result.target !== "json") return validationErrorResponse(c, detail, null);
  const reading = (c.var as { bodyReading?: BodyReading } | undefined)?.bodyReading;
  // FastAPI looks up each of a body's named fields on its own: one that is missing has no input.
  if (reading?.kind === "fields") detail = detail.map((e) => (e.type === "missing" && e.loc.length === 2 ? { ...e, input: null } : e));
  return validationErrorResponse(c, detail, reading?.unread ? reading.unread.sent : (result.data ?? null));
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: any = data;
  for (const p of path) {
    if (v === null || v === undefined) return undefined;
    v = v[p as any];
  }
  return v;
}

function typeName(expected: string, input: unknown): [string, string] {
  const str = typeof input === "string";
  switch (expected) {
    case "string":
      return ["string_type", "Input should be a valid string"];
    case "int":
    case "integer":
      return str
        ? ["int_parsing", "Input should be a valid integer, unable to parse string as an integer"]
        : typeof input === "number"
          ? ["int_from_float", "Input should be a valid integer, got a number with a fractional part"]
          : ["int_type", "Input should be a valid integer"];
    case "number":
      return str
        ? ["float_parsing", "Input should be a valid number, unable to parse string as a number"]
        : ["float_type", "Input should be a valid number"];
    case "boolean":
      return str
        ? ["bool_parsing", "Input should be a valid boolean, unable to interpret input"]
        : ["bool_type", "Input should be a valid boolean"];
    case "array":
    case "tuple":
      return ["list_type", "Input should be a valid list"];
    case "object":
    case "record":
      return ["dict_type", "Input should be a valid dictionary"];
    case "null":
      return ["none_required", "Input should be None"];
    default:
      return [`${expected}_type`, `Input should be a valid ${expected}`];
  }
}

function uuidMessage(input: unknown): [string, Record<string, unknown>] {
  if (typeof input !== "string") return ["UUID input should be a string, bytes or UUID object", {}];
  const bad = [...input].findIndex((ch) => !/[0-9a-fA-F-]/.test(ch));
  const error =
    bad >= 0
      ? `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${input[bad]}\` at ${bad + 1}`
      : `invalid group length in group 4: expected 12, found ${input.length}`;
  return [`Input should be a valid UUID, ${error}`, { error }];
}

function quoteList(values: readonly unknown[]): string {
  const q = values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
  return q.length <= 1 ? q.join("") : `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
}

const BOUND_WORDS = {
  min: { number: ["greater_than", "greater than", "ge", "gt"], size: ["too_short", "at least", "min_length"] },
  max: { number: ["less_than", "less than", "le", "lt"], size: ["too_long", "at most", "max_length"] },
} as const;

/** pydantic's error for a number, string or list outside its bound. */
function boundError(
  side: "min" | "max",
  origin: string,
  bound: number | bigint,
  inclusiveFlag: boolean | undefined,
  loc: (string | number)[],
  input: unknown,
): PydanticError {
  if (origin === "number" || origin === "int" || origin === "bigint") {
    const [type, words, inclusiveKey, exclusiveKey] = BOUND_WORDS[side].number;
    const inclusive = inclusiveFlag !== false;
    return {
      type: inclusive ? `${type}_equal` : type,
      loc,
      msg: `Input should be ${words}${inclusive ? " or equal to" : ""} ${bound}`,
      input,
      ctx: { [inclusive ? inclusiveKey : exclusiveKey]: bound },
    };
  }
  const [type, words, ctxKey] = BOUND_WORDS[side].size;
  const string = origin === "string";
  const unit = string ? "character" : "item";
  return {
    type: string ? `string_${type}` : type,
    loc,
    msg: `${string ? "String" : "List"} should have ${words} ${bound} ${unit}${Number(bound) === 1 ? "" : "s"}`,
    input,
    ctx: { [ctxKey]: bound },
  };
}

/** pydantic's names of the scalar types a union member failed as. */
const SCALAR_TAGS: Record<string, string> = { boolean: "bool", int: "int", number: "float", string: "str" };

/**
 * When each member of a failed union is a scalar type that refused the input's type (e.g.
 * KeyValueLabels' StrictBool | StrictInt | StrictFloat | str), the members' pydantic tags and types.
 */
function scalarBranchTags(branches: z.core.$ZodIssue[][]): { tag: string; expected: string }[] | null {
  const tags: { tag: string; expected: string }[] = [];
  for (const branch of branches) {
    const [only] = branch;
    if (branch.length !== 1 || only!.code !== "invalid_type" || only!.path.length) return null;
    const expected = only!.message === "int_type" ? "int" : only!.expected;
    const tag = SCALAR_TAGS[expected];
    if (!tag) return null;
    tags.push({ tag, expected });
  }
  return tags;
}

function toPydantic(issue: z.core.$ZodIssue, root: string, data: unknown): PydanticError[] {
  const path = issue.path as (string | number)[];
  const loc = [root, ...path];
  const input = valueAt(data, path);
  switch (issue.code) {
    case "invalid_type": {
      if (input === undefined) {
        return [{ type: "missing", loc, msg: "Field required", input: valueAt(data, path.slice(0, -1)) ?? {} }];
      }
      const [type, msg] = typeName(issue.message === "int_type" ? "int" : issue.expected, input);
      return [{ type, loc, msg, input }];
    }
    case "unrecognized_keys":
      return issue.keys.map((k) => ({
        type: "extra_forbidden",
        loc: [...loc, k],
        msg: "Extra inputs are not permitted",
        input: (input as any)?.[k],
      }));
    case "invalid_value": {
      const expected = quoteList(issue.values);
      return issue.values.length === 1
        ? [{ type: "literal_error", loc, msg: `Input should be ${expected}`, input, ctx: { expected } }]
        : [{ type: "enum", loc, msg: `Input should be ${expected}`, input, ctx: { expected } }];
    }
    case "too_small":
      return [boundError("min", issue.origin, issue.minimum, issue.inclusive, loc, input)];
    case "too_big":
      return [boundError("max", issue.origin, issue.maximum, issue.inclusive, loc, input)];
    case "invalid_union": {
      const scalars = scalarBranchTags(issue.errors);
      if (scalars) {
        // pydantic reports every member of a union of scalars, each under its type's name.
        return scalars.map(({ tag, expected }) => {
          const [type, msg] = typeName(expected, input);
          return { type, loc: [...loc, tag], msg, input };
        });
      }
      // Report the branch that got furthest, as pydantic's smart-mode union does in practice.
      const branches = issue.errors.filter((e) => e.length > 0);
      const best = branches.sort((a, b) => a.length - b.length)[0];
      if (best) return best.flatMap((i) => toPydantic({ ...i, path: [...path, ...i.path] } as any, root, data));
      return [{ type: "union_tag_invalid", loc, msg: "Input does not match any allowed type", input }];
    }
    default: {
      if (issue.message === "int_type") {
        const [type, msg] = typeName("int", input);
        return [{ type, loc, msg, input }];
      }
      if (issue.message === "uuid_parsing") {
        const [msg, ctx] = uuidMessage(input);
        return [{ type: "uuid_parsing", loc, msg, input, ctx }];
      }
      // A check that knows pydantic's exact error (e.g. the datetime parser) passes it whole.
      const pydantic = issue.code === "custom" ? (issue.params?.pydantic as Omit<PydanticError, "loc" | "input"> | undefined) : undefined;
      if (pydantic) return [{ type: pydantic.type, loc, msg: pydantic.msg, input, ...(pydantic.ctx ? { ctx: pydantic.ctx } : {}) }];
      if (issue.code === "invalid_format" && issue.format === "regex") {
        const pattern = (issue as any).pattern ?? "";
        return [
          {
            type: "string_pattern_mismatch",
            loc,
            msg: `String should match pattern '${pattern}'`,
            input,
            ctx: { pattern },
          },
        ];
      }
      return [{ type: "value_error", loc, msg: `Value error, ${issue.message}`, input, ctx: { error: issue.message } }];
    }
  }
}
