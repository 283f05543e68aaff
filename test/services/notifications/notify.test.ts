import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { notifyThroughBlock } from "../../../src/services/notifications";
import { answerRequests, sentRequests } from "../../support/outbound";
import { saveBlock, token } from "./support";

const message = { subject: "Flow failed", body: "Run <tidy-fox> & more" };
const json = (body: string) => JSON.parse(body);

describe("send-notification through Prefect's notification blocks", () => {
  it("slack-webhook posts Apprise's Slack attachment to the webhook URL", async () => {
    const [a, b, c] = [token(), token(), token()];
    const block = await saveBlock("slack-webhook", { url: `https://hooks.slack.com/services/${a}/${b}/${c}`, notify_type: "failure" });
    const outcome = await notifyThroughBlock(env, block.id, message);
    expect(outcome).toEqual({
      ok: true,
      related: [
        { "prefect.resource.id": `prefect.block-document.${block.id}`, "prefect.resource.role": "block", "prefect.resource.name": block.name },
        { "prefect.resource.id": "prefect.block-type.slack-webhook", "prefect.resource.role": "block-type" },
      ],
      details: {},
      status_codes: [200],
    });
    const [sent, ...more] = await sentRequests(c);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ url: `https://hooks.slack.com/services/${a}/${b}/${c}`, method: "POST" });
    expect(sent.headers).toMatchObject({ "content-type": "application/json; charset=utf-8", accept: "application/json", "user-agent": "Prefect Notifications" });
    const icon = "https://github.com/caronc/apprise/raw/master/apprise/assets/themes/default/apprise-failure-72x72.png";
    expect(json(sent.body)).toEqual({
      mrkdwn: true,
      attachments: [{ title: "Flow failed", text: "Run &lt;tidy-fox&gt; &amp; more", color: "#A32037", footer_icon: icon, footer: "Prefect Notifications", ts: expect.any(Number) }],
      icon_url: icon,
    });
  });

  it("slack-webhook with a GovCloud URL posts to hooks.slack-gov.com", async () => {
    const t = token();
    const block = await saveBlock("slack-webhook", { url: `https://hooks.slack-gov.com/services/T1/B2/${t}` });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    expect((await sentRequests(t)).map((r) => r.url)).toEqual([`https://hooks.slack-gov.com/services/T1/B2/${t}`]);
  });

  it("an Apprise json:// URL posts Apprise's JSON message with the URL's headers and query", async () => {
    const t = token();
    const block = await saveBlock("slack-webhook", { url: `jsons://user:pw@hooks.example.test:8443/in/${t}?+X-Team=data&-q=1&:type=&method=put` });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent).toMatchObject({ url: `https://hooks.example.test:8443/in/${t}?q=1`, method: "PUT" });
    expect(sent.headers).toMatchObject({ "content-type": "application/json", "x-team": "data", authorization: `Basic ${btoa("user:pw")}` });
    expect(json(sent.body)).toEqual({ version: "1.0", title: "Flow failed", message: message.body, attachments: [] });
  });

  it("an Apprise form:// URL posts a form", async () => {
    const t = token();
    const block = await saveBlock("slack-webhook", { url: `form://hooks.example.test/${t}` });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent).toMatchObject({ url: `http://hooks.example.test/${t}`, method: "POST" });
    expect(sent.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({ version: "1.0", title: "Flow failed", message: message.body, type: "info" });
  });

  it("ms-teams-webhook posts an Adaptive Card to the workflow URL", async () => {
    const t = token();
    const url = `https://prod-01.westus.logic.azure.com:443/workflows/${t}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=S`;
    const block = await saveBlock("ms-teams-webhook", { url, wrap: false });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent.url).toBe(url.replace(":443", ""));
    expect(json(sent.body)).toEqual({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              { type: "Image", url: "https://github.com/caronc/apprise/raw/master/apprise/assets/themes/default/apprise-info-32x32.png", height: "32px", altText: "info" },
              { type: "TextBlock", text: "Flow failed", style: "heading", weight: "Bolder", size: "Large", id: "title" },
              { type: "TextBlock", text: message.body, style: "default", wrap: false, id: "body" },
            ],
            msteams: { width: "full" },
          },
        },
      ],
    });
  });

  it("discord-webhook posts the content to Discord's webhook API", async () => {
    const t = token();
    const block = await saveBlock("discord-webhook", { webhook_id: "123", webhook_token: t, botname: "prefect-bot" });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent).toMatchObject({ url: `https://discord.com/api/webhooks/123/${t}`, method: "POST" });
    expect(sent.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(json(sent.body)).toEqual({ tts: false, wait: true, content: `Flow failed\r\n${message.body}` });
  });

  it("pager-duty-webhook sends an Events API v2 trigger, the body in its custom details", async () => {
    const t = token();
    const block = await saveBlock("pager-duty-webhook", { integration_key: t, api_key: "KEY", notify_type: "failure", group: "data", custom_details: { team: "core" } });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent).toMatchObject({ url: "https://events.pagerduty.com/v2/enqueue", method: "POST" });
    expect(sent.headers).toMatchObject({ authorization: "Token token=KEY", "content-type": "application/json" });
    expect(json(sent.body)).toEqual({
      routing_key: t,
      payload: {
        summary: "Flow failed\r\n",
        severity: "critical",
        source: "Prefect",
        component: "Notification",
        group: "data",
        custom_details: { team: "core", "Prefect Notification Body": message.body },
      },
      client: "Prefect Notifications",
      event_action: "trigger",
      images: [{ src: "https://github.com/caronc/apprise/raw/master/apprise/assets/themes/default/apprise-failure-128x128.png", alt: "failure" }],
    });
  });

  it("opsgenie-webhook creates one alert per responder", async () => {
    const t = token();
    const block = await saveBlock("opsgenie-webhook", { apikey: t, target_user: ["ann"], target_team: ["ops"], region_name: "eu", tags: ["prefect"], priority: 2 });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const sent = await sentRequests(t);
    expect(sent.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["https://api.eu.opsgenie.com/v2/alerts", `GenieKey ${t}`],
      ["https://api.eu.opsgenie.com/v2/alerts", `GenieKey ${t}`],
    ]);
    const base = { source: "Prefect Notifications", message: "Flow failed", description: message.body, details: { type: "info" }, priority: "P2", tags: ["prefect"] };
    expect(sent.map((r) => json(r.body))).toEqual([
      { ...base, responders: [{ type: "team", name: "ops" }] },
      { ...base, responders: [{ type: "user", username: "ann" }] },
    ]);
  });

  it("mattermost-webhook posts to the incoming webhook once per channel", async () => {
    const t = token();
    const block = await saveBlock("mattermost-webhook", { hostname: "chat.example.test", token: t, secure: true, channels: ["alerts", "ops"], path: "team/" });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const sent = await sentRequests(t);
    expect(sent.map((r) => r.url)).toEqual([`https://chat.example.test:8065/team/hooks/${t}`, `https://chat.example.test:8065/team/hooks/${t}`]);
    expect(sent.map((r) => json(r.body))).toEqual([
      { text: `Flow failed\r\n${message.body}`, username: "Apprise", channel: "alerts" },
      { text: `Flow failed\r\n${message.body}`, username: "Apprise", channel: "ops" },
    ]);
  });

  it("twilio-sms posts one form-encoded message per recipient with basic auth", async () => {
    const sid = `AC${token()}`;
    const block = await saveBlock("twilio-sms", { account_sid: sid, auth_token: "secret", from_phone_number: "18001234567", to_phone_numbers: ["1 800 424 2424"] });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent, ...more] = await sentRequests(sid);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ url: `https://api.twilio.com/2010-04-01/Accounts/${sid}/Messages.json`, method: "POST" });
    expect(sent.headers).toMatchObject({ authorization: `Basic ${btoa(`${sid}:secret`)}`, "content-type": "application/x-www-form-urlencoded" });
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({ Body: `Flow failed\r\n${message.body}`, From: "+18001234567", To: "+18004242424" });
  });

  it("sendgrid-email sends one email per recipient", async () => {
    const t = token();
    const block = await saveBlock("sendgrid-email", { api_key: t, sender_email: "prefect@example.test", to_emails: ["a@example.test", "b@example.test"] });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const sent = await sentRequests(t);
    expect(sent.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["https://api.sendgrid.com/v3/mail/send", `Bearer ${t}`],
      ["https://api.sendgrid.com/v3/mail/send", `Bearer ${t}`],
    ]);
    expect(json(sent[1].body)).toEqual({
      personalizations: [{ to: [{ email: "b@example.test" }] }],
      from: { email: "prefect@example.test" },
      subject: "Flow failed",
      content: [{ type: "text/html", value: message.body }],
    });
  });

  it("custom-webhook fills {{subject}}/{{body}}/{{name}} and secrets into its request", async () => {
    const t = token();
    const block = await saveBlock("custom-webhook", {
      name: "ops-hook",
      url: `https://hooks.example.test/{{path}}/${t}`,
      method: "PUT",
      params: { channel: "{{name}}" },
      json_data: { text: "{{subject}}: {{body}}", token: "{{secret_token}}", nested: { n: "{{number}}" }, missing: "{{nothing}}" },
      headers: { Authorization: "Bearer {{secret_token}}" },
      cookies: { session: "{{secret_token}}" },
      secrets: { secret_token: "s3cr3t", path: "p", number: 7, nothing: null },
    });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent).toMatchObject({ url: `https://hooks.example.test/p/${t}?channel=ops-hook`, method: "PUT" });
    expect(sent.headers).toMatchObject({ authorization: "Bearer s3cr3t", cookie: "session=s3cr3t", "content-type": "application/json", "user-agent": "Prefect Notifications" });
    expect(json(sent.body)).toEqual({ text: `Flow failed: ${message.body}`, token: "s3cr3t", nested: { n: 7 }, missing: null });
  });

  it("custom-webhook sends form data", async () => {
    const t = token();
    const block = await saveBlock("custom-webhook", { name: "form", url: `https://hooks.example.test/${t}`, form_data: { msg: "{{body}}", who: "{{name}}" } });
    expect((await notifyThroughBlock(env, block.id, message)).ok).toBe(true);
    const [sent] = await sentRequests(t);
    expect(sent.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({ msg: message.body, who: "form" });
  });
});

