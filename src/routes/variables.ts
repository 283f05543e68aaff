import { createRouter } from "../lib/router";

export const variablesRouter = createRouter();
