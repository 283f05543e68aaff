/**
 * The requests Apprise's plugins send for Prefect's notification blocks (their defaults as
 * Prefect configures them; Apprise's persistent storage, attachments and templates aside).
 */
import { APP_ID, type OutboundRequest } from "./outbound";
import { basicAuth, imageUrl, jsonHeaders, notifyTypeOf, titleInBody, type Message } from "./apprise-common";
import { appriseUrlRequests } from "./apprise-urls";

type Data = Record<string, any>;
type Builder = (data: Data, m: Message) => OutboundRequest[];

const post = (url: string, payload: unknown, headers: Record<string, string> = jsonHeaders): OutboundRequest => ({
  url,
  method: "POST",
  headers,
  body: JSON.stringify(payload),
});

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Microsoft Teams through a Power Automate workflow: an Adaptive Card (Apprise's `workflows`). */
const teams: Builder = (data, m) => {
  const body: Data[] = [];
  if (data.include_image ?? true) body.push({ type: "Image", url: imageUrl(m.notifyType, "32x32"), height: "32px", altText: m.notifyType });
  if (m.subject) body.push({ type: "TextBlock", text: m.subject, style: "heading", weight: "Bolder", size: "Large", id: "title" });
  body.push({ type: "TextBlock", text: m.body, style: "default", wrap: data.wrap ?? true, id: "body" });
  const card = { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body, msteams: { width: "full" } };
  return [post(String(data.url), { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] })];
};

/**
 * Discord's webhook API (text mode: title and body in `content`). The block's bot name does not
 * reach the payload (Apprise's Discord plugin takes no `botname`, as Prefect passes it).
 */
const discord: Builder = (data, m) => {
  const payload: Data = { tts: !!data.tts, wait: !data.tts };
  if (data.avatar) payload.avatar_url = data.avatar_url || imageUrl(m.notifyType, "256x256");
  payload.content = titleInBody(m);
  const url = `https://discord.com/api/webhooks/${data.webhook_id}/${data.webhook_token}`;
  return [post(url, payload, { "User-Agent": APP_ID, "Content-Type": "application/json; charset=utf-8" })];
};

const PAGERDUTY_SEVERITY = { info: "info", success: "info", warning: "warning", failure: "critical" } as const;

/**
 * PagerDuty's Events API v2. With a subject, Prefect moves the body into the custom details
 * ("Prefect Notification Body") and sends a blank body, so the summary is the subject's line.
 */
const pagerDuty: Builder = (data, m) => {
  let details: Data | null = data.custom_details && typeof data.custom_details === "object" ? { ...data.custom_details } : null;
  let body = m.body;
  if (m.subject) {
    details = { ...(details ?? {}), "Prefect Notification Body": m.body };
    // Prefect's placeholder body (a space) reaches PagerDuty trimmed.
    body = "";
  }
  const inner: Data = {
    summary: titleInBody({ ...m, body }),
    severity: PAGERDUTY_SEVERITY[m.notifyType],
    source: data.source ?? "Prefect",
    component: data.component ?? "Notification",
  };
  if (data.group) inner.group = data.group;
  if (data.class_id) inner.class = data.class_id;
  const payload: Data = { routing_key: data.integration_key, payload: inner, client: APP_ID, event_action: "trigger" };
  if (data.clickable_url) payload.links = [{ href: data.clickable_url }];
  if (data.include_image ?? true) payload.images = [{ src: imageUrl(m.notifyType, "128x128"), alt: m.notifyType }];
  if (details && Object.keys(details).length) inner.custom_details = details;
  const url = data.region_name === "eu" ? "https://events.eu.pagerduty.com/v2/enqueue" : "https://events.pagerduty.com/v2/enqueue";
  return [post(url, payload, { ...jsonHeaders, Authorization: `Token token=${data.api_key}` })];
};

const OPSGENIE_MESSAGE_MAX = 130;

