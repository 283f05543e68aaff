import { createRouter } from "../lib/router";

export const taskRunOrchestrationRouter = createRouter();
