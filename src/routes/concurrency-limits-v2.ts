import { createRouter } from "../lib/router";

export const concurrencyLimitsV2Router = createRouter();