/** Opsgenie's Alert API: one alert per target (or per 50 targets with `batch`). */
const opsgenie: Builder = (data, m) => {
  // Prefect passes prefixed targets (@user, #team, *schedule, ^escalation); Apprise sorts them.
  const targets: [string, Data][] = [
    ...list(data.target_user).map((x): [string, Data] => [`@${x}`, { type: "user", username: x }]),
    ...list(data.target_team).map((x): [string, Data] => [`#${x}`, { type: "team", name: x }]),
    ...list(data.target_schedule).map((x): [string, Data] => [`*${x}`, { type: "schedule", name: x }]),
    ...list(data.target_escalation).map((x): [string, Data] => [`^${x}`, { type: "escalation", name: x }]),
  ];
  const responders = [...new Map(targets).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  const titleBody = m.subject || m.body;
  const payload: Data = {
    source: APP_ID,
    message: titleBody.length > OPSGENIE_MESSAGE_MAX ? `${titleBody.slice(0, OPSGENIE_MESSAGE_MAX - 3)}...` : titleBody,
    description: m.body,
    details: { ...(data.details ?? {}) },
    priority: `P${data.priority ?? 3}`,
  };
  if (!("type" in payload.details)) payload.details.type = m.notifyType;
  if (list(data.tags).length) payload.tags = list(data.tags);
  if (data.entity) payload.entity = data.entity;
  if (data.alias) payload.alias = data.alias;
  const url = data.region_name === "eu" ? "https://api.eu.opsgenie.com/v2/alerts" : "https://api.opsgenie.com/v2/alerts";
  const headers = { ...jsonHeaders, Authorization: `GenieKey ${data.apikey}` };
  if (!responders.length) return [post(url, payload, headers)];
  const size = data.batch ? 50 : 1;
  const out: OutboundRequest[] = [];
  for (let i = 0; i < responders.length; i += size) out.push(post(url, { ...payload, responders: responders.slice(i, i + size) }, headers));
  return out;
};

/**
 * A Mattermost incoming webhook: one post per channel (or one to the hook's own channel). Prefect
 * hands Apprise this plugin without its asset, so it posts as Apprise's default app ("Apprise").
 */
const mattermost: Builder = (data, m) => {
  const scheme = data.secure ? "https" : "http";
  const port = data.port ?? 8065;
  const path = typeof data.path === "string" && data.path.trim() ? `/${data.path.trim().replace(/^\/+/, "").replace(/\/+$/, "")}` : "";
  const url = `${scheme}://${data.hostname}:${port}${path}/hooks/${data.token}`;
  const base: Data = { text: titleInBody(m) };
  if (data.include_image) base.icon_url = imageUrl(m.notifyType, "72x72");
  base.username = "Apprise";
  const channels = list(data.channels);
  const headers = { "User-Agent": "Apprise", "Content-Type": "application/json" };
  return (channels.length ? channels : [null]).map((channel) => post(url, channel ? { ...base, channel } : base, headers));
};

const phone = (n: string) => `+${n.replace(/\D/g, "")}`;

/** Twilio's Messages API: one form-encoded SMS per recipient. */
const twilioSms: Builder = (data, m) => {
  const url = `https://api.twilio.com/2010-04-01/Accounts/${data.account_sid}/Messages.json`;
  const headers = {
    "User-Agent": APP_ID,
    Accept: "application/json",
    "Content-Type": "application/x-www-form-urlencoded",
    Authorization: basicAuth(String(data.account_sid), String(data.auth_token)),
  };
  return list(data.to_phone_numbers).map((to) => ({
    url,
    method: "POST",
    headers,
    body: new URLSearchParams({ Body: titleInBody(m), From: phone(String(data.from_phone_number)), To: phone(to) }).toString(),
  }));
};

/** SendGrid's mail/send API: one email per recipient. */
const sendgrid: Builder = (data, m) =>
  list(data.to_emails).map((email) =>
    post(
      "https://api.sendgrid.com/v3/mail/send",
      {
        personalizations: [{ to: [{ email }] }],
        from: { email: data.sender_email },
        subject: m.subject || "<no subject>",
        content: [{ type: "text/html", value: m.body }],
      },
      { ...jsonHeaders, Authorization: `Bearer ${data.api_key}` },
    ),
  );

/** Slack's own block takes a webhook URL; like Prefect's other URL blocks, any Apprise URL form we know works. */
const urlBlock: Builder = (data, m) => appriseUrlRequests(String(data.url ?? ""), m);

const BUILDERS: Record<string, Builder> = {
  "slack-webhook": urlBlock,
  "ms-teams-webhook": teams,
  "discord-webhook": discord,
  "pager-duty-webhook": pagerDuty,
  "opsgenie-webhook": opsgenie,
  "mattermost-webhook": mattermost,
  "twilio-sms": twilioSms,
  "sendgrid-email": sendgrid,
};

/** The requests a notification through an Apprise-backed block sends; undefined for another block type. */
export function appriseRequests(slug: string, data: Data, subject: string, body: string): OutboundRequest[] | undefined {
  const build = BUILDERS[slug];
  return build && build(data, { subject, body, notifyType: notifyTypeOf(data) });
}
