import { createRouter } from "../lib/router";

export const blockDocumentsRouter = createRouter();
