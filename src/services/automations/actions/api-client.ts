import type { Bindings } from "../../../env";
import { base64Utf8 } from "../../../lib/created-by";

/** The server's own API, called in-process as Prefect's actions call theirs (src/index.ts wires app.fetch). */
export type InternalApi = (request: Request) => Promise<Response>;

export interface ApiAnswer {
  status: number;
  body: any;
  text: string;
}

export type AutomationApi = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

const BASE = "http://prefect-in-memory/api";
/** What Prefect's in-process client sends as User-Agent (and no X-Prefect-API-Version header). */
const USER_AGENT = "prefect/3.8.3 (API 0.8.4)";

/**
 * Requests to our own /api as the automation: Prefect-Automation-ID and Prefect-Automation-Name
 * (base64 of the name, which the API records as `created_by`), and the server's Basic auth when
 * it asks for one — so each endpoint's own validation, orchestration and events apply.
 */
export function automationApi(env: Bindings, fetchApi: InternalApi, automation: { id: string; name: string }): AutomationApi {
  const headers: Record<string, string> = {
    "user-agent": USER_AGENT,
    "prefect-automation-id": automation.id,
    "prefect-automation-name": base64Utf8(automation.name),
  };
  if (env.PREFECT_API_AUTH_STRING) headers.authorization = `Basic ${base64Utf8(env.PREFECT_API_AUTH_STRING)}`;
  return async (method, path, body) => {
    const init: RequestInit = { method, headers: body === undefined ? headers : { ...headers, "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetchApi(new Request(`${BASE}${path}`, init));
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, body: json, text };
  };
}
