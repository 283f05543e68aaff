/**
 * Prefect's CustomWebhookNotificationBlock: every string in url/params/form_data/json_data/
 * headers/cookies may hold `{{key}}` placeholders, filled from the block's secrets and
 * `subject` / `body` / `name` (prefect.utilities.templating.apply_values).
 */
import { pyRepr } from "../../lib/python";
import { APP_ID, DEFAULT_TIMEOUT_S, type OutboundRequest } from "./outbound";

const PLACEHOLDER = /(\{\{\s*([\w.\-[\]$]+)\s*\}\})/g;
const NOT_SET = Symbol("NotSet");

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Placeholders of Prefect's block/variable kinds are left alone; `$ENV` ones read the environment (empty here). */
const kindOf = (name: string) => (name.startsWith("prefect.blocks.") || name.startsWith("prefect.variables.") ? "other" : name.startsWith("$") ? "env" : "standard");

/** prefect.utilities.collections.get_from_dict: dotted keys and `[i]` indexes. */
function getFromDict(values: Record<string, unknown>, name: string): unknown {
  let current: unknown = values;
  for (const part of name.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length) current = current[Number(part)];
    else if (isRecord(current) && Object.hasOwn(current, part)) current = current[part];
    else return NOT_SET;
  }
  return current;
}

const pyStr = (v: unknown) => (typeof v === "string" ? v : pyRepr(v));

function placeholdersOf(s: string): { full: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const m of s.matchAll(PLACEHOLDER)) seen.set(m[1], m[2]);
  return [...seen].map(([full, name]) => ({ full, name }));
}

function applyValues(template: unknown, values: Record<string, unknown>): unknown {
  if (template === null || template === undefined || typeof template === "number" || typeof template === "boolean") return template;
  if (typeof template === "string") {
    const found = placeholdersOf(template);
    if (!found.length) return template;
    if (found.length === 1 && found[0].full === template && kindOf(found[0].name) === "standard") return getFromDict(values, found[0].name);
    let out = template;
    for (const { full, name } of found) {
      const kind = kindOf(name);
      if (kind === "other") continue;
      const value = kind === "standard" ? getFromDict(values, name) : NOT_SET;
      out = out.split(full).join(value === NOT_SET ? "" : pyStr(value));
    }
    return out;
  }
  if (Array.isArray(template)) return template.map((v) => applyValues(v, values)).filter((v) => v !== NOT_SET);
  if (isRecord(template)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) {
      const applied = applyValues(v, values);
      if (applied !== NOT_SET) out[k] = applied;
    }
    return out;
  }
  return template;
}

const TEMPLATED = ["url", "params", "form_data", "json_data", "headers", "cookies"] as const;

/** Prefect's block_initialization checks: the error a misconfigured block raises on load, or null. */
export function customWebhookError(data: Record<string, any>): string | null {
  if (data.form_data != null && data.json_data != null) return "ValueError('both `Form Data` and `JSON Data` provided')";
  const allowed = new Set(["subject", "body", "name", ...Object.keys(isRecord(data.secrets) ? data.secrets : {})]);
  for (const field of TEMPLATED) {
    const strings: string[] = [];
    const walk = (v: unknown) => (typeof v === "string" ? strings.push(v) : Array.isArray(v) ? v.forEach(walk) : isRecord(v) ? Object.values(v).forEach(walk) : 0);
    walk(data[field]);
    for (const s of strings) for (const { full, name } of placeholdersOf(s)) if (!allowed.has(name)) return `KeyError('${field}/${full}')`;
  }
  return null;
}

/** The one request the block sends for a notification. */
export function customWebhookRequest(data: Record<string, any>, subject: string | null, body: string): OutboundRequest {
  const values = { ...(isRecord(data.secrets) ? data.secrets : {}), subject: subject ?? "null", body, name: data.name };
  const v = (field: string) => {
    const applied = applyValues(data[field] ?? null, values);
    return applied === NOT_SET ? null : applied;
  };
  const url = new URL(String(v("url") ?? ""));
  const params = v("params");
  if (isRecord(params)) for (const [k, value] of Object.entries(params)) url.searchParams.append(k, pyStr(value));
  const headers: Record<string, string> = { "user-agent": APP_ID };
  const formData = v("form_data");
  const json = v("json_data");
  let payload: string | undefined;
  if (typeof formData === "string") payload = formData;
  else if (isRecord(formData)) {
    payload = new URLSearchParams(Object.entries(formData).map(([k, value]): [string, string] => [k, pyStr(value)])).toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else if (json !== null && json !== undefined) {
    payload = JSON.stringify(json);
    headers["content-type"] = "application/json";
  }
  const own = v("headers");
  if (isRecord(own)) for (const [k, value] of Object.entries(own)) headers[k.toLowerCase()] = pyStr(value);
  const cookies = v("cookies");
  if (isRecord(cookies) && Object.keys(cookies).length) headers.cookie = Object.entries(cookies).map(([k, value]) => `${k}=${pyStr(value)}`).join("; ");
  const timeout = typeof data.timeout === "number" ? data.timeout : DEFAULT_TIMEOUT_S;
  return { url: url.toString(), method: String(data.method ?? "POST"), headers, body: payload, timeout };
}
