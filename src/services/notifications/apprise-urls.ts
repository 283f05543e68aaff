/**
 * Apprise URLs a URL-taking notification block (slack-webhook) may hold, as Apprise parses them:
 * Slack incoming webhooks (`https://hooks.slack.com/services/A/B/C`, GovCloud's
 * hooks.slack-gov.com, or `slack://A/B/C`) and the generic JSON / form webhooks
 * (`json://`, `jsons://`, `form://`, `forms://` with `+Header=`, `-query=`, `:field=` and `method=`).
 */
import { APP_ID, type OutboundRequest } from "./outbound";
import { basicAuth, COLORS, imageUrl, type Message } from "./apprise-common";

export class UnsupportedAppriseUrl extends Error {}

const SLACK_HOOK = /^https?:\/\/(hooks\.slack(?:-gov)?\.com)\/services\/([A-Z0-9]+)\/([A-Z0-9]+)\/([A-Z0-9]+)\/?(?:\?.*)?$/i;
const SLACK_SCHEME = /^slack:\/\/(?:[^@/]+@)?([A-Z0-9]+)\/([A-Z0-9]+)\/([A-Z0-9]+)\/?(?:\?.*)?$/i;

const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** GovCloud hooks: Prefect hands Apprise a Slack plugin without its asset, so it posts as "Apprise". */
function slack(host: string, tokens: string[], m: Message): OutboundRequest {
  const appId = host === "hooks.slack-gov.com" ? "Apprise" : APP_ID;
  const icon = imageUrl(m.notifyType, "72x72");
  const payload = {
    mrkdwn: true,
    attachments: [
      { title: slackEscape(m.subject), text: slackEscape(m.body), color: COLORS[m.notifyType], footer_icon: icon, footer: appId, ts: Date.now() / 1000 },
    ],
    icon_url: icon,
  };
  const headers = { "User-Agent": appId, Accept: "application/json", "Content-Type": "application/json; charset=utf-8" };
  return { url: `https://${host}/services/${tokens.join("/")}`, method: "POST", headers, body: JSON.stringify(payload) };
}

/** Query arguments as Apprise reads them: `+` is a prefix, not a space. */
function queryArgs(query: string): [string, string][] {
  return query
    .split("&")
    .filter(Boolean)
    .map((kv) => {
      const i = kv.indexOf("=");
      const [k, v] = i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
      return [decodeURIComponent(k), decodeURIComponent(v)];
    });
}

const GENERIC = /^(json|form)(s?):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)([^?#]*)(?:\?([^#]*))?/i;

function generic(url: string, m: Message): OutboundRequest | undefined {
  const g = GENERIC.exec(url);
  if (!g) return undefined;
  const [, kind, secure, user, password, hostPort, path, query] = g;
  const own: Record<string, string> = {};
  const params = new URLSearchParams();
  const extras: [string, string][] = [];
  let method = "POST";
  for (const [k, v] of queryArgs(query ?? "")) {
    if (k.startsWith("+")) own[k.slice(1)] = v;
    else if (k.startsWith("-")) params.append(k.slice(1), v);
    else if (k.startsWith(":")) extras.push([k.slice(1), v]);
    else if (k.toLowerCase() === "method") method = v.toUpperCase();
  }
  const auth: Record<string, string> = {};
  if (user) auth.Authorization = basicAuth(decodeURIComponent(user), decodeURIComponent(password ?? ""));
  const fields: Record<string, unknown> = { version: "1.0", title: m.subject, message: m.body };
  if (kind.toLowerCase() === "json") fields.attachments = [];
  fields.type = m.notifyType;
  for (const [k, v] of extras) {
    if (k in fields) {
      const value = fields[k];
      delete fields[k];
      if (v) fields[v] = value;
    } else fields[k] = v;
  }
  const qs = params.toString();
  const target = `${secure ? "https" : "http"}://${hostPort}${path || "/"}${qs ? `?${qs}` : ""}`;
  if (kind.toLowerCase() === "json")
    return { url: target, method, headers: { "User-Agent": APP_ID, "Content-Type": "application/json", ...own, ...auth }, body: JSON.stringify(fields) };
  const form = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]));
  return { url: target, method, headers: { "User-Agent": APP_ID, ...own, ...auth, "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString() };
}

export function appriseUrlRequests(url: string, m: Message): OutboundRequest[] {
  const hook = SLACK_HOOK.exec(url);
  if (hook) return [slack(hook[1].toLowerCase(), hook.slice(2, 5), m)];
  const scheme = SLACK_SCHEME.exec(url);
  if (scheme) return [slack("hooks.slack.com", scheme.slice(1, 4), m)];
  const request = generic(url, m);
  if (request) return [request];
  throw new UnsupportedAppriseUrl(`Unsupported Apprise URL (scheme ${JSON.stringify(url.split(":")[0])}): supported are Slack webhooks, json(s):// and form(s)://`);
}
