import { createRouter } from "../lib/router";

export const uiRouter = createRouter();
