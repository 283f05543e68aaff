import { it } from "vitest";
import { expectNo500s } from "./no-500";

it("no 500 for client mistakes (operations 1 of 4)", () => expectNo500s(0), 60_000);
