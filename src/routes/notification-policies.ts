import { createRouter } from "../lib/router";

export const notificationPoliciesRouter = createRouter();
