import { it } from "vitest";
import { expectEveryOperationReadsBodiesAsPrefect } from "./body-reading";

it("reads bodies as Prefect's server does on every operation with a JSON body (shard 1)", async () => {
  await expectEveryOperationReadsBodiesAsPrefect(0);
}, 120_000);
