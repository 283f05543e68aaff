import { createRouter } from "../lib/router";

export const blockSchemasRouter = createRouter();
