import { waitUntil } from "cloudflare:workers";

/** Keeps `p` running after the response is sent (outside a request, e.g. in some tests, it runs anyway). */
export function keepAlive(p: Promise<unknown>): void {
  try {
    waitUntil(p);
  } catch {
    // No request to extend: the promise still runs.
  }
}
