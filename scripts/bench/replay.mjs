// Replays a golden SDK transcript (test/fixtures/transcripts) against a running worker, as
// test/replay/replayer.ts does in the tests, without comparing answers: server-made ids in their
// answers are mapped to ours as they appear, and client events (the SDK's /events/in messages)
// are posted at their time in the traffic. Each replay gets fresh client-made ids (task runs,
// events, logs…), so replaying a transcript again adds as much data again.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export async function replay(api, entries) {
  const ids = new Map();
  const mapIds = (text) => text.replace(UUID_ANYWHERE, (id) => ids.get(id) ?? ids.set(id, crypto.randomUUID()).get(id));
  const learn = (theirs, ours) => {
    if (typeof theirs === "string" && typeof ours === "string") {
      if (UUID.test(theirs) && UUID.test(ours)) ids.set(theirs, ours);
    } else if (Array.isArray(theirs) && Array.isArray(ours)) theirs.forEach((t, i) => learn(t, ours[i]));
    else if (theirs && ours && typeof theirs === "object" && typeof ours === "object") for (const [k, v] of Object.entries(theirs)) learn(v, ours[k]);
  };
  const send = async (method, path, body) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { "x-prefect-api-version": "0.8.4", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : mapIds(JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const steps = [];
  for (const e of entries) {
    if (e.kind === "http") steps.push({ at: e.t, seq: e.seq, http: e });
    else if (e.path === "/events/in") for (const m of e.client_messages) if (m?.event) steps.push({ at: m.occurred ?? e.t, seq: e.seq, event: m });
  }
  steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
  let pending = [];
  const flush = async () => {
    if (pending.length) await send("POST", "/events", pending);
    pending = [];
  };
  for (const step of steps) {
    if (step.event) {
      pending.push(step.event);
      continue;
    }
    await flush();
    const e = step.http;
    // Read-only and error traffic adds nothing to store.
    if (e.method === "GET" || e.status >= 400) continue;
    const res = await send(e.method, mapIds(e.path) + (e.query ? `?${mapIds(e.query)}` : ""), e.request_body ?? undefined);
    if (res.status < 300) learn(e.response_body, res.body);
  }
  await flush();
}
