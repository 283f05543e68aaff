import { expect } from "vitest";
import { api } from "../helpers";

/**
 * Client mistakes never answer a 500: every operation of our OpenAPI document, called with
 * unknown and malformed ids and bodies of the wrong shape, answers a 4xx (or a 2xx where the
 * input happens to be acceptable). The operations are split into SHARDS test files, since the
 * test runner slows down with the number of requests one file makes.
 */
export const SHARDS = 4;
const BODIES: unknown[] = [{}, "text", { limit: "many", offset: -1, sort: "NOPE", name: 7, state: { type: "NOPE" } }];

export async function expectNo500s(shard: number) {
  const doc = (await api("GET", "/openapi.json")).body;
  const operations = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([template, methods]) => Object.keys(methods).map((m) => [m, template] as const));
  const failures: string[] = [];
  for (const [method, template] of operations.filter((_, i) => i % SHARDS === shard)) {
    const ids = template.includes("{") ? ["00000000-0000-4000-8000-000000000000", "not-a-uuid"] : [""];
    for (const id of ids) {
      const path = template.replace(/\{[^}]+\}/g, id);
      for (const body of method === "get" || method === "delete" ? [undefined] : BODIES) {
        const res = await api(method.toUpperCase(), path, body);
        if (res.status >= 500) failures.push(`${method.toUpperCase()} ${path} ${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
  }
  expect(failures).toEqual([]);
}
