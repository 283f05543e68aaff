import { describe, expect, it } from "vitest";
import { appriseRequests } from "../../../src/services/notifications/apprise-services";
import type { OutboundRequest } from "../../../src/services/notifications/outbound";
import goldens from "../../goldens/notification_blocks.json";

type Golden = (typeof goldens.cases)[number]["requests"][number];

/** A body as sent: JSON parsed (Slack's timestamp left out), a form as its pairs. */
function parsedBody(body: string | null | undefined): unknown {
  if (!body) return body ?? null;
  try {
    const json = JSON.parse(body);
    for (const a of json.attachments ?? []) if (a && typeof a === "object") delete a.ts;
    return json;
  } catch {
    return [...new URLSearchParams(body)];
  }
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function expected(r: Golden) {
  const headers = lower(r.headers);
  if (r.auth) headers.authorization = `Basic ${btoa(`${r.auth[0]}:${r.auth[1]}`)}`;
  return { url: new URL(r.url).toString(), method: r.method, headers, body: parsedBody(r.body) };
}

/** requests sets a form's content type itself: compared only where Apprise sets it. */
function actual(r: OutboundRequest, golden: Golden) {
  const headers = lower(r.headers);
  if (!Object.keys(golden.headers).some((k) => k.toLowerCase() === "content-type")) delete headers["content-type"];
  return { url: new URL(r.url).toString(), method: r.method, headers, body: parsedBody(r.body) };
}

describe(`notification blocks' requests as Apprise ${goldens.apprise} sends them (Python goldens)`, () => {
  it.each(goldens.cases.map((c, i) => [i, c.slug, c.subject ? "with subject" : "no subject", c] as const))("case %i: %s, %s", (_i, slug, _s, c) => {
    const sent = appriseRequests(slug, c.data as Record<string, unknown>, c.subject, c.body)!;
    expect(sent.map((r, i) => actual(r, c.requests[i] ?? c.requests[0]))).toEqual(c.requests.map(expected));
  });
});
