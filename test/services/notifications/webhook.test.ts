import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callWebhookBlock, notifyThroughBlock } from "../../../src/services/notifications";
import { api, settleEvents } from "../../helpers";
import { answerRequests, sentRequests } from "../../support/outbound";
import { saveBlock, token } from "./support";

describe("call-webhook through a webhook block", () => {
  it("sends the payload with the block's method, URL and headers and captures the answer", async () => {
    const t = token();
    await answerRequests({
      contains: t,
      status: 202,
      body: '{"queued": true}',
      headers: { "content-type": "application/json", "x-request-id": "r1", "x-forwarded-for": "1.2.3.4", "x-prefect-thing": "no" },
    });
    const block = await saveBlock("webhook", { method: "PUT", url: `https://hooks.example.test/${t}`, headers: { Authorization: "Bearer x", "X-Team": "data" } });
    const outcome = await callWebhookBlock(env, block.id, '{"flow_run": "tidy-fox"}');
    expect(outcome).toEqual({
      ok: true,
      related: [
        { "prefect.resource.id": `prefect.block-document.${block.id}`, "prefect.resource.role": "block", "prefect.resource.name": block.name },
        { "prefect.resource.id": "prefect.block-type.webhook", "prefect.resource.role": "block-type" },
      ],
      details: {
        status_code: 202,
        response_body: '{"queued": true}',
        response_headers: expect.objectContaining({ "content-type": "application/json", "x-request-id": "r1" }),
      },
      status_codes: [202],
    });
    expect(Object.keys(outcome.details.response_headers as object)).not.toContain("x-forwarded-for");
    expect(Object.keys(outcome.details.response_headers as object)).not.toContain("x-prefect-thing");
    const [sent] = await sentRequests(t);
    expect(sent).toMatchObject({ url: `https://hooks.example.test/${t}`, method: "PUT", body: '{"flow_run": "tidy-fox"}' });
    expect(sent.headers).toMatchObject({ authorization: "Bearer x", "x-team": "data" });
  });

  it("an error status is still a call made (Prefect records it), its long body truncated", async () => {
    const t = token();
    await answerRequests({ contains: t, status: 500, body: "x".repeat(600) + "y".repeat(600) });
    const block = await saveBlock("webhook", { url: `https://hooks.example.test/${t}` });
    const outcome = await callWebhookBlock(env, block.id, "");
    expect(outcome.ok).toBe(true);
    expect(outcome.details).toMatchObject({ status_code: 500, response_body: `${"x".repeat(500)}...200 additional characters...${"y".repeat(500)}` });
    expect((await sentRequests(t))[0].method).toBe("POST");
  });

  it("fails for a missing block, a block that is not a webhook, a private URL refused, a fetch that throws", async () => {
    expect(await callWebhookBlock(env, crypto.randomUUID(), "")).toMatchObject({ ok: false, reason: "Unexpected status from 'call-webhook' action: 404" });
    const slack = await saveBlock("slack-webhook", { url: "https://hooks.slack.com/services/A/B/C" });
    expect(await callWebhookBlock(env, slack.id, "")).toMatchObject({ ok: false, reason: "The referenced block was not a webhook block" });
    const local = await saveBlock("webhook", { url: "http://127.0.0.1:9/x", allow_private_urls: false });
    expect(await callWebhookBlock(env, local.id, "")).toMatchObject({
      ok: false,
      reason: `Webhook call failed: ValueError("'http://127.0.0.1:9/x' is not a valid URL.  It resolves to the private address 127.0.0.1.")`,
    });
    const unreachable = await saveBlock("webhook", { url: "ftp://hooks.example.test/x" });
    expect((await callWebhookBlock(env, unreachable.id, "")).reason).toMatch(/^Webhook call failed: TypeError\('.+'\)$/);
  });
});

describe("loading a block", () => {
  it("emits prefect.block.<slug>.loaded with the document and its block type", async () => {
    const t = token();
    const block = await saveBlock("custom-webhook", { name: "n", url: `https://hooks.example.test/${t}` });
    await notifyThroughBlock(env, block.id, { subject: "s", body: "b" });
    await settleEvents();
    const res = await api("POST", "/events/filter", { filter: { event: { name: ["prefect.block.custom-webhook.loaded"] }, resource: { id: [`prefect.block-document.${block.id}`] } } });
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      resource: { "prefect.resource.id": `prefect.block-document.${block.id}`, "prefect.resource.name": block.name },
      related: [{ "prefect.resource.id": "prefect.block-type.custom-webhook", "prefect.resource.role": "block-type" }],
    });
  });
});
