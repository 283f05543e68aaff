import { describe, expect, it } from "vitest";
import { SYSTEM_BLOCKS, SystemBlock } from "../../src/services/blocks/system-blocks";
import definitions from "../../src/services/blocks/system-blocks.json";

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

describe("system block definitions (system-blocks.json)", () => {
  it("are each a valid system block, taken as they are (no key dropped or defaulted)", () => {
    for (const entry of definitions) {
      const parsed = SystemBlock.safeParse(entry);
      expect([entry.slug, parsed.error?.issues ?? []]).toEqual([entry.slug, []]);
      expect(parsed.data).toEqual(entry);
    }
    expect(new Set(definitions.map((b) => b.slug)).size).toBe(definitions.length);
  });

  it("refuse a malformed entry", () => {
    const [json] = definitions;
    expect(SystemBlock.safeParse({ ...json, extra: 1 }).success).toBe(false);
    expect(SystemBlock.safeParse({ ...json, name: "a/b" }).success).toBe(false);
    expect(SystemBlock.safeParse({ ...json, capabilities: "read-path" }).success).toBe(false);
    expect(SystemBlock.safeParse({ ...json, fields: { ...json.fields, block_type_slug: "other" } }).success).toBe(false);
  });

  it("are, byte for byte, those that were code before they became data", async () => {
    // The digest of JSON.stringify(SYSTEM_BLOCKS) taken from system-blocks.ts before the move:
    // every type's name, slug, urls, description, example and protection, every schema's fields
    // and capabilities, in their order. (Each schema's checksum is pinned, as the SDK computes it,
    // in test/routes/block-schemas.test.ts.)
    expect(await sha256(JSON.stringify(SYSTEM_BLOCKS))).toBe("4b76f069bca3172da2c818fd896ce50ed913e174ce14f7ba44147c1efe756307");
  });
});
