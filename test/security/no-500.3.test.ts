import { it } from "vitest";
import { expectNo500s, SHARDS } from "./no-500";

it(`no 5xx for client mistakes and hostile input (operations 3 of ${SHARDS})`, () => expectNo500s(2), 300_000);
