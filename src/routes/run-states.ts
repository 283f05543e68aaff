import { createRouter } from "../lib/router";

export const runStatesRouter = createRouter();
