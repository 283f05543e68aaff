/** The test side of the outbound recorder (test/support/outbound-recorder.mjs), over the network boundary. */
const RECORDER = "http://outbound.recorder.test";

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** The requests the Worker sent out whose URL, headers or body contain `token`. */
export async function sentRequests(token: string): Promise<RecordedRequest[]> {
  const res = await fetch(`${RECORDER}/requests?contains=${encodeURIComponent(token)}`);
  return res.json();
}

/** Answers the Worker's outbound requests containing `contains` with this response. */
export async function answerRequests(rule: { contains: string; status?: number; body?: string; headers?: Record<string, string> }): Promise<void> {
  await fetch(`${RECORDER}/rules`, { method: "POST", body: JSON.stringify(rule) });
}
