/** One HTTP request a notification sends, and sending a list of them the way Apprise does. */
export interface OutboundRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Seconds (Prefect's blocks take seconds). */
  timeout?: number;
}

export interface Delivery {
  statusCodes: number[];
  /** Empty when every request was answered 2xx; else what went wrong, one line per request. */
  log: string[];
}

/** Apprise's user agent and application id, as Prefect's AppriseAsset names it. */
export const APP_ID = "Prefect Notifications";

export const DEFAULT_TIMEOUT_S = 10;

/** Sends the requests in order (one per target, as Apprise does); a non-2xx answer or a network error is logged, not thrown. */
export async function sendAll(requests: OutboundRequest[]): Promise<Delivery> {
  const out: Delivery = { statusCodes: [], log: [] };
  for (const r of requests) {
    try {
      const res = await fetch(r.url, {
        method: r.method,
        headers: r.headers,
        body: r.body,
        signal: AbortSignal.timeout((r.timeout ?? DEFAULT_TIMEOUT_S) * 1000),
      });
      out.statusCodes.push(res.status);
      const text = await res.text();
      if (res.status < 200 || res.status >= 300) out.log.push(`${r.method} ${hostOf(r.url)}: HTTP ${res.status} ${text.slice(0, 200)}`.trim());
    } catch (err) {
      out.log.push(`${r.method} ${hostOf(r.url)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

/** The host only: notification URLs carry secrets (tokens in paths and queries). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}
