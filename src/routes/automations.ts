import { createRouter } from "../lib/router";

export const automationsRouter = createRouter();