describe("send-notification failures", () => {
  it("a missing block document", async () => {
    expect(await notifyThroughBlock(env, crypto.randomUUID(), message)).toEqual({
      ok: false,
      reason: "Unexpected status from 'send-notification' action: 404",
      related: [],
      details: {},
      status_codes: [],
    });
  });

  it("a block without the notify capability", async () => {
    const block = await saveBlock("webhook", { url: "https://hooks.example.test/x" });
    expect(await notifyThroughBlock(env, block.id, message)).toMatchObject({ ok: false, reason: "The referenced block was not a notification block" });
  });

  it("a custom webhook with both JSON and form data is invalid", async () => {
    const block = await saveBlock("custom-webhook", { name: "x", url: "https://hooks.example.test/x", json_data: { a: 1 }, form_data: { b: "2" } });
    expect(await notifyThroughBlock(env, block.id, message)).toMatchObject({
      ok: false,
      reason: "The notification block was invalid: ValueError('both `Form Data` and `JSON Data` provided')",
    });
  });

  it("a delivery answered with an error status fails with the service's answer in the log", async () => {
    const t = token();
    await answerRequests({ contains: t, status: 404, body: "no_service" });
    const block = await saveBlock("slack-webhook", { url: `https://hooks.slack.com/services/A/B/${t}` });
    const outcome = await notifyThroughBlock(env, block.id, message);
    expect(outcome).toMatchObject({ ok: false, reason: "Notification failed", status_codes: [404], details: { notification_log: "POST hooks.slack.com: HTTP 404 no_service" } });
    expect(outcome.related.map((r) => r["prefect.resource.role"])).toEqual(["block", "block-type"]);
  });

  it("a fetch that throws fails the notification", async () => {
    const block = await saveBlock("custom-webhook", { name: "x", url: "ftp://hooks.example.test/x" });
    const outcome = await notifyThroughBlock(env, block.id, message);
    expect(outcome).toMatchObject({ ok: false, reason: "Notification failed", status_codes: [] });
    expect(outcome.details.notification_log).toMatch(/^POST hooks.example.test: /);
  });

  it("a private URL is refused when the block disallows them, and nothing is sent", async () => {
    const t = token();
    const block = await saveBlock("custom-webhook", { name: "x", url: `http://10.0.0.7/${t}`, allow_private_urls: false });
    expect(await notifyThroughBlock(env, block.id, message)).toMatchObject({
      ok: false,
      reason: "Notification failed",
      details: { notification_log: `'http://10.0.0.7/${t}' is not a valid URL.  It resolves to the private address 10.0.0.7.` },
    });
    expect(await sentRequests(t)).toEqual([]);
  });

  it("an Apprise URL of an unsupported service fails", async () => {
    const block = await saveBlock("slack-webhook", { url: "mailto://user:pass@example.test" });
    expect(await notifyThroughBlock(env, block.id, message)).toMatchObject({ ok: false, reason: "Notification failed" });
  });
});
