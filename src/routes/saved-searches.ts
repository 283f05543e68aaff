import { createRouter } from "../lib/router";

export const savedSearchesRouter = createRouter();
