import { createRouter } from "../lib/router";

export const streamsSocketRouter = createRouter();
