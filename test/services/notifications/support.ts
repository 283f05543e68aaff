import { expect } from "vitest";
import { api, unique } from "../../helpers";

/** A block document of a system block type, created through the API as a client saves a block. */
export async function saveBlock(slug: string, data: Record<string, unknown>): Promise<{ id: string; name: string; typeId: string }> {
  const type = await api("GET", `/block_types/slug/${slug}`);
  expect(type.status).toBe(200);
  const schemas = await api("POST", "/block_schemas/filter", { block_schemas: { block_type_id: { any_: [type.body.id] } } });
  const name = unique(slug);
  const doc = await api("POST", "/block_documents/", { name, data, block_type_id: type.body.id, block_schema_id: schemas.body[0].id });
  expect(doc.status, JSON.stringify(doc.body)).toBe(201);
  return { id: doc.body.id, name, typeId: type.body.id };
}

/** Slack-style token: upper-case letters and digits, unique per test. */
export const token = () => crypto.randomUUID().replace(/-/g, "").toUpperCase();
