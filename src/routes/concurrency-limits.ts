import { createRouter } from "../lib/router";

export const concurrencyLimitsRouter = createRouter();
