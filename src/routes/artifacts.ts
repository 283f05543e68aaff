import { createRouter } from "../lib/router";

export const artifactsRouter = createRouter();
