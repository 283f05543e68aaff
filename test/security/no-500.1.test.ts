import { it } from "vitest";
import { expectNo500s, SHARDS } from "./no-500";

it(`no 5xx for client mistakes and hostile input (operations 1 of ${SHARDS})`, () => expectNo500s(0), 300_000);
