import { it } from "vitest";
import { expectNo500s, SHARDS } from "./no-500";

it(`no 5xx for client mistakes and hostile input (operations 4 of ${SHARDS})`, () => expectNo500s(3), 300_000);
