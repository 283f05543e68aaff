import { createRouter } from "../lib/router";

export const deploymentsRouter = createRouter();
