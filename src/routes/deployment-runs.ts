import { createRouter } from "../lib/router";

export const deploymentRunsRouter = createRouter();
