import type { ActionHandler } from "./types";

/** do-nothing: nothing but its events. */
export const doNothing: ActionHandler = async () => {};
