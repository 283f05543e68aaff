import { beforeAll, describe, expect, it } from "vitest";
import { checkOperation, filterOperations, seedWorld, SHARDS, type World } from "./long-lists";

const operations = (await filterOperations()).filter((_, i) => i % SHARDS === 0);
let world: World;
beforeAll(async () => {
  world = await seedWorld();
});

describe("10 000-element lists in every filter (operations 1 of ${SHARDS})", () => {
  it.each(operations.map((op) => [op.template, op] as const))("POST %s", async (_template, op) => {
    expect(await checkOperation(op, world)).toEqual([]);
  });
});
