import { expect } from "vitest";
import { api, fetchApi } from "../helpers";
import { CaseGenerator, type HostileCase, type Operation } from "./no-500.cases";
import { createFixtures, pathParam, ZERO_ID } from "./no-500.fixtures";
import { filterOperations } from "../routes/long-lists";

/**
 * Client mistakes and hostile input never answer a 5xx: every operation of our OpenAPI document
 * gets unknown and malformed ids, bodies of the wrong shape, and the requests no-500.cases.ts
 * generates from its schema (oversize strings, 10 000-element arrays, deep nesting, no
 * Content-Type, oversize parameters), and answers a 4xx (or a 2xx where the input is acceptable).
 * Then every fixture and listing reads without a 5xx, so nothing stored on the way broke a record.
 * The operations are split over SHARDS test files, run in parallel, each with its own database.
 * Every list of a filter operation is sent 10 000 elements long by test/routes/long-lists (which
 * also checks the answer), so this generator leaves those operations' lists at their plausible
 * length.
 */
export const SHARDS = 4;
/** Bodies of the wrong shape (and not JSON). */
const WRONG: Omit<HostileCase, "path">[] = [
  { name: "{}", body: {} },
  { name: "not JSON", rawBody: "text", contentType: "application/json" },
  { name: "wrong types", body: { limit: "many", offset: -1, sort: "NOPE", name: 7, state: { type: "NOPE" } } },
];

async function operations(): Promise<{ doc: any; ops: Operation[] }> {
  const doc = (await api("GET", "/openapi.json")).body;
  const ops = Object.entries<Record<string, any>>(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, spec]) => ({ method: method.toUpperCase(), template, spec })),
  );
  return { doc, ops };
}

/** Deletions run last, so that the fixtures they remove serve the other operations first. */
const destructive = (op: Operation) => op.method === "DELETE" || /delete|reset/.test(op.template);

function send(method: string, c: HostileCase) {
  const headers: Record<string, string> = { "x-prefect-api-version": "0.8.4" };
  if (c.contentType || c.rawBody === undefined) headers["content-type"] = c.contentType ?? "application/json";
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  return fetchApi(c.path, { method, body, headers });
}

export async function expectNo500s(shard: number) {
  const { doc, ops } = await operations();
  const fixtures = await createFixtures();
  const generator = new CaseGenerator(doc.components.schemas, fixtures, (template, name) => pathParam(fixtures, template, name));
  const longListed = new Set((await filterOperations()).map((op) => `POST ${op.template}`));
  const failures: string[] = [];
  const check = async (op: Operation, c: HostileCase) => {
    const res = await send(op.method, c);
    if (res.status >= 500) failures.push(`${op.method} ${op.template} [${c.name}] → ${res.status} ${res.text.slice(0, 160)}`);
  };

  // Each field of a shared component is tried once, on the first operation that takes it.
  const owner = new Map<string, Operation>();
  for (const op of ops) for (const f of generator.fields(op)) if (!owner.has(f.key)) owner.set(f.key, op);

  const mine = ops.filter((_, i) => i % SHARDS === shard);
  for (const op of [...mine.filter((o) => !destructive(o)), ...mine.filter(destructive)]) {
    // Unknown and malformed ids, and bodies of the wrong shape.
    if (op.template.includes("{")) {
      for (const id of [ZERO_ID, "not-a-uuid"]) {
        const path = op.template.replace(/\{[^}]+\}/g, id);
        for (const wrong of op.method === "GET" || op.method === "DELETE" ? [{ name: "no body" }] : WRONG) await check(op, { ...wrong, name: `id ${id}, ${wrong.name}`, path });
      }
    }
    if (op.method === "DELETE") continue; // on a fixture: done above with unknown ids
    const longListsElsewhere = longListed.has(`${op.method} ${op.template}`);
    for (const c of generator.cases(op, (key) => owner.get(key) === op, { longListsElsewhere })) await check(op, c);
    if (!op.template.includes("{")) for (const wrong of op.method === "GET" ? [] : WRONG) await check(op, { ...wrong, name: `wrong shape: ${wrong.name}`, path: op.template });
  }

  // Whatever was stored on the way, every record still reads: each fixture, each listing.
  for (const op of ops.filter((o) => (o.method === "GET" && o.template.includes("{")) || /\/filter$/.test(o.template))) {
    const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(pathParam(fixtures, op.template, name)));
    await check(op, { name: "read after", path, body: op.method === "GET" ? undefined : {} });
  }
  expect(failures).toEqual([]);
}
