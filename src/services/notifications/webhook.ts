import { pyStrRepr } from "../../lib/python";
import type { RelatedResource } from "./load-block";
import { restrictedUrlError } from "./private-urls";
import type { DeliveryOutcome } from "./outcome";

/** Headers kept out of events (prefect.server.utilities.http.should_redact_header). */
export function shouldRedactHeader(key: string): boolean {
  const k = key.toLowerCase();
  return ["authorization", "traceparent", "via"].includes(k) || /^(x-forwarded|x-b3|x-cloud-trace|x-envoy|x-prefect)/.test(k);
}

/** prefect.utilities.text.truncated_to: keeps both ends of a long text. */
export function truncatedTo(length: number, value: string): string {
  if (value.length <= length) return value;
  const half = Math.floor(length / 2);
  const proposed = `${value.slice(0, half)}...${value.length - 2 * half} additional characters...${value.slice(-half)}`;
  return proposed.length < value.length ? proposed : value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Sends the payload with the block's method, URL and headers. Any HTTP answer is a success
 * (Prefect records it, whatever its status); a refused URL or a network error fails the action.
 */
export async function webhookOutcome(data: Record<string, any>, payload: string, related: RelatedResource[]): Promise<DeliveryOutcome> {
  const url = String(data.url ?? "");
  const fail = (error: string): DeliveryOutcome => ({ ok: false, reason: `Webhook call failed: ${error}`, related, details: {}, status_codes: [] });
  if (data.allow_private_urls === false) {
    const error = restrictedUrlError(url);
    if (error) return fail(`ValueError(${pyStrRepr(error)})`);
  }
  const headers: Record<string, string> = {};
  if (isRecord(data.headers)) for (const [k, v] of Object.entries(data.headers)) headers[k] = String(v);
  try {
    const method = String(data.method ?? "POST");
    const res = await fetch(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : payload });
    const text = await res.text();
    const responseHeaders = Object.fromEntries([...res.headers].filter(([k]) => !shouldRedactHeader(k)));
    return {
      ok: true,
      related,
      details: { status_code: res.status, response_body: truncatedTo(1000, text), response_headers: responseHeaders },
      status_codes: [res.status],
    };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return fail(`${e.name}(${pyStrRepr(e.message)})`);
  }
}
