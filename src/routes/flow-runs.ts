import { createRouter } from "../lib/router";

export const flowRunsRouter = createRouter();
