import { createRouter } from "../lib/router";

export const blockTypesRouter = createRouter();
