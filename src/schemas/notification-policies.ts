import { z } from "@hono/zod-openapi";
import { DateTime, Int, Uuid } from "./primitives";

/**
 * Prefect 2.x's flow run notification policies (removed from Prefect 3's API, kept here for
 * 2.x clients): the request and response shapes of its `/flow_run_notification_policies` routes.
 */

/** The variables a policy's message template may use (Prefect 2.x's FLOW_RUN_NOTIFICATION_TEMPLATE_KWARGS). */
export const FLOW_RUN_NOTIFICATION_TEMPLATE_KWARGS = [
  "flow_run_notification_policy_id",
  "flow_id",
  "flow_name",
  "flow_run_url",
  "flow_run_id",
  "flow_run_name",
  "flow_run_parameters",
  "flow_run_state_type",
  "flow_run_state_name",
  "flow_run_state_timestamp",
  "flow_run_state_message",
];

const KWARGS = new Set(FLOW_RUN_NOTIFICATION_TEMPLATE_KWARGS);

/**
 * What Python's `template.format(**{k: "test" for k in KWARGS})` raises as a ValueError (Prefect's
 * validator turns an unknown `{name}` into "Invalid template variable provided: 'name'"), or null
 * when the template formats. Positional fields (`{}` / `{0}`), an IndexError on Prefect's server,
 * are reported the same way rather than as a server error.
 */
export function templateError(template: string): string | null {
  let auto = 0;
  const check = (s: string): string | null => {
    let i = 0;
    while (i < s.length) {
      const ch = s[i];
      if (ch === "}") {
        if (s[i + 1] === "}") {
          i += 2;
          continue;
        }
        return "Single '}' encountered in format string";
      }
      if (ch !== "{") {
        i += 1;
        continue;
      }
      if (s[i + 1] === "{") {
        i += 2;
        continue;
      }
      if (i + 1 >= s.length) return "Single '{' encountered in format string";
      // The replacement field runs to the brace that balances this one.
      let depth = 1;
      let j = i + 1;
      for (; j < s.length; j++) {
        if (s[j] === "{") depth += 1;
        else if (s[j] === "}" && --depth === 0) break;
      }
      if (depth > 0) return "expected '}' before end of string";
      const field = s.slice(i + 1, j);
      i = j + 1;
      let end = field.length;
      let k = 0;
      for (let bracket = false; k < field.length; k++) {
        if (field[k] === "[") bracket = true;
        else if (field[k] === "]") bracket = false;
        else if (!bracket && (field[k] === "!" || field[k] === ":")) break;
      }
      end = k;
      const fieldName = field.slice(0, end);
      let spec = "";
      let conversion: string | null = null;
      if (field[end] === "!") {
        if (end + 1 >= field.length) return "end of string while looking for conversion specifier";
        conversion = field[end + 1];
        if (end + 2 < field.length) {
          if (field[end + 2] !== ":") return "expected ':' after conversion specifier";
          spec = field.slice(end + 3);
        }
      } else if (field[end] === ":") {
        spec = field.slice(end + 1);
      }
      const first = /^[^.[]*/.exec(fieldName)![0];
      if (first === "") return `Replacement index ${auto++} out of range for positional args tuple`;
      if (/^\d+$/.test(first)) return `Replacement index ${Number(first)} out of range for positional args tuple`;
      if (!KWARGS.has(first)) return `Invalid template variable provided: '${first}'`;
      if (conversion !== null && !["r", "s", "a"].includes(conversion)) return `Unknown conversion specifier ${conversion}`;
      const nested = spec ? check(spec) : null;
      if (nested) return nested;
    }
    return null;
  };
  return check(template);
}

const MessageTemplate = z
  .string()
  .superRefine((v, ctx) => {
    const error = templateError(v);
    if (error) ctx.addIssue({ code: "custom", message: error });
  })
  .nullable()
  .optional();

export const FlowRunNotificationPolicy = z
  .object({
    id: Uuid,
    created: DateTime.nullable(),
    updated: DateTime.nullable(),
    is_active: z.boolean().default(true),
    state_names: z.array(z.string()),
    tags: z.array(z.string()),
    block_document_id: Uuid,
    message_template: z.string().nullable().optional(),
  })
  .openapi("FlowRunNotificationPolicy");
export type FlowRunNotificationPolicy = z.infer<typeof FlowRunNotificationPolicy>;

export const FlowRunNotificationPolicyCreate = z
  .strictObject({
    is_active: z.boolean().default(true),
    state_names: z.array(z.string()),
    tags: z.array(z.string()),
    block_document_id: Uuid,
    message_template: MessageTemplate,
  })
  .openapi("FlowRunNotificationPolicyCreate");
export type FlowRunNotificationPolicyCreate = z.infer<typeof FlowRunNotificationPolicyCreate>;

export const FlowRunNotificationPolicyUpdate = z
  .strictObject({
    is_active: z.boolean().nullable().optional(),
    state_names: z.array(z.string()).nullable().optional(),
    tags: z.array(z.string()).nullable().optional(),
    block_document_id: Uuid.nullable().optional(),
    message_template: MessageTemplate,
  })
  .openapi("FlowRunNotificationPolicyUpdate");
export type FlowRunNotificationPolicyUpdate = z.infer<typeof FlowRunNotificationPolicyUpdate>;

export const FlowRunNotificationPolicyFilterIsActive = z
  .strictObject({ eq_: z.boolean().nullable().optional() })
  .openapi("FlowRunNotificationPolicyFilterIsActive");

/** Note Prefect 2.x's default: a filter sent without `is_active` selects the inactive policies. */
export const FlowRunNotificationPolicyFilter = z
  .strictObject({
    is_active: FlowRunNotificationPolicyFilterIsActive.nullable().default({ eq_: false }),
  })
  .openapi("FlowRunNotificationPolicyFilter");
export type FlowRunNotificationPolicyFilter = z.infer<typeof FlowRunNotificationPolicyFilter>;

export const Body_read_flow_run_notification_policies_flow_run_notification_policies_filter_post = z
  .object({
    limit: Int.optional(),
    flow_run_notification_policy_filter: FlowRunNotificationPolicyFilter.nullable().optional(),
    offset: Int.gte(0).default(0),
  })
  .openapi("Body_read_flow_run_notification_policies_flow_run_notification_policies_filter_post");
