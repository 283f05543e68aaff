import { createRouter } from "../lib/router";

export const deploymentSchedulesRouter = createRouter();
