import { it } from "vitest";
import { expectEveryOperationReadsBodiesAsPrefect } from "./body-reading";

it("reads bodies as Prefect's server does on every operation with a JSON body (shard 2)", async () => {
  await expectEveryOperationReadsBodiesAsPrefect(1);
}, 120_000);
