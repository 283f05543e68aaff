/** Prefect's preprocess_schema: pydantic v1 schemas made Draft 2020-12. */
import { isDict } from "../python";

export type Schema = Record<string, any>;

function fixNullTyping(key: string, schema: Schema, required: unknown, allowNoneWithDefault: boolean): void {
  const requiredFields = Array.isArray(required) ? required : [];
  if (!requiredFields.includes(key) && "type" in schema && schema.type !== "null" && (!("default" in schema) || allowNoneWithDefault)) {
    schema.anyOf = [{ type: schema.type }, { type: "null" }];
    delete schema.type;
  }
}

function fixTupleItems(schema: Schema): void {
  if (Array.isArray(schema.items) && schema.items.length && !schema.prefixItems) {
    schema.prefixItems = structuredClone(schema.items);
    delete schema.items;
  }
}

function processProperties(properties: Schema, required: unknown, allowNoneWithDefault: boolean): void {
  let requiredFields = required;
  for (const [key, schema] of Object.entries(properties)) {
    if (!isDict(schema)) continue;
    fixNullTyping(key, schema, requiredFields, allowNoneWithDefault);
    fixTupleItems(schema);
    // As Prefect's: the nested object's required list also applies to the later siblings.
    if (isDict(schema.properties)) {
      requiredFields = schema.required ?? [];
      processProperties(schema.properties, requiredFields, false);
    }
  }
}

export function preprocessSchema(input: Schema, allowNoneWithDefault = false): Schema {
  const schema = structuredClone(input);
  if (isDict(schema.properties)) processProperties(schema.properties, schema.required ?? [], allowNoneWithDefault);
  if (isDict(schema.definitions)) {
    for (const definition of Object.values<any>(schema.definitions)) {
      if (!isDict(definition)) continue;
      if (isDict(definition.properties)) processProperties(definition.properties, definition.required ?? [], allowNoneWithDefault);
      // Block documents may be referenced by id.
      if ("block_type_slug" in definition) {
        schema.definitions[String(definition.title)] = {
          oneOf: [
            definition,
            {
              type: "object",
              properties: {
                $ref: {
                  oneOf: [
                    { type: "string", format: "uuid" },
                    { type: "object", additionalProperties: { type: "string" }, minProperties: 1 },
                  ],
                },
              },
              required: ["$ref"],
            },
          ],
        };
      }
    }
  }
  return schema;
}

/** Every `required` key removed, at any depth of nested objects (Prefect's remove_nested_keys). */
export function withoutRequired(obj: unknown): unknown {
  if (!isDict(obj)) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== "required").map(([k, v]) => [k, withoutRequired(v)]));
}
