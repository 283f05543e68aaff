import { createRouter } from "../lib/router";

export const taskRunsRouter = createRouter();
