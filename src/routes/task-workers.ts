import { createRouter } from "../lib/router";

export const taskWorkersRouter = createRouter();
