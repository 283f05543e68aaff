/**
 * Triggers and actions are unions told apart by their `type`. When one fails to parse, the error
 * that helps is the one of the member its `type` names (what pydantic reports among its errors
 * for that member), not whichever member happened to fail least. This rewrites zod's union
 * issues accordingly before the shared validation hook turns them into Prefect's 422.
 */
import type { Context } from "hono";
import { prefectValidationHook } from "../../lib/validation";

/** The members of the generated unions, in their order there. */
const ACTION_TYPES = [
  "do-nothing",
  "run-deployment",
  "pause-deployment",
  "resume-deployment",
  "cancel-flow-run",
  "delete-flow-run",
  "change-flow-run-state",
  "pause-work-queue",
  "resume-work-queue",
  "send-notification",
  "call-webhook",
  "pause-automation",
  "resume-automation",
  "suspend-flow-run",
  "resume-flow-run",
  "pause-work-pool",
  "resume-work-pool",
];
const TRIGGER_TYPES = ["event", "compound", "sequence"];
const ACTION_LISTS = new Set(["actions", "actions_on_trigger", "actions_on_resolve"]);

type Issue = { code: string; path: PropertyKey[]; errors?: Issue[][]; [k: string]: unknown };

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let v: any = data;
  for (const p of path) {
    if (v === null || v === undefined) return undefined;
    v = v[p as any];
  }
  return v;
}

function unionMembers(path: PropertyKey[]): { types: string[]; fallback: string } | null {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof last === "number" && ACTION_LISTS.has(String(parent))) return { types: ACTION_TYPES, fallback: "do-nothing" };
  if (last === "trigger" || (typeof last === "number" && parent === "triggers")) return { types: TRIGGER_TYPES, fallback: "event" };
  return null;
}

const quoted = (values: string[]) => `${values.slice(0, -1).map((v) => `'${v}'`).join(", ")} or '${values[values.length - 1]}'`;

function rewrite(issue: Issue, data: unknown, base: PropertyKey[]): Issue[] {
  const path = [...base, ...issue.path];
  if (issue.code !== "invalid_union" || !issue.errors) return [{ ...issue, path }];
  const members = unionMembers(path);
  const input = valueAt(data, path);
  if (!members || !input || typeof input !== "object" || Array.isArray(input)) return [{ ...issue, path }];
  const type = (input as Record<string, unknown>).type ?? members.fallback;
  const index = members.types.indexOf(type as string);
  if (index < 0 || !issue.errors[index]) {
    return [
      {
        code: "invalid_value",
        path: [...path, "type"],
        values: members.types,
        message: `Input should be ${quoted(members.types)}`,
        input: type,
      },
    ];
  }
  return issue.errors[index].flatMap((inner) => rewrite(inner, data, path));
}

/** The shared hook, with trigger and action union errors narrowed to the member their type names. */
export function automationValidationHook(result: any, c: Context): Response | undefined {
  if (result.success || !result.error) return prefectValidationHook(result, c);
  const issues = (result.error.issues as Issue[]).flatMap((issue) => rewrite(issue, result.data, []));
  return prefectValidationHook({ ...result, error: { issues } }, c);
}
