import { createRouter } from "../lib/router";

export const flowRunOrchestrationRouter = createRouter();
